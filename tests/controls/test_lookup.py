"""The controls state by item and the hs / code / element lookups (controls/lookup.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from monitor.controls.codes import CodeTable, ControlCode
from monitor.controls.document import controls_json
from monitor.controls.lookup import answer_json, lookup, parse_query
from monitor.controls.state import controls_state
from monitor.models import (
    Affect,
    AffectAction,
    Effective,
    Item,
    MeasureRecord,
    MeasureStatus,
    NoticeFacts,
    NoticeKind,
)

D = date.fromisoformat
NO_TABLE = CodeTable()
MAGNET = Item("1C904.a", "含铽的钕铁硼永磁材料", ("8505111000",), ("Tb",), source="附件1.pdf")
PART = Item(None, "永磁材料零部件", ("85051190",), (), source="附件1.pdf")
SM = Item("1C902.a", "金属钐", ("2805301910",), ("Sm",))


def record(
    key: str, published: str, effective: str, items: tuple[Item, ...] = (), **facts: object
) -> MeasureRecord:
    return MeasureRecord(
        doc_key=key,
        doc_number=f"number of {key}",
        title=f"title of {key}",
        url=f"https://www.mofcom.gov.cn/{key}.html",
        published=D(published),
        facts=NoticeFacts(
            doc_key=key,
            published=D(published),
            effective=(Effective(D(effective), "whole notice"),),
            kind=NoticeKind.CONTROL,
            **facts,  # type: ignore[arg-type]
        ),
        relevant=True,
        items=items,
    )


NO61 = record("MOFCOM-2025-61", "2025-10-09", "2025-12-01", (MAGNET, PART), elements=("Tb",))
NO18 = record(
    "MOFCOM-2025-18",
    "2025-04-04",
    "2025-04-04",
    (SM,),
    control_codes=("1C902", "1C902.a"),
    hs_codes=("2805301910",),
    elements=("Sm",),
)
NO70 = replace(
    record("MOFCOM-2025-70", "2025-11-07", "2025-11-07"),
    facts=NoticeFacts(
        doc_key="MOFCOM-2025-70",
        published=D("2025-11-07"),
        effective=(Effective(D("2025-11-07"), "whole notice"),),
        kind=NoticeKind.SUSPENSION,
        affects=(Affect("MOFCOM-2025-61", AffectAction.SUSPEND, until=D("2026-11-10")),),
    ),
)
COMMENTARY = replace(
    record("https://www.mofcom.gov.cn/qa.html", "2025-10-10", "2025-10-10", (MAGNET,)),
    facts=NoticeFacts(kind=NoticeKind.COMMENTARY, published=D("2025-10-10")),
)
RECORDS = [NO18, NO61, NO70, COMMENTARY]


def test_state_lists_items_in_force_with_doc_key_and_status() -> None:
    before = controls_state(RECORDS, D("2025-11-30"), codes=NO_TABLE)
    assert [(i.item.code, i.doc_key) for i in before.items] == [("1C902.a", "MOFCOM-2025-18")]
    on = controls_state([NO18, NO61], D("2025-12-01"), codes=NO_TABLE)
    assert [i.doc_key for i in on.items] == ["MOFCOM-2025-18", "MOFCOM-2025-61", "MOFCOM-2025-61"]
    items = controls_json(on)["items"]
    assert items[1] == {
        "code": "1C904.a",
        "description": "含铽的钕铁硼永磁材料",
        "description_en": None,
        "hs_codes": ["8505111000"],
        "elements": ["Tb"],
        "source": "附件1.pdf",
        "part": None,
        "notes": "",
        "doc_key": "MOFCOM-2025-61",
        "status": "in_force",
    }


def test_hs_lookup_the_day_before_and_on_the_effective_date() -> None:
    query = parse_query(hs="8505111000")
    before = answer_json(lookup([NO18, NO61], D("2025-11-30"), query, codes=NO_TABLE))
    (measure,) = before["measures"]
    assert measure["doc_key"] == "MOFCOM-2025-61"
    assert measure["status"] == "pending"
    assert measure["matched"] == ["item 1C904.a HS 8505111000"]
    assert [(i["code"], i["status"]) for i in before["items"]] == [("1C904.a", "pending")]
    after = answer_json(lookup([NO18, NO61], D("2025-12-01"), query, codes=NO_TABLE))
    assert after["measures"][0]["status"] == "in_force"
    assert after["query"] == {"hs": "8505111000", "code": None, "element": None}
    suspended = answer_json(lookup(RECORDS, D("2025-12-01"), query, codes=NO_TABLE))
    assert suspended["measures"][0]["status"] == "suspended"


def test_hs_prefix_rule() -> None:
    eight = answer_json(
        lookup(RECORDS, D("2025-12-01"), parse_query(hs="85051110"), codes=NO_TABLE)
    )
    assert eight["measures"][0]["matched"] == ["item 1C904.a HS 8505111000"]
    other = lookup(RECORDS, D("2025-12-01"), parse_query(hs="8505111099"), codes=NO_TABLE)
    assert other.measures == ()  # two different 10-digit codes never match
    heading = lookup(RECORDS, D("2025-12-01"), parse_query(hs="8505119000"), codes=NO_TABLE)
    assert heading.measures[0].matched == ("item 永磁材料零部件 HS 85051190",)


def test_code_and_element_lookups_and_measure_level_matches() -> None:
    by_code = lookup(RECORDS, D("2025-12-01"), parse_query(code="1c902"), codes=NO_TABLE)
    assert [(m.measure.doc_key, m.matched) for m in by_code.measures] == [
        ("MOFCOM-2025-18", ("item 1C902.a",))
    ]
    sub = lookup(RECORDS, D("2025-12-01"), parse_query(code="1C904.A"), codes=NO_TABLE)
    assert [i.item for i in sub.items] == [MAGNET]
    by_element = lookup(RECORDS, D("2025-12-01"), parse_query(element="铽"), codes=NO_TABLE)
    assert by_element.measures[0].matched == ("item 1C904.a element Tb",)
    bare = replace(NO18, items=())
    printed = lookup(
        [bare],
        D("2025-12-01"),
        parse_query(code="1C902.a", hs="28053019", element="samarium"),
        codes=NO_TABLE,
    )
    assert printed.measures[0].matched == (
        "HS 2805301910 in the notice",
        "control code 1C902 in the notice",
        "control code 1C902.a in the notice",
        "element Sm",
    )
    assert (
        lookup(RECORDS, D("2025-12-01"), parse_query(element="Dy"), codes=NO_TABLE).measures == ()
    )


def test_controls_in_answers_are_those_of_matched_measures() -> None:
    table = CodeTable(
        codes={"1C902": ControlCode(code="1C902", description="Sm", notice="MOFCOM-2025-18")}
    )
    answer = lookup(RECORDS, D("2025-12-01"), parse_query(code="1C902"), codes=table)
    assert [c["code"] for c in answer_json(answer)["controls"]] == ["1C902"]
    other = lookup(RECORDS, D("2025-12-01"), parse_query(code="1C904"), codes=table)
    assert other.controls == ()
    hs = lookup(RECORDS, D("2025-12-01"), parse_query(hs="2805301910"), codes=table)
    assert [c.code for c in hs.controls] == ["1C902"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hs": "85A5"}, "hs:"),
        ({"hs": "123"}, "hs:"),
        ({"code": "1C90"}, "code:"),
        ({"element": "Fe"}, "element:"),
    ],
)
def test_bad_queries_name_the_value(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_query(**kwargs)


def test_query_forms() -> None:
    assert parse_query(hs="8505.11.1000") == parse_query(hs="8505111000")
    assert parse_query(element="Dy").element == "Dy"
    assert parse_query(element="Dysprosium").element == "Dy"
    assert not parse_query()
    assert MeasureStatus.PENDING.value == "pending"


def test_a_measure_matches_through_the_hs_lines_and_elements_of_its_list_entries() -> None:
    table = CodeTable(
        codes={
            "1C902": ControlCode(
                code="1C902",
                description="Sm",
                elements=("Sm",),
                hs_codes=("2805301200",),
                notice="MOFCOM-2025-18",
            )
        }
    )
    bare = replace(NO18, items=(), facts=replace(NO18.facts, elements=()))
    hs = lookup([bare], D("2025-12-01"), parse_query(hs="2805301200"), codes=table)
    assert hs.measures[0].matched == ("1C902 HS 2805301200",)
    element = lookup([bare], D("2025-12-01"), parse_query(element="sm"), codes=table)
    assert element.measures[0].matched == ("element Sm",)
    assert (
        lookup([bare], D("2025-12-01"), parse_query(hs="2805301200"), codes=NO_TABLE).measures == ()
    )


def test_element_symbols_in_any_case() -> None:
    assert parse_query(element="dy").element == parse_query(element="DY").element == "Dy"
