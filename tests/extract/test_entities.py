"""Parties read from designation notices in 简体, 繁體 and English (extract/entities.py)."""

from __future__ import annotations

import sys
import time
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.extract.entities import MAX_LINE, country_in, extract_entities
from monitor.models import EntityAction, EntityList, EntityRow

CONTROL_TITLE = "商务部公告2026年第23号 关于将3家美国实体列入出口管制管控名单的公告"


def rows(title: str, *lines: str) -> tuple[EntityRow, ...]:
    return extract_entities(title, "\n".join(lines))


def test_numbered_chinese_names_with_english_in_brackets_addresses_and_alt_names() -> None:
    got = rows(
        CONTROL_TITLE,
        "商务部决定将下列3家美国实体列入出口管制管控名单：",
        "1.蓝岭导弹系统公司（Blue Ridge Missile Systems, Inc.）",
        "地址：美国弗吉尼亚州阿灵顿县威尔逊大道1400号（1400 Wilson Boulevard, VA 22209, USA）",
        "2．卡斯卡特航空电子有限责任公司 (Cascade Avionics LLC)；",
        "地址：美国华盛顿州埃弗里特市机场路9100号；美国俄勒冈州波特兰市河滨路5号",
        "常用名称：卡斯卡特航电、Cascade Avionics Group",
        "（3）铁杉无人系统公司（Hemlock Unmanned Systems Inc.）及其分支机构",
        "本公告自公布之日起正式实施。",
    )
    assert [(r.name, r.name_en) for r in got] == [
        ("蓝岭导弹系统公司", "Blue Ridge Missile Systems, Inc."),
        ("卡斯卡特航空电子有限责任公司", "Cascade Avionics LLC"),
        ("铁杉无人系统公司", "Hemlock Unmanned Systems Inc."),
    ]
    assert {(r.list_, r.action) for r in got} == {(EntityList.CONTROL_LIST, EntityAction.ADD)}
    assert got[0].addresses == (
        "美国弗吉尼亚州阿灵顿县威尔逊大道1400号（1400 Wilson Boulevard, VA 22209, USA）",
    )
    assert got[1].addresses == (
        "美国华盛顿州埃弗里特市机场路9100号",
        "美国俄勒冈州波特兰市河滨路5号",
    )
    assert got[1].alt_names == ("卡斯卡特航电", "Cascade Avionics Group")
    assert [r.country for r in got] == ["US", "US", "US"]  # address, address, header
    assert all(r.until is None for r in got)


def test_traditional_script_is_read_and_printed_as_printed() -> None:
    got = rows(
        "商務部公告2026年第27號 關於將2家美國實體移出出口管制管控名單的公告",
        "2026年4月15日，商務部發佈2026年第23號公告，將8家美國實體列入出口管制管控名單。",
        "經審查，商務部決定將下列實體移出出口管制管控名單：",
        "1.五大湖水聲技術公司（Great Lakes Acoustics Technologies, LLC）",
        "常用名稱：五大湖水聲",
    )
    assert got == (
        EntityRow(
            name="五大湖水聲技術公司",
            name_en="Great Lakes Acoustics Technologies, LLC",
            list_=EntityList.CONTROL_LIST,
            action=EntityAction.REMOVE,
            country="US",
            alt_names=("五大湖水聲",),
        ),
    )


def test_english_pages_number_names_under_a_header() -> None:
    got = rows(
        "Announcement [2026] No. 3 on Removing 2 Foreign Entities from the Unreliable Entity List",
        "On October 9, 2025, the working mechanism added 14 foreign entities to the list.",
        "The working mechanism has decided to remove the following 2 entities from the "
        "Unreliable Entity List:",
        "1. Braxton Avionics Corporation",
        "Address: 12 Harbor Road, Portland, Maine 04101, United States",
        "2. Farwatch Drones Inc. (also known as: Farwatch)",
        "3. Kestrel Optics (Hong Kong) Limited",
        "4. Export operators shall stop such trade immediately",
        "5. Westmark Holdings",
    )
    assert [(r.name, r.name_en, r.alt_names) for r in got] == [
        ("Braxton Avionics Corporation", "Braxton Avionics Corporation", ()),
        ("Farwatch Drones Inc.", "Farwatch Drones Inc.", ("Farwatch",)),
        ("Kestrel Optics (Hong Kong) Limited", "Kestrel Optics (Hong Kong) Limited", ()),
    ]  # the clause ends the block: 5. is not read
    assert {(r.list_, r.action) for r in got} == {
        (EntityList.UNRELIABLE_ENTITY, EntityAction.REMOVE)
    }
    assert [r.country for r in got] == ["US", None, None]


