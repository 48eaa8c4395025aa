"""classify.py: rare-earth relevance with reasons, and subscriber watch matching (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.config import Watch
from monitor.detect.classify import assess, watch_matches
from monitor.extract.facts import extract_facts
from monitor.models import Affect, AffectAction, NoticeFacts, NoticeKind, Verdict


def judge(
    title: str, text: str = "", *, acted_on: tuple[Verdict, ...] = (), **kwargs: object
) -> Verdict:
    facts = extract_facts(title, text, **kwargs)  # type: ignore[arg-type]
    return assess(title, text, facts, acted_on=acted_on)


# ---------------------------------------------------------------------------------------
# Relevant, with reasons


def test_control_code_keyword_and_elements_are_reasons() -> None:
    verdict = judge(
        "商务部公告2025年第62号 公布对稀土相关技术实施出口管制的决定",
        "（一）1E902.a 稀土开采相关技术。\n磁材制造是指钐钴、钕铁硼、铈磁体等稀土永磁材料的制造。",
    )
    assert verdict.relevant
    assert "control code 1E902.a" in verdict.matched
    assert "keyword 稀土" in verdict.matched
    assert "element 钐 (Sm)" in verdict.matched
    assert verdict.elements == ("Ce", "Nd", "Sm")
    assert verdict.control_codes == ("1E902.a",)


def test_traditional_page_is_relevant_with_simplified_reasons() -> None:
    verdict = judge(
        "關於對部分中重稀土相關物項實施出口管制的公告", "鏑、鋱相關物項", language="zh-Hant"
    )
    assert verdict.relevant
    assert {"keyword 稀土", "element 镝 (Dy)", "element 铽 (Tb)"} <= set(verdict.matched)


@pytest.mark.parametrize(
    ("title", "text", "reason"),
    [
        ("Notice", "Export controls on rare-earth magnets", "keyword rare earth"),
        ("通知", "对金属镝实施许可管理", "element 镝 (Dy)"),  # a controlled element alone
        ("Notice", "terbium metal and products", "element 铽 (Tb)"),
        ("通知", "参考海关商品编号：2805301910", "HS code 2805301910"),
        ("通知", "2B902.a 离心萃取设备", "control code 2B902.a"),
        ("通知", "钕铁硼永磁体出口", "keyword 钕铁硼"),
        ("Notice", "SmCo magnets", "keyword SmCo"),
        ("台灣新聞", "鎦、釔等元素", "element 镥 (Lu)"),
    ],
)
def test_single_signal_is_enough(title: str, text: str, reason: str) -> None:
    verdict = judge(title, text)
    assert verdict.relevant
    assert reason in verdict.matched


def test_commentary_about_rare_earths_is_relevant() -> None:
    verdict = judge("商务部新闻发言人就稀土出口管制答记者问", "问：……答：中重稀土相关物项……")
    assert verdict.relevant


# ---------------------------------------------------------------------------------------
# Near misses: not relevant


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "关于对氧化铈抛光粉反倾销调查的最终裁定",
            "氧化铈抛光粉（CeO2）和La2O3，镧、铈催化材料。归在税则号38249999。",
        ),
        (
            "关于对欧盟相关措施发起贸易壁垒调查的公告",
            "欧盟（EU）及EU Member States 的电池碳足迹规则。",
        ),
        (
            "China鈥檚 trade notice",
            "The ministry鈥檚 statement on 鈥淭he new rules鈥� for imports.",
        ),
        ("关于对石墨电极发起反倾销调查的公告", "原产于某国的石墨电极，归在税则号85451100。"),
        (
            "关于锑、超硬材料相关物项实施出口管制的公告",
            "锑矿及原料、金属锑、超硬材料、金刚石微粉。",
        ),
        ("关于对镓、锗相关物项实施出口管制的公告", "金属镓、氮化镓、锗锭、二氧化锗。"),
        (
            "关于对锂电池和人造石墨负极材料相关物项实施出口管制的公告",
            "3A001 锂离子电池；3B901.a 设备。",
        ),
        (
            "关于对钨、碲、铋、钼、铟相关物项实施出口管制的公告",
            "W, Te, Bi, Mo and In items; 仲钨酸铵。",
        ),
        ("关于做好先进技术设备进口贴息申报工作的公告", "大口径高功率钕玻璃激光器光学元件加工设备"),
        ("关于加强两用物项对日本出口管制的公告", "禁止向日本军事用户出口一切两用物项。"),
    ],
)  # fmt: skip
def test_near_misses_are_not_relevant(title: str, text: str) -> None:
    verdict = judge(title, text)
    assert not verdict.relevant, verdict.matched
    assert verdict.matched == ()


def test_uncontrolled_element_alone_is_kept_but_not_a_reason() -> None:
    verdict = judge("关于进口贴息的公告", "钕玻璃激光器")
    assert not verdict.relevant
    assert verdict.elements == ("Nd",)


# ---------------------------------------------------------------------------------------
# Acting on other measures


def _suspension(*keys: str) -> NoticeFacts:
    return NoticeFacts(
        doc_key="MOFCOM-2026-80",
        kind=NoticeKind.SUSPENSION,
        affects=tuple(Affect(k, AffectAction.SUSPEND, date(2027, 11, 10)) for k in keys),
    )


HOLMIUM = Verdict(
    relevant=True, elements=("Ho", "Er"), control_codes=("1C909",), hs_codes=("28053019",)
)
GALLIUM = Verdict(relevant=False)


def test_acting_on_a_rare_earth_measure_is_relevant_and_inherits_its_facts() -> None:
    facts = _suspension("MOFCOM-2099-1", "MOFCOM-2099-2")
    verdict = assess("关于暂停实施有关公告的公告", "暂停实施。", facts, acted_on=(HOLMIUM, GALLIUM))
    assert verdict.relevant
    assert verdict.matched == ("acts on MOFCOM-2099-1 (rare-earth measure)",)
    assert verdict.elements == ("Ho", "Er")
    assert verdict.control_codes == ("1C909",)
    assert verdict.hs_codes == ("28053019",)


def test_acting_on_a_measure_that_is_not_rare_earth_is_not_relevant() -> None:
    facts = NoticeFacts(
        doc_key="MOFCOM-2025-72",
        kind=NoticeKind.SUSPENSION,
        affects=(Affect("MOFCOM-2024-46", AffectAction.SUSPEND, date(2026, 11, 27), "第二款"),),
    )
    text = "暂停实施的第二款为：镓、锗、锑、超硬材料相关两用物项对美国出口原则上不予许可。"
    verdict = assess(
        "关于暂停实施商务部公告2024年第46号第二款的公告", text, facts, acted_on=(GALLIUM,)
    )
    assert not verdict.relevant


def test_some_stored_verdicts_missing_gives_a_general_reason() -> None:
    facts = _suspension("MOFCOM-2099-1", "MOFCOM-2099-2", "MOFCOM-2099-3")
    verdict = assess("关于暂停实施有关公告的公告", "", facts, acted_on=(HOLMIUM,))
    assert verdict.relevant
    assert verdict.matched == (
        "acts on a rare-earth measure among MOFCOM-2099-1, MOFCOM-2099-2, MOFCOM-2099-3",
    )
    assert "Ho" in verdict.elements


def test_known_rare_earth_measures_without_stored_verdicts() -> None:
    facts = _suspension("MOFCOM-2025-57", "MOFCOM-2025-58")
    verdict = assess("关于暂停实施有关公告的公告", "", facts)
    assert verdict.relevant
    assert verdict.matched == ("acts on MOFCOM-2025-57 (rare-earth measure)",)
    assert verdict.elements == ("Eu", "Ho", "Er", "Tm", "Yb")


def test_commentary_does_not_act_on_measures() -> None:
    facts = NoticeFacts(
        kind=NoticeKind.COMMENTARY, affects=(Affect("MOFCOM-2025-57", AffectAction.SUSPEND),)
    )
    assert not assess("答记者问", "", facts, acted_on=(HOLMIUM,)).relevant


# ---------------------------------------------------------------------------------------
# Watches


RELEVANT = Verdict(
    relevant=True,
    elements=("Dy", "Tb"),
    control_codes=("1C904", "1C905.a", "1E902.b"),
    hs_codes=("2805301200", "28053019"),
    matched=("keyword 稀土",),
)
TEXTS = ("商務部公告 關於釹鐵硼永磁材料", "NdFeB magnets and 稀土")


def test_no_watch_hears_every_relevant_event() -> None:
    assert watch_matches(None, RELEVANT, TEXTS)


@pytest.mark.parametrize(
    "watch",
    [None, Watch(elements=("Dy",)), Watch(keywords=("稀土",)), Watch(control_codes=("1C9*",))],
)
def test_irrelevant_verdicts_never_match(watch: Watch | None) -> None:
    irrelevant = Verdict(relevant=False, elements=("Dy",), control_codes=("1C905",))
    assert not watch_matches(watch, irrelevant, ("稀土",))


@pytest.mark.parametrize(
    ("watch", "hears"),
    [
        (Watch(elements=("Dy",)), True),
        (Watch(elements=("Ho", "Tb")), True),
        (Watch(elements=("Ho",)), False),
        (Watch(control_codes=("1C9*",)), True),
        (Watch(control_codes=("1E902*",)), True),
        (Watch(control_codes=("2B*",)), False),
        (Watch(control_codes=("1C904",)), True),  # exact
        (Watch(control_codes=("1C905",)), True),  # 1C905.a is a sub-item of 1C905
        (Watch(control_codes=("1C904.a",)), True),  # printed 1C904 covers its .a
        (Watch(control_codes=("1E902.a",)), False),  # a sibling sub-item
        (Watch(control_codes=("1C90",)), False),  # no '*': not a prefix match
        (Watch(control_codes=("1C9041",)), False),
        (Watch(hs_codes=("2805*",)), True),
        (Watch(hs_codes=("8505*",)), False),
        (Watch(hs_codes=("2805301200",)), True),
        (Watch(hs_codes=("2805301910",)), True),  # under the printed 8-digit 28053019
        (Watch(hs_codes=("280530",)), True),  # a heading above the printed lines
        (Watch(hs_codes=("2846901993",)), False),
        (Watch(keywords=("钕铁硼",)), True),  # 繁體 text folded to 简体
        (Watch(keywords=("釹鐵硼",)), True),
        (Watch(keywords=("ndfeb",)), True),  # case-free Latin
        (Watch(keywords=("ＮｄＦｅＢ",)), True),  # full width
        (Watch(keywords=("钐钴",)), False),
        (Watch(keywords=("鏑",)), True),  # an element name matches the verdict's element
        (Watch(keywords=("dysprosium",)), True),
        (Watch(keywords=("holmium",)), False),
        (Watch(keywords=("Dy",)), True),  # a symbol names the element too
        (Watch(keywords=("Ho",)), False),
        (Watch(elements=("Ho",), keywords=("稀土",)), True),  # ANY of the lists
        (Watch(), False),  # an empty watch matches nothing
    ],
)  # fmt: skip
def test_watch_rules(watch: Watch, hears: bool) -> None:
    assert watch_matches(watch, RELEVANT, TEXTS) is hears


def test_suspension_reaches_a_holmium_watch_through_the_measure_it_acts_on() -> None:
    facts = _suspension("MOFCOM-2099-1")
    verdict = assess("关于暂停实施有关公告的公告", "暂停实施。", facts, acted_on=(HOLMIUM,))
    assert watch_matches(Watch(elements=("Ho",)), verdict, ("关于暂停实施有关公告的公告",))
    assert watch_matches(Watch(control_codes=("1C909",)), verdict, ())


def test_a_report_naming_a_rare_earth_measure_is_relevant_and_says_so() -> None:
    from monitor.models import NoticeFacts as Facts
    from monitor.models import NoticeKind as Kind

    facts = Facts(kind=Kind.COMMENTARY, mentions=("MOFCOM-2025-18", "MOFCOM-2025-70"),
                  reports="MOFCOM-2025-70")  # fmt: skip
    verdict = assess("市场观察", "第70号公告暂停实施。", facts)
    assert verdict.relevant
    assert verdict.matched[0] == (
        "reports on MOFCOM-2025-70, naming rare-earth measure MOFCOM-2025-18"
    )
    other = Facts(kind=Kind.COMMENTARY, mentions=("MOFCOM-2023-23",), reports="MOFCOM-2023-23")
    assert not assess("镓", "镓出口。", other).relevant


def test_news_naming_rare_earths_in_passing_is_kept_with_its_reasons_but_not_relevant() -> None:
    from monitor.models import NoticeFacts as Facts
    from monitor.models import NoticeKind as Kind

    facts = Facts(kind=Kind.COMMENTARY)
    verdict = assess("镓价周评", "镓价上涨。此前管制还覆盖了稀土。", facts)
    assert not verdict.relevant
    assert verdict.matched == (
        "keyword 稀土",
        "passing mention: rare earths in 1 sentence(s), not the subject",
    )
    subject = assess("稀土出口管制再收紧", "正文。", facts)
    assert subject.relevant and subject.matched[-1] == "subject: rare earths in the headline"


def test_a_report_of_a_rare_earth_notice_is_relevant_whatever_its_words() -> None:
    from monitor.models import NoticeFacts as Facts
    from monitor.models import NoticeKind as Kind

    facts = Facts(kind=Kind.COMMENTARY, mentions=("MOFCOM-2025-70",), reports="MOFCOM-2025-70")
    verdict = assess("两日两度暂停", "第70号公告。前者涉及稀土。", facts,
                     reported=Verdict(relevant=True))  # fmt: skip
    assert verdict.relevant
    assert "reports on MOFCOM-2025-70 (rare-earth relevant)" in verdict.matched
    unrelated = assess("两日两度暂停", "第70号公告。前者涉及稀土。", facts,
                       reported=Verdict(relevant=False))  # fmt: skip
    assert not unrelated.relevant
