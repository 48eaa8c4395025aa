"""extract/facts.py: document numbers, dates, codes, elements, kind and affects (pure)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.corpus.evaluate import load_pages
from monitor.extract.facts import doc_key_for, extract_facts
from monitor.models import Affect, AffectAction, Effective, NoticeFacts, NoticeKind

S2T = opencc.OpenCC("s2t")
PUB = date(2025, 10, 9)


def facts(title: str = "", text: str = "", **kwargs: object):  # type: ignore[no-untyped-def]
    return extract_facts(title, text, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# Document numbers → doc_key


@pytest.mark.parametrize(
    ("number", "key"),
    [
        ("商务部公告2025年第62号", "MOFCOM-2025-62"),
        ("商务部 海关总署公告2025年第18号", "MOFCOM-2025-18"),
        ("商务部、科技部公告2023年第57号", "MOFCOM-2023-57"),
        ("商务部　海关总署公告２０２５年第１８号", "MOFCOM-2025-18"),  # full width
        ("商務部 海關總署公告2025年第70號", "MOFCOM-2025-70"),  # 繁體
        ("商務部公告２０２５年第７０號", "MOFCOM-2025-70"),
        ("商务部 海关总署 公告 2025 年 第 18 号", "MOFCOM-2025-18"),
        ("商务部 工业和信息化部 海关总署 国家密码管理局公告2024年第51号", "MOFCOM-2024-51"),
        ("海关总署公告2025年第29号", "GACC-2025-29"),
        ("商务部 国家原子能机构 海关总署公告2025年第5号", "MOFCOM-2025-5"),  # unlisted co-issuer
        ("商務部 工業和資訊化部 海關總署公告2024年第51號", "MOFCOM-2024-51"),  # Taiwan phrasing
        ("海關總署公告2025年第30號", "GACC-2025-30"),
        ("不可靠实体清单工作机制公告2025年第1号", "UEL-2025-1"),
        ("不可靠實體清單工作機制公告2025年第2號", "UEL-2025-2"),
        ("国务院令第785号", "STATECOUNCIL-785"),
        ("中华人民共和国国务院令 第785号", "STATECOUNCIL-785"),
        ("國務院令第７８５號", "STATECOUNCIL-785"),
        ("商务部公告〔2025〕第18号", "MOFCOM-2025-18"),
        ("MOFCOM Announcement No. 61 of 2025", "MOFCOM-2025-61"),
        ("MOFCOM and GAC Announcement No. 18 of 2025", "MOFCOM-2025-18"),
        ("Announcement No. 18 [2025] of the Ministry of Commerce", "MOFCOM-2025-18"),
        ("State Council Decree No. 785", "STATECOUNCIL-785"),
        ("Decree No. 792 of the State Council", "STATECOUNCIL-792"),
    ],
)
def test_doc_key_for(number: str, key: str) -> None:
    assert doc_key_for(number) == key


@pytest.mark.parametrize("text", ["", "关于稀土的新闻", "商务部公告第18号", "2025年4月4日"])
def test_doc_key_for_without_a_number(text: str) -> None:
    assert doc_key_for(text) is None


_FULL_WIDTH = str.maketrans("0123456789 ", "０１２３４５６７８９　")


@settings(max_examples=60, deadline=None)
@given(
    issuers=st.sampled_from(
        ["商务部", "商务部 海关总署", "商务部、科技部", "海关总署", "不可靠实体清单工作机制"]
    ),
    year=st.integers(2000, 2035),
    number=st.integers(1, 300),
)
def test_doc_key_invariant_under_script_and_width(issuers: str, year: int, number: int) -> None:
    simplified = f"{issuers}公告{year}年第{number}号"
    key = doc_key_for(simplified)
    series = {"海关总署": "GACC", "不可靠实体清单工作机制": "UEL"}.get(issuers, "MOFCOM")
    assert key == f"{series}-{year}-{number}"
    assert doc_key_for(S2T.convert(simplified)) == key
    assert doc_key_for(simplified.translate(_FULL_WIDTH)) == key
    assert doc_key_for(S2T.convert(simplified).translate(_FULL_WIDTH)) == key


@settings(max_examples=30, deadline=None)
@given(number=st.integers(1, 2000))
def test_decree_key_invariant(number: int) -> None:
    simplified = f"国务院令第{number}号"
    assert doc_key_for(S2T.convert(simplified).translate(_FULL_WIDTH)) == f"STATECOUNCIL-{number}"


# ---------------------------------------------------------------------------------------
# doc_number, issuers, published


def test_doc_number_from_argument_keeps_print_and_collapses_spaces() -> None:
    got = facts("标题", "正文", doc_number="商务部  海关总署公告2025年第18号")
    assert got.doc_number == "商务部 海关总署公告2025年第18号"
    assert got.doc_key == "MOFCOM-2025-18"
    assert got.issuers == ("商务部", "海关总署")


def test_doc_number_from_traditional_header_line() -> None:
    text = (
        "【發佈單位】安全與管制局\n"
        "【發佈文號】商務部 海關總署公告2025年第18號\n"
        "【發佈日期】2025年04月04日\n"
        "正文"
    )
    got = facts("標題", text, language="zh-Hant")
    assert got.doc_number == "商務部 海關總署公告2025年第18號"  # as printed
    assert got.doc_key == "MOFCOM-2025-18"
    assert got.issuers == ("商务部", "海关总署")  # canonical 简体
    assert got.published == date(2025, 4, 4)


def test_doc_number_from_title_when_no_header() -> None:
    got = facts(
        "商务部、科技部公告2023年第57号 关于公布《中国禁止出口限制出口技术目录》的公告", "正文"
    )
    assert got.doc_number == "商务部、科技部公告2023年第57号"
    assert got.issuers == ("商务部", "科技部")


def test_english_doc_number_and_issuers() -> None:
    text = (
        "[Issuing Unit] Bureau\n"
        "[Issuing Document Number] MOFCOM and GAC Announcement No. 18 of 2025\n"
        "[Issuing Date] 2025-04-04"
    )
    got = facts("Title", text, language="en")
    assert got.doc_number == "MOFCOM and GAC Announcement No. 18 of 2025"
    assert got.issuers == ("商务部", "海关总署")
    assert got.published == date(2025, 4, 4)


def test_english_title_number_keeps_issuer_prefix() -> None:
    got = facts("MOFCOM Announcement No. 62 of 2025 on Rare Earth Technologies", "Body.")
    assert got.doc_number == "MOFCOM Announcement No. 62 of 2025"
    assert got.doc_key == "MOFCOM-2025-62"


def test_decree_issuer() -> None:
    got = facts("稀土管理条例（中华人民共和国国务院令第785号）", "", doc_number="国务院令第785号")
    assert (got.doc_key, got.issuers) == ("STATECOUNCIL-785", ("国务院",))


def test_commentary_title_number_is_not_its_own() -> None:
    got = facts("商务部新闻发言人就商务部公告2025年第61号答记者问", "问：……答：……稀土")
    assert got.doc_number is None and got.doc_key is None
    assert got.kind is NoticeKind.COMMENTARY


def test_published_argument_wins_over_header() -> None:
    got = facts("t", "【发文日期】2025年04月05日", published=date(2025, 4, 4))
    assert got.published == date(2025, 4, 4)


# ---------------------------------------------------------------------------------------
# Effective dates


def test_effective_on_publication() -> None:
    got = facts(
        "t",
        "六、本公告自公布之日起正式实施。",
        published=date(2025, 4, 4),
        doc_number="商务部公告2025年第18号",
    )
    assert got.effective == (Effective(date(2025, 4, 4), "whole notice"),)


def test_effective_on_a_date() -> None:
    got = facts(
        "t", "本公告自2025年11月8日起正式实施。", published=PUB, doc_number="商务部公告2025年第57号"
    )
    assert got.effective == (Effective(date(2025, 11, 8), "whole notice"),)


@pytest.mark.parametrize("verb", ["施行", "实施", "执行", "生效"])
def test_effective_start_verbs(verb: str) -> None:
    got = facts("t", f"本公告自2026年1月1日起{verb}。", doc_number="商务部公告2025年第93号")
    assert got.effective == (Effective(date(2026, 1, 1), "whole notice"),)


def test_no_61_staged_parts_as_printed() -> None:
    text = "五、本公告第一条第（一）项、第（二）项自2025年12月1日起实施，其余条款自公布之日起实施。"
    got = facts("t", text, published=PUB, doc_number="商务部公告2025年第61号")
    assert got.effective == (
        Effective(date(2025, 12, 1), "第一条第（一）项、第（二）项"),
        Effective(PUB, "其余条款"),
    )


def test_no_61_staged_parts_traditional_keep_their_script() -> None:
    text = "五、本公告第一條第（一）項、第（二）項自2025年12月1日起實施，其餘條款自公佈之日起實施。"
    got = facts("t", text, published=PUB, doc_number="商務部公告2025年第61號", language="zh-Hant")
    assert got.effective == (
        Effective(date(2025, 12, 1), "第一條第（一）項、第（二）項"),
        Effective(PUB, "其餘條款"),
    )


def test_english_staged_parts() -> None:
    text = (
        "5. Items (1) and (2) of Article 1 shall take effect on December 1, 2025, and the "
        "remaining provisions shall take effect from the date of publication."
    )
    got = facts("t", text, published=PUB, doc_number="MOFCOM Announcement No. 61 of 2025")
    assert got.effective == (
        Effective(date(2025, 12, 1), "Items (1) and (2) of Article 1"),
        Effective(PUB, "the remaining provisions"),
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "This Announcement shall take effect from the date of publication.",
        "This announcement takes effect on the date of its promulgation.",
        "This Announcement shall come into force on 9 October 2025.",
    ],
)
def test_english_whole_notice(sentence: str) -> None:
    got = facts("t", sentence, published=PUB, doc_number="MOFCOM Announcement No. 62 of 2025")
    assert got.effective == (Effective(PUB, "whole notice"),)


def test_same_start_named_twice_is_one_entry() -> None:
    text = (
        "《稀土管理条例》已经国务院常务会议通过，现予公布，自2024年10月1日起施行。\n"
        "第三十二条　本条例自2024年10月1日起施行。"
    )
    got = facts("稀土管理条例", text, doc_number="国务院令第785号")
    assert got.effective == (Effective(date(2024, 10, 1), "whole notice"),)


def test_suspension_start_is_the_whole_notice() -> None:
    text = (
        "一、下列公告自本公告公布之日起暂停实施，暂停期限至2026年11月10日：\n"
        "（一）商务部公告2025年第61号（公布对境外相关稀土物项实施出口管制的决定）；\n"
        "四、本公告自公布之日起实施。"
    )
    got = facts(
        "关于暂停实施…的公告",
        text,
        published=date(2025, 11, 7),
        doc_number="商务部 海关总署公告2025年第70号",
    )
    assert got.effective == (Effective(date(2025, 11, 7), "whole notice"),)


def test_start_dates_of_cited_notices_are_not_ours() -> None:
    text = "商务部公告2025年第61号第一条自2025年12月1日起实施。本公告自公布之日起实施。"
    got = facts("t", text, published=date(2025, 11, 7), doc_number="商务部公告2025年第70号")
    assert got.effective == (Effective(date(2025, 11, 7), "whole notice"),)


def test_chinese_numeral_date() -> None:
    got = facts("t", "本办法自二〇二五年十二月一日起施行。", doc_number="商务部令2025年第1号")
    assert got.effective == (Effective(date(2025, 12, 1), "whole notice"),)


def test_commentary_names_no_start() -> None:
    got = facts("商务部新闻发言人答记者问", "第61号公告第一条第（一）项自2025年12月1日起实施。稀土")
    assert got.effective == ()


# ---------------------------------------------------------------------------------------
# Control codes


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("物项1C902.a和1E902.b", ("1C902.a", "1E902.b")),  # right after CJK
        ("（一）1C902 钐相关物项", ("1C902",)),
        ("3C901.a.1 至 3C901.a.3", ("3C901.a.1", "3C901.a.3")),
        ("见2B902.c.", ("2B902.c",)),  # sentence full stop is not a sub-item
        ("物项１Ｃ９０２", ("1C902",)),  # full width
        ("X1C902 and 1C9021 and 2805301910", ()),
        ("1C902、1C902、1C903", ("1C902", "1C903")),  # de-duplicated, in order
    ],
)
def test_control_codes(text: str, codes: tuple[str, ...]) -> None:
    assert facts("t", text).control_codes == codes


# ---------------------------------------------------------------------------------------
# HS codes


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        (
            "金属钐。参考海关商品编号：2805301910、3824999922、8486909110",
            ("2805301910", "3824999922", "8486909110"),
        ),
        ("钬金属。参考税则号列：28053019", ("28053019",)),
        ("參考海關商品編號：2846901993", ("2846901993",)),
        ("Reference customs commodity codes: 2805301910, 3824999922", ("2805301910", "3824999922")),
        (
            "钐（参考海关商品编号：2805301910），靶材（参考海关商品编号：8486909110）",
            ("2805301910", "8486909110"),
        ),
        ("联系电话：65197000；邮编：100731；文号2805301910", ()),
        ("参考海关商品编号：123456789", ()),  # 9 digits is not a customs line
    ],
)
def test_hs_codes(text: str, codes: tuple[str, ...]) -> None:
    assert facts("t", text).hs_codes == codes


def test_hs_codes_in_a_table_column() -> None:
    text = "\n".join([
        "物项编码 | 物项名称 | 参考海关商品编号",
        "1C909.a | 金属钬 | 28053019",
        "1C910.a | 金属铒 | 28053019、38249999",
        "说明：编号仅供参考。联系电话 12345678",
    ])  # fmt: skip
    assert facts("t", text).hs_codes == ("28053019", "38249999")


def test_hs_code_in_the_marker_cell_of_a_table_row() -> None:
    text = "1C909.a | 金属钬 | 参考海关商品编号：28053019"
    assert facts("t", text).hs_codes == ("28053019",)


def test_hs_codes_wrapped_onto_a_line_of_their_own_stay_in_the_column() -> None:
    text = "\n".join([
        "物项编码 | 物项名称 | 参考海关商品编号",
        "1C909.a | 金属钬 | 28053019",
        "38249999、28469019",
        "说明：编号仅供参考。联系电话 12345678",
    ])  # fmt: skip
    assert facts("t", text).hs_codes == ("28053019", "38249999", "28469019")


# ---------------------------------------------------------------------------------------
# Elements


@pytest.mark.parametrize(
    ("name", "symbol"),
    [
        ("钐", "Sm"), ("釤", "Sm"), ("钆", "Gd"), ("釓", "Gd"), ("铽", "Tb"), ("鋱", "Tb"),
        ("镝", "Dy"), ("鏑", "Dy"), ("镥", "Lu"), ("鑥", "Lu"), ("鎦", "Lu"), ("钪", "Sc"),
        ("鈧", "Sc"), ("钇", "Y"), ("釔", "Y"), ("钬", "Ho"), ("铒", "Er"), ("鉺", "Er"),
        ("铥", "Tm"), ("銩", "Tm"), ("铕", "Eu"), ("銪", "Eu"), ("镱", "Yb"), ("鐿", "Yb"),
        ("镨", "Pr"), ("鐠", "Pr"), ("钕", "Nd"), ("釹", "Nd"), ("钷", "Pm"), ("鉕", "Pm"),
    ],
)  # fmt: skip
def test_element_by_name_in_every_script(name: str, symbol: str) -> None:
    assert facts("t", f"对金属{name}实施管理").elements == (symbol,)


@pytest.mark.parametrize(
    ("text", "symbols"),
    [
        ("samarium, gadolinium, terbium, dysprosium, lutetium, scandium and yttrium",
         ("Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y")),
        ("Holmium, Erbium, THULIUM, europium and ytterbium", ("Eu", "Ho", "Er", "Tm", "Yb")),
        ("NdFeB magnets", ("Nd",)),
        ("SmCo5 and Sm2Co17 alloys", ("Sm",)),
        ("TbFe, DyFe and TbDyFe alloys", ("Tb", "Dy")),
        ("Dy2O3 powder", ("Dy",)),
        ("Dy₂O₃ powder", ("Dy",)),
        ("Tb/Dy grain-boundary diffusion", ("Tb", "Dy")),
    ],
)  # fmt: skip
def test_english_names_and_compounds(text: str, symbols: tuple[str, ...]) -> None:
    assert facts("t", text).elements == symbols


@pytest.mark.parametrize(
    "text",
    [
        "The EU and the PM met; PR, TM, TB, CE, SC, LA, ER, HO, Y and Nd are not elements here.",
        "BY ORDER OF THE MINISTRY",
        "Er, the delegation said Ho Chi Minh City and Sm. Co. Ltd attended.",
        "Tb-containing products",  # symbols count only inside compounds
    ],
)
def test_bare_symbols_do_not_count(text: str) -> None:
    assert facts("t", text).elements == ()


def test_elements_deduplicated_in_vocabulary_order() -> None:
    got = facts("t", "钇、钪、镥、镝、铽、钆、钐；再次：钐、镝、Yttrium")
    assert got.elements == ("Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y")


@pytest.mark.parametrize(
    "text",
    [
        "含铽的钕铁硼永磁材料及其制品",
        "含镝的钕铁硼永磁材料",
        "含铽、镝的钕铁硼永磁材料",
        "含鋱的釹鐵硼永磁材料",
        "terbium-containing NdFeB permanent magnet materials",
        "dysprosium-containing neodymium-iron-boron magnets",
    ],
)
def test_ndfeb_qualified_by_tb_or_dy_is_not_nd(text: str) -> None:
    assert "Nd" not in facts("t", text).elements


def test_unqualified_ndfeb_is_nd() -> None:
    got = facts("t", "磁材制造，是指钐钴、钕铁硼、铈磁体等稀土永磁材料的制造")
    assert got.elements == ("Ce", "Nd", "Sm")


@pytest.mark.parametrize(
    "text",
    [
        "氧化铈抛光粉用于玻璃研磨，硝酸铈铵为常用试剂。",
        "镧玻璃和镧系催化剂的化学性质。",
        "cerium oxide polishing powder and lanthanum glass",
        "CeO2 and LaNi5 in ordinary chemistry",
    ],
)
def test_lanthanum_and_cerium_need_rare_earth_context(text: str) -> None:
    assert facts("t", text).elements == ()


@pytest.mark.parametrize(
    "text",
    [
        "稀土元素包括镧、铈、镨、钕等。",
        "对含铈稀土化合物实施出口管制。",
        "1C902 lanthanum",
        "rare earth elements such as lanthanum and cerium",
    ],
)
def test_lanthanum_and_cerium_in_rare_earth_context(text: str) -> None:
    assert {"La", "Ce"} & set(facts("t", text).elements)


def test_neodymium_named_again_after_a_qualified_ndfeb_counts() -> None:
    assert facts("t", "含镝的钕铁硼磁体等稀土材料").elements == ("Dy",)
    assert facts("t", "含镝的钕铁硼磁体和金属钕等稀土材料").elements == ("Nd", "Dy")


def test_header_fields_are_not_read_for_elements() -> None:
    text = "\n".join([
        "【主题词】钇 钪",
        "[Issuing Keywords] yttrium, scandium",
        "【发文日期】2025/10/09",
        "对Tb/Dy合金实施出口管制。",
    ])  # fmt: skip
    assert facts("t", text).elements == ("Tb", "Dy")


def test_holmium_beside_a_taiwan_separator_outside_gbk() -> None:
    text = "對鈥‧鉺‧銩等中重稀土相關物項實施出口管制"  # ‧ (U+2027) has no GBK form
    assert facts("t", text, language="zh-Hant").elements == ("Ho", "Er", "Tm")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("China鈥檚 rare earth export controls", "en"),
        ("Beijing鈥檚 stance on 鈥渞are earths鈥� and 稀土", "en"),
        ("所谓鈥溾€稀土鈥濃€管制，氧化物", "zh-Hans"),
        ("中方鈥滅ǹ土鈥濇帾鏂斤細氧化鈥", "zh-Hans"),  # simplified page: 鈥 is always debris
        ("對鈥實施管理，無化學語境", "zh-Hant"),  # no chemical context
        ("稀土鈥檚 氧化物", "zh-Hant"),  # quote tail next to it
    ],
)
def test_mojibake_quote_is_not_holmium(text: str, language: str) -> None:
    assert "Ho" not in facts("t", text, language=language).elements


@pytest.mark.parametrize(
    "text",
    [
        "對鈥、鉺、銩、銪、鐿等中重稀土相關物項實施出口管制",
        "氧化鈥及其混合物",
        "鈥鐵合金；鈥靶材",
    ],
)
def test_holmium_on_traditional_page_in_chemical_context(text: str) -> None:
    assert "Ho" in facts("t", text, language="zh-Hant").elements


def test_traditional_detected_without_language_hint() -> None:
    text = "商務部 海關總署關於對部分中重稀土相關物項實施出口管制的公告：氧化鈥及其混合物"
    assert "Ho" in facts("t", text).elements


@pytest.mark.parametrize(
    "text",
    [
        "对高纯石墨、球形石墨实施出口管制",
        "锑及锑氧化物、超硬材料、金刚石微粉",
        "镓、锗、氮化镓、砷化镓、锗锭",
        "锂离子电池、磷酸铁锂正极材料、人造石墨负极材料",
        "钨、碲、铋、钼、铟相关物项",
        "W, Te, Bi, Mo and In items; gallium and germanium; antimony",
    ],
)
def test_other_minerals_name_no_rare_earth(text: str) -> None:
    assert facts("t", text).elements == ()


# ---------------------------------------------------------------------------------------
# Kind: title first


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("商务部 海关总署公告2025年第18号 关于对部分中重稀土相关物项实施出口管制的决定", "control"),
        ("商务部公告2025年第62号 公布对稀土相关技术实施出口管制的决定", "control"),
        (
            "商务部 海关总署公告2025年第70号 关于暂停实施商务部公告2025年第61号、第62号的公告",
            "suspension",
        ),
        ("商務部公告2025年第72號 關於暫停實施商務部公告2024年第46號第二款的公告", "suspension"),
        ("商务部公告2026年第80号 关于继续暂停实施有关出口管制措施的公告", "suspension"),
        ("商务部公告2025年第90号 关于调整稀土出口管制措施的公告", "adjustment"),
        ("商务部公告2026年第11号 关于将3家日本实体列入出口管制管控名单的公告", "designation"),
        ("商务部公告2026年第28号 关于将部分实体移出关注名单的公告", "designation"),
        (
            "不可靠实体清单工作机制公告2025年第1号 关于将14家外国实体列入不可靠实体清单的公告",
            "unreliable_entity",
        ),
        (
            "商务部 海关总署公告2025年第93号 公布《2026年两用物项和技术进出口许可证管理目录》",
            "license",
        ),
        (
            "商务部、科技部公告2023年第57号 关于公布《中国禁止出口限制出口技术目录》的公告",
            "license",
        ),
        ("商务部公告2024年第46号 关于加强两用物项对美国出口管制的公告", "control"),
        ("商务部公告2024年第99号 关于废止部分公告的公告", "repeal"),
        ("稀土管理条例（中华人民共和国国务院令第785号）", "control"),
        ("商务部新闻发言人就稀土出口管制答记者问", "commentary"),
        ("两用物项出口管制常见问题解答（FAQ）", "commentary"),
        (
            (
                "MOFCOM and GAC Announcement No. 70 of 2025 on Suspending the Implementation "
                "of Announcements No. 55 of 2025"
            ),
            "suspension",
        ),
        ("MOFCOM Spokesperson Answers Reporters' Questions on Rare Earths", "commentary"),
        ("商务部批准首批稀土出口通用许可申请", "commentary"),  # news, no number
    ],
)  # fmt: skip
def test_kind_by_title(title: str, kind: str) -> None:
    assert facts(title, "正文稀土。").kind == NoticeKind(kind)


def test_suspension_citing_control_titles_is_not_a_control() -> None:
    text = (
        "一、下列公告自本公告公布之日起暂停实施：\n"
        "（一）商务部公告2025年第61号（公布对境外相关稀土物项实施出口管制的决定）；"
    )
    got = facts("商务部 海关总署公告2025年第70号 关于暂停实施部分出口管制措施的公告", text)
    assert got.kind is NoticeKind.SUSPENSION


def test_kind_from_body_when_title_is_only_the_number() -> None:
    text = "经研究，现决定：自即日起至2026年11月10日，暂停实施商务部公告2025年第61号。"
    assert facts("商务部公告2025年第70号", text).kind is NoticeKind.SUSPENSION
    text = "商务部决定对下列物项实施出口管制。未经许可不得出口。"
    assert facts("商务部公告2025年第18号", text).kind is NoticeKind.CONTROL


# ---------------------------------------------------------------------------------------
# Affects


NO_70_BODY = "\n".join([
    "【发布文号】商务部 海关总署公告2025年第70号",
    "一、下列公告自本公告公布之日起暂停实施，暂停期限至2026年11月10日：",
    "（一）商务部公告2025年第61号（公布对境外相关稀土物项实施出口管制的决定）；",
    "（二）商务部公告2025年第62号（公布对稀土相关技术实施出口管制的决定）；",
    "（三）商务部 海关总署公告2025年第55号（公布对部分超硬材料相关物项实施出口管制的决定）；",
    "二、暂停实施期间，出口经营者仍应当依照有关规定申请许可。",
    "三、本公告自公布之日起实施。",
])  # fmt: skip


def _suspensions(*numbers: int, until: date, year: int = 2025) -> set[Affect]:
    return {Affect(f"MOFCOM-{year}-{n}", AffectAction.SUSPEND, until) for n in numbers}


def test_no_70_list_lends_verb_and_until_to_items() -> None:
    got = facts("商务部 海关总署公告2025年第70号 关于暂停实施部分出口管制措施的公告", NO_70_BODY)
    assert set(got.affects) == _suspensions(61, 62, 55, until=date(2026, 11, 10))
    assert got.doc_key == "MOFCOM-2025-70"  # its own number is never a target


def test_no_70_traditional() -> None:
    got = facts("關於暫停實施部分出口管制措施的公告", S2T.convert(NO_70_BODY), language="zh-Hant")
    assert set(got.affects) == _suspensions(61, 62, 55, until=date(2026, 11, 10))


def test_no_70_english() -> None:
    text = "\n".join([
        "1. The implementation of the following announcements is suspended from the date of "
        "publication of this Announcement until November 10, 2026:",
        "(1) MOFCOM Announcement No. 61 of 2025 (Decision to Implement Export Controls);",
        "(2) MOFCOM and GAC Announcement No. 57 of 2025 (Decision on Medium and Heavy Rar"
        "e Earths).",
        "2. During the suspension, exporters shall continue to apply for licences.",
    ])  # fmt: skip
    got = facts("MOFCOM and GAC Announcement No. 70 of 2025 on Suspending …", text)
    assert set(got.affects) == _suspensions(61, 57, until=date(2026, 11, 10))


def test_one_sentence_with_shorthand_numbers() -> None:
    text = (
        "自即日起至2026年11月10日，暂停实施商务部 海关总署公告2025年第55号、第56号、第57号、"
        "第58号，商务部公告2025年第61号、第62号。"
    )
    got = facts("关于暂停实施有关公告的公告", text, doc_number="商务部 海关总署公告2025年第70号")
    assert set(got.affects) == _suspensions(55, 56, 57, 58, 61, 62, until=date(2026, 11, 10))


def test_no_72_paragraph_scope() -> None:
    text = (
        "一、自即日起至2026年11月27日，暂停实施商务部公告2024年第46号第二款。\n"
        "二、本公告自公布之日起实施。"
    )
    got = facts("商务部公告2025年第72号 关于暂停实施商务部公告2024年第46号第二款的公告", text)
    assert got.affects == (
        Affect("MOFCOM-2024-46", AffectAction.SUSPEND, date(2026, 11, 27), "第二款"),
    )


def test_scope_after_cited_title_in_brackets() -> None:
    text = (
        "暂停实施《关于加强两用物项对美国出口管制的公告》（商务部公告2024年第46号）第二款，"
        "至2026年11月27日止。"
    )
    got = facts("关于暂停实施有关规定的公告", text, doc_number="商务部公告2025年第72号")
    assert got.affects == (
        Affect("MOFCOM-2024-46", AffectAction.SUSPEND, date(2026, 11, 27), "第二款"),
    )


def test_extension_of_a_suspension() -> None:
    text = "继续暂停实施商务部公告2025年第61号、第62号，暂停期限延长至2027年11月10日。"
    got = facts("关于继续暂停实施有关措施的公告", text, doc_number="商务部公告2026年第80号")
    assert set(got.affects) == {
        Affect("MOFCOM-2025-61", AffectAction.EXTEND, date(2027, 11, 10)),
        Affect("MOFCOM-2025-62", AffectAction.EXTEND, date(2027, 11, 10)),
    }


def test_repeal_inside_a_control_notice() -> None:
    text = "本公告自2024年12月1日起实施。商务部 海关总署公告2023年第23号同时废止。"
    got = facts("关于公布两用物项出口管制清单的公告", text, doc_number="商务部公告2024年第51号")
    assert got.affects == (Affect("MOFCOM-2023-23", AffectAction.REPEAL),)


def test_amendment() -> None:
    text = "现对商务部 海关总署公告2025年第18号附件进行修改。"
    got = facts("关于修改有关公告的公告", text, doc_number="商务部公告2026年第5号")
    assert got.affects == (Affect("MOFCOM-2025-18", AffectAction.AMEND),)


def test_citation_without_action_is_not_an_affect() -> None:
    text = "商务部于2025年10月9日发布商务部公告2025年第61号。本公告自公布之日起实施。"
    got = facts("关于稀土出口管制的公告", text, doc_number="商务部公告2025年第99号")
    assert got.affects == ()


def test_english_paragraph_scope() -> None:
    text = (
        "The second paragraph of MOFCOM Announcement No. 46 of 2024 is suspended "
        "until November 27, 2026."
    )
    got = facts("MOFCOM Announcement No. 72 of 2025", text)
    assert got.affects == (
        Affect("MOFCOM-2024-46", AffectAction.SUSPEND, date(2026, 11, 27), "The second paragraph"),
    )


def test_title_only_adds_what_the_body_does_not_name() -> None:
    got = facts(
        "商务部公告2025年第72号 关于暂停实施商务部公告2024年第46号第二款的公告",
        "本公告自公布之日起实施。",
    )
    assert got.affects == (Affect("MOFCOM-2024-46", AffectAction.SUSPEND, None, "第二款"),)


def test_commentary_acts_on_nothing() -> None:
    text = "问：第70号公告暂停实施商务部公告2025年第61号吗？答：是的，暂停至2026年11月10日。"
    assert facts("商务部新闻发言人答记者问", text).affects == ()


def test_parts_said_to_stay_in_force_are_not_acted_on() -> None:
    text = (
        "一、商务部公告2024年第46号（关于加强相关两用物项对美国出口管制的公告）第二款暂停实施，"
        "暂停期限自本公告公布之日起至2026年11月27日。\n"
        "二、暂停实施期间，商务部公告2024年第46号第一款、第三款继续执行。\n"
        "本公告自公布之日起正式实施。"
    )
    got = facts(
        "商务部公告2025年第72号 关于暂停实施商务部公告2024年第46号第二款的公告",
        text,
        published=date(2025, 11, 9),
    )
    assert got.affects == (
        Affect("MOFCOM-2024-46", AffectAction.SUSPEND, date(2026, 11, 27), "第二款"),
    )
    assert got.effective == (Effective(date(2025, 11, 9), "whole notice"),)


def test_publishing_the_dual_use_list_is_a_control() -> None:
    title = (
        "商务部 工业和信息化部 海关总署 国家密码管理局公告2024年第51号 "
        "关于公布《中华人民共和国两用物项出口管制清单》的公告"
    )
    assert facts(title, "现予公布。").kind is NoticeKind.CONTROL


@pytest.mark.parametrize(
    ("title", "number"),
    [
        ("商务部公告2025年第62号 公布对稀土相关技术实施出口管制的决定", "商务部公告2025年第62号"),
        ("稀土管理条例（中华人民共和国国务院令第785号）", "中华人民共和国国务院令第785号"),
        ("关于暂停实施有关措施的公告（商务部公告2025年第70号）", "商务部公告2025年第70号"),
        ("中方宣布暂停实施商务部公告2025年第61号", None),  # news: a number it talks about
        ("China suspends MOFCOM Announcement No. 61 of 2025", None),
    ],
)
def test_only_a_title_that_opens_with_or_brackets_a_number_owns_it(
    title: str, number: str | None
) -> None:
    assert facts(title, "正文").doc_number == number


def test_an_empty_number_header_is_no_number() -> None:
    got = facts("关于稀土的通知", "【发布单位】某司\n【发布文号】无\n正文")
    assert (got.doc_number, got.doc_key) == (None, None)


@pytest.mark.parametrize(
    ("sentence", "start"),
    [
        ("本办法自公布之日起30日后施行。", date(2025, 11, 8)),
        ("This Announcement shall take effect immediately.", PUB),
        ("The measures apply with immediate effect.", PUB),
    ],
)
def test_later_and_immediate_starts(sentence: str, start: date) -> None:
    got = facts("t", sentence, published=PUB, doc_number="商务部公告2025年第99号")
    assert got.effective == (Effective(start, "whole notice"),)


def test_a_deadline_counted_from_publication_is_not_a_start() -> None:
    text = "利害关系方可自本公告发布之日起20天内向调查机关申请参加调查，逾期不予受理并实施处理。"
    assert facts("t", text, published=PUB, doc_number="商务部公告2025年第37号").effective == ()


# ---------------------------------------------------------------------------------------
# Every 简体 page of the gold corpus, converted to 繁體 (s2t, s2hk, Taiwan s2twp) with
# full-width digits, must give the same facts (only the as-printed strings differ).

_CORPUS = Path(__file__).resolve().parents[2] / "monitor" / "corpus"


def _core(got: NoticeFacts) -> tuple[object, ...]:
    return (
        got.doc_key, got.issuers, got.published, tuple(e.from_ for e in got.effective),
        got.control_codes, got.hs_codes, got.elements, got.kind,
        tuple((a.doc_key, a.action, a.until) for a in got.affects),
    )  # fmt: skip


@pytest.mark.parametrize("config", ["s2t", "s2hk", "s2twp"])
def test_corpus_pages_in_traditional_script_give_the_same_facts(config: str) -> None:
    convert = opencc.OpenCC(config).convert
    pages = [p for p in load_pages(_CORPUS) if p.raw and p.raw.language == "zh-Hans"]
    assert pages
    for page in pages:
        raw = page.raw
        assert raw is not None
        base = extract_facts(
            raw.title, raw.text, published=raw.published, doc_number=raw.doc_number
        )
        number = convert(raw.doc_number).translate(_FULL_WIDTH) if raw.doc_number else None
        converted = extract_facts(
            convert(raw.title).translate(_FULL_WIDTH),
            convert(raw.text).translate(_FULL_WIDTH),
            published=raw.published,
            doc_number=number,
            language="zh-Hant",
        )
        assert _core(converted) == _core(base), page.stem


@pytest.mark.parametrize(
    "text",
    [
        "将商务部公告2025年第61号的暂停实施期限延长至2027年11月10日。",
        "商务部公告2025年第61号继续暂停实施至2027年11月10日。",
        "The suspension of MOFCOM Announcement No. 61 of 2025 is extended until November 10, 2027.",
        "It has been decided to continue to suspend MOFCOM Announcement No. 61 of 2025 until "
        "November 10, 2027.",
    ],
)
def test_extension_phrasings(text: str) -> None:
    got = facts("关于有关措施的公告", text, doc_number="商务部公告2026年第80号")
    assert got.affects == (Affect("MOFCOM-2025-61", AffectAction.EXTEND, date(2027, 11, 10)),)


@pytest.mark.parametrize(
    "text",
    [
        "MOFCOM Announcement No. 23 of 2023 is hereby repealed.",
        "商务部公告2023年第23号自即日起废止。",
    ],
)
def test_repeal_phrasings(text: str) -> None:
    got = facts("关于废止有关公告的公告", text, doc_number="商务部公告2024年第51号")
    assert got.affects == (Affect("MOFCOM-2023-23", AffectAction.REPEAL),)
    assert got.effective == ()


def test_a_report_has_no_number_of_its_own_and_says_what_it_reports() -> None:
    title = "MOFCOM Announcement No. 61 of 2025: what exporters must know"
    text = "Law firm alert\nMOFCOM Announcement No. 61 of 2025 and No. 62 took effect."
    official = extract_facts(title, text)
    report = extract_facts(title, text, report=True, published=date(2025, 10, 10))
    assert official.doc_key == "MOFCOM-2025-61" and official.reports is None
    assert (report.doc_key, report.kind.value) == (None, "commentary")
    assert report.mentions == ("MOFCOM-2025-61", "MOFCOM-2025-62")
    assert report.reports == "MOFCOM-2025-61"
    assert official.mentions == ("MOFCOM-2025-62",)


@pytest.mark.parametrize(
    "text",
    [
        "含镝、铽的高矫顽力钕铁硼磁铁是马达核心元件",
        "含鏑、鋱的高矯頑力釹鐵硼磁鐵",
        "High-coercivity NdFeB magnets for traction motors rely on Tb/Dy additions",
        "NdFeB magnets made with dysprosium",
    ],
)
def test_ndfeb_qualified_across_a_few_words_is_not_nd(text: str) -> None:
    assert "Nd" not in facts("t", text).elements


@pytest.mark.parametrize(
    "text",
    [
        "Magnet manufacturing means the production of samarium-cobalt, NdFeB and cerium magnets.",
        "指釤鈷、釹鐵硼、鈰磁體製造技術",
    ],
)
def test_cerium_beside_other_magnets_is_a_rare_earth_mention(text: str) -> None:
    assert "Ce" in facts("t", text).elements


def test_cerium_in_ordinary_chemistry_still_needs_rare_earth_context() -> None:
    assert facts("t", "Cerium oxide polishing powder for glass.").elements == ()


def test_a_glyph_printed_decomposed_is_its_element() -> None:
    # Feeds whose font lacks 镥 print it as its parts, 金 + 鲁, in brackets.
    got = facts("t", "七类中重稀土为钐、钆、铽、镝、(金鲁)、钪、钇。另有（金+鲁）。")
    assert got.elements == ("Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y")
    assert facts("t", "(金鲁)以外").elements == ("Lu",)
    assert facts("t", "(金市)抛光粉").elements == ()  # cerium still needs its context