def test_english_titles_name_the_action_in_any_form() -> None:
    line = ("Annex: the entity", "1. Mesa Defense Analytics Corporation")
    adding = rows("Announcement on Adding 1 Entity to the Export Control Watch List", *line)
    removing = rows("Announcement on Removing 1 Entity from the Export Control Watch List", *line)
    assert [(r.list_, r.action) for r in (*adding, *removing)] == [
        (EntityList.WATCH_LIST, EntityAction.ADD),
        (EntityList.WATCH_LIST, EntityAction.REMOVE),
    ]


def test_english_header_country_from_demonym() -> None:
    got = rows(
        "MOFCOM Announcement No. 23 of 2026 on Adding 2 U.S. Entities to the Export Control "
        "Control List",
        "Annex: entities added to the Export Control Control List (2)",
        "1. Mesa Defense Analytics Corporation",
        "2. Ten words is fine here but this line has far too many words to be a name",
        "3. 海湾战术训练集团",
    )
    assert [(r.name, r.country) for r in got] == [("Mesa Defense Analytics Corporation", "US")]


def test_a_numbered_line_without_letters_ends_the_block() -> None:
    got = rows(
        "关于将实体列入管控名单的公告",
        "决定将下列实体列入管控名单：",
        "1. Alpha Corp.",
        "2. 2026-07-01",
        "3. Beta Corp.",
    )
    assert [r.name for r in got] == ["Alpha Corp."]


def test_a_numbered_chinese_line_without_brackets_inside_a_block() -> None:
    got = rows(
        "关于对美国军工企业采取反制措施的决定",
        "决定对下列美国军工企业及其高级管理人员采取反制措施：",
        "1.北极星海防系统公司",
        "2.理查德·汤普森（Richard Thompson），北极星海防系统公司首席执行官",
        "国别：美国",
        "3.冻结上述企业在中国境内的动产，不动产",
    )
    assert [(r.name, r.name_en, r.country) for r in got] == [
        ("北极星海防系统公司", None, "US"),
        ("理查德·汤普森", "Richard Thompson", "US"),
    ]
    assert {r.list_ for r in got} == {EntityList.COUNTERMEASURE}


def test_english_name_first_with_chinese_in_brackets_and_chinese_aliases() -> None:
    got = rows(
        "关于将有关实体列入不可靠实体清单的公告",
        "1.Dedrone by Axon（德卓恩公司）",
        "2.泰科因赛茨公司（简称泰科）",
        "3.某某公司（2025）",
    )
    assert [(r.name, r.name_en, r.alt_names) for r in got] == [
        ("德卓恩公司", "Dedrone by Axon", ()),
        ("泰科因赛茨公司", None, ("泰科",)),
    ]
    assert {r.list_ for r in got} == {EntityList.UNRELIABLE_ENTITY}


def test_clauses_with_brackets_are_not_parties() -> None:
    got = rows(
        CONTROL_TITLE,
        "1.禁止出口经营者向上述实体出口两用物项，正在开展的相关出口活动应当立即停止（Stop）",
        "2.Exporters shall (in principle) not export to them",
        "3." + "很长的名称" * 20 + "（Long Name Ltd.）",
    )
    assert got == ()


def test_suspension_until_a_printed_date_or_for_a_period() -> None:
    title = "关于对管控名单所列部分美国实体暂停实施管控措施的公告"
    line = "1.梅萨防务分析公司（Mesa Defense Analytics Corporation）"
    until = {
        "自即日起至2026年11月10日暂停实施对下列实体的管控措施：": date(2026, 11, 10),
        "自2026年7月1日起，对下列实体暂停实施相关管控措施，为期一年：": date(2027, 6, 30),
        "自2026年1月31日起，对下列实体暂停实施相关措施，为期1个月：": date(2026, 2, 27),
        "自2026年3月31日起，对下列实体暂停实施相关措施，为期两个月：": date(2026, 5, 30),
        "自2026年8月12日起，对下列实体继续暂停实施相关措施，为期90天：": date(2026, 11, 9),
        "From 12 August 2026 the measures on the entities below are suspended for 90 days:": date(
            2026, 11, 9
        ),
        "对下列实体暂停实施相关措施，为期一年：": None,
        "自2026年13月40日起，对下列实体暂停实施相关措施，为期一年：": None,
    }
    for header, expected in until.items():
        (got,) = rows(title, header, line)
        assert got.action is EntityAction.SUSPEND, header
        assert got.until == expected, header
    (added,) = rows(title, "自2026年7月1日起至2027年6月30日，将下列实体列入管控名单：", line)
    assert added.action is EntityAction.ADD and added.until is None


def test_add_header_after_a_suspension_clears_its_end_date() -> None:
    got = rows(
        "关于管控名单的公告",
        "对下列实体暂停实施管控措施至2026年11月10日：",
        "1.甲公司（Alpha Corp.）",
        "决定将下列实体列入管控名单：",
        "2.乙公司（Beta Corp.）",
        "决定将下列实体移出关注名单：",
        "3.丙公司（Gamma Corp.）",
    )
    assert [(r.list_, r.action, r.until) for r in got] == [
        (EntityList.CONTROL_LIST, EntityAction.SUSPEND, date(2026, 11, 10)),
        (EntityList.CONTROL_LIST, EntityAction.ADD, None),
        (EntityList.WATCH_LIST, EntityAction.REMOVE, None),
    ]


def test_no_list_or_no_action_means_no_rows() -> None:
    assert rows("关于实体的公告", "1.甲公司（Alpha Corp.）") == ()
    assert rows("关于管控名单的说明", "1.甲公司（Alpha Corp.）") == ()
    assert rows("关于将实体列入的公告", "1.甲公司（Alpha Corp.）") == ()


def test_field_lines_need_a_party_before_them() -> None:
    got = rows(
        CONTROL_TITLE,
        "地址：美国某地",
        "决定将下列实体列入管控名单：",
        "常用名称：无主",
        "1.甲公司（Alpha Corp.）",
        "国家：Atlantis",
    )
    assert [(r.name, r.alt_names, r.addresses, r.country) for r in got] == [
        ("甲公司", (), (), "US")  # 国家 names no known country: the header's stays
    ]


def test_long_lines_and_expanding_characters_are_safe() -> None:
    got = rows(
        CONTROL_TITLE,
        "说明…" + "甲" * (MAX_LINE + 10),
        "决定将下列实体列入管控名单：",
        "1.甲…精工（Alpha Seiko K.K.）",
        "地址：日本东京都…港区1号",
    )
    assert [(r.name, r.name_en, r.addresses, r.country) for r in got] == [
        ("甲…精工", "Alpha Seiko K.K.", ("日本东京都…港区1号",), "JP")
    ]


def test_country_in_addresses_in_three_scripts() -> None:
    assert country_in("德国不来梅市港口大街27号（Hafenstraße 27, Bremen, Germany）") == "DE"
    assert country_in("日本東京都港區芝浦四丁目8番2號") == "JP"
    assert country_in("Rue de la Loi 61, 1040 Brussels, BELGIUM") == "BE"
    assert country_in("10 Downing Street, London, UK") == "GB"
    assert country_in("1600 Pennsylvania Ave, Washington, DC 20500, U.S.") == "US"
    assert country_in("Suite 5, 1 Main St, Auckland, New Zealand (formerly in 澳大利亚)") == "NZ"
    assert country_in("Berlin; also 柏林 in Germany") == "DE"
    assert country_in("Ukiah, CA") is None  # "uk" inside a word, case-sensitive short forms
    assert country_in("某地某街1号") is None


MIXED_LINES = (
    "1.蓝岭导弹系统公司（Blue Ridge Missile Systems, Inc.）",
    "地址：美国弗吉尼亚州阿灵顿县威尔逊大道1400号",
    "常用名稱：卡斯卡特航電；Cascade",
    "決定將下列實體列入出口管制管控名單：",
    "2. Farwatch Drones Inc. (also known as: Farwatch (HK) ((",
    "商务部决定，自2026年7月1日起，对下列3家美国实体暂停实施相关管控措施，为期一年：",
    "((((((((((((((((((((((((((((((((((((((((",
    "1." + "（" * 60 + "A" * 60,
    "Address: " + "; " * 80,
    "1. " + "word " * 40,
)


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(MIXED_LINES),
            st.text(alphabet="1.（）()：:；;、 Aa中國美国entitys列入移出暂停\n", max_size=400),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_100_kb_of_mixed_input_parses_in_well_under_100_ms(parts: list[str]) -> None:
    """Linear time: no input shape makes a regex backtrack (CPU time, measured)."""
    chunk = "\n".join(parts)
    text = (chunk * (100_000 // max(len(chunk), 1) + 1))[:100_000]
    extract_entities("关于将实体列入管控名单的公告", text)  # warm the fold caches
    started = time.process_time()
    extract_entities("关于将实体列入管控名单的公告", text + "\n")
    # Under a coverage tracer every line costs several times more: allow for it.
    assert time.process_time() - started < (0.1 if sys.gettrace() is None else 0.5)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(max_size=60))
def test_any_text_gives_rows_or_nothing_never_an_error(text: str, title: str) -> None:
    for row in extract_entities(title + "列入管控名单", "决定将下列实体列入管控名单：\n" + text):
        assert row.name.strip() == row.name and row.name
        assert row.country is None or len(row.country) == 2
