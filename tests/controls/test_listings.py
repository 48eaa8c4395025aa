"""The lists of parties on a date (controls/listings.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from monitor.controls.listings import (
    EntityState,
    entities_json,
    entities_state,
    name_key,
)
from monitor.models import (
    Effective,
    EntityAction,
    EntityList,
    EntityRecord,
    EntityRow,
    MeasureStatus,
)
from tests.controls.entity_records import D, page_records, story


def by_name(entities: tuple[EntityState, ...], name_en: str) -> EntityState:
    return next(e for e in entities if e.name_en == name_en)


def test_name_key_folds_scripts_case_accents_and_punctuation() -> None:
    assert name_key("五大湖水聲技術公司") == name_key("五大湖水声技术公司")
    assert name_key("Aquitaine Propulsion Aéronautique SAS") == "aquitainepropulsionaeronautiquesas"
    assert name_key(" Great-Lakes  Acoustics, LLC ") == name_key("great lakes acoustics llc")


def test_before_the_first_notice_nobody_is_listed() -> None:
    assert entities_state(story(), D("2025-10-08")).entities == ()


def test_a_designation_lists_its_parties_in_force_from_its_date() -> None:
    state = entities_state(story(), D("2026-04-15"))
    control = [e for e in state.entities if e.listings[0].list_ is EntityList.CONTROL_LIST]
    assert len(control) == 8
    blue = by_name(state.entities, "Blue Ridge Missile Systems, Inc.")
    assert blue.name == "蓝岭导弹系统公司" and blue.country == "US"
    (listing,) = blue.listings
    assert (listing.status, listing.from_, listing.until) == (
        MeasureStatus.IN_FORCE,
        D("2026-04-15"),
        None,
    )
    assert listing.doc_key == "MOFCOM-2026-23" and listing.measures == ("MOFCOM-2026-23",)


def test_a_removal_in_another_script_repeals_the_listing_with_its_last_day() -> None:
    before = entities_state(story(), D("2026-06-09"))
    after = entities_state(story(), D("2026-06-10"))
    name = "Great Lakes Acoustics Technologies, LLC"
    assert by_name(before.entities, name).listings[0].status is MeasureStatus.IN_FORCE
    gone = by_name(after.entities, name)
    assert gone.name == "五大湖水声技术公司"  # as first printed (简体), not the 繁體 removal
    assert gone.alt_names == ()  # the 繁體 spelling is the same name, not an alias
    (listing,) = gone.listings
    assert (listing.status, listing.until) == (MeasureStatus.REPEALED, D("2026-06-09"))
    assert listing.measures == ("MOFCOM-2026-23", "MOFCOM-2026-27")
    kept = by_name(after.entities, "Blue Ridge Missile Systems, Inc.")
    assert kept.listings[0].status is MeasureStatus.IN_FORCE


def test_a_suspension_runs_to_its_printed_end_then_the_listing_applies_again() -> None:
    name = "Cascade Avionics LLC"
    statuses = {
        day: by_name(entities_state(story(), D(day)).entities, name).listings[0]
        for day in ("2026-06-30", "2026-07-01", "2027-06-30", "2027-07-01")
    }
    assert statuses["2026-06-30"].status is MeasureStatus.IN_FORCE
    assert (statuses["2026-07-01"].status, statuses["2026-07-01"].until) == (
        MeasureStatus.SUSPENDED,
        D("2027-06-30"),
    )
    assert statuses["2027-06-30"].status is MeasureStatus.SUSPENDED
    assert (statuses["2027-07-01"].status, statuses["2027-07-01"].until) == (
        MeasureStatus.IN_FORCE,
        None,
    )


def test_an_english_removal_acts_on_a_chinese_listing() -> None:
    state = entities_state(story(), D("2026-03-02"))
    uel = [e for e in state.entities if e.listings[0].list_ is EntityList.UNRELIABLE_ENTITY]
    assert len(uel) == 14
    braxton = by_name(uel, "Braxton Avionics Corporation")
    assert braxton.name == "布拉克斯顿航电公司"
    assert (braxton.listings[0].status, braxton.listings[0].until) == (
        MeasureStatus.REPEALED,
        D("2026-03-01"),
    )
    assert by_name(uel, "Dedrone by Axon").listings[0].status is MeasureStatus.IN_FORCE


def row(
    name: str, action: EntityAction, list_: EntityList = EntityList.WATCH_LIST, **kw: object
) -> EntityRow:
    return EntityRow(name=name, name_en=None, list_=list_, action=action, **kw)  # type: ignore[arg-type]


def record(doc_key: str, day: str, entity_row: EntityRow, **kw: object) -> EntityRecord:
    return EntityRecord(
        doc_key=doc_key,
        doc_number=None,
        url=f"https://www.mofcom.gov.cn/{doc_key}.html",
        published=D(day),
        effective=(),
        row=entity_row,
        **kw,  # type: ignore[arg-type]
    )


def test_pending_listing_open_suspension_unknown_removal_and_relisting() -> None:
    add = EntityAction.ADD
    records = [
        replace(
            record("A-1", "2026-01-01", row("甲公司", add)),
            effective=(
                Effective(D("2026-02-01"), "第二款"),
                Effective(D("2026-03-01"), "whole notice"),
            ),
        ),
        record("A-2", "2026-01-05", row("乙公司", add, country="JP", addresses=("日本东京",))),
        record("A-3", "2026-01-06", row("乙公司", add, alt_names=("乙",), addresses=("日本东京",))),
        record("A-4", "2026-01-07", row("乙", EntityAction.SUSPEND)),  # no end printed
        record("A-5", "2026-01-08", row("丙公司", EntityAction.REMOVE)),  # never listed
        record("A-6", "2026-01-09", row("乙公司", add, EntityList.CONTROL_LIST)),
        record("A-7", "2026-01-10", row("乙公司", EntityAction.REMOVE, EntityList.COUNTERMEASURE)),
        record("A-8", "2026-01-11", row("丁公司", add, EntityList.COUNTERMEASURE)),
        record("A-9", "2026-01-12", row("丁公司", EntityAction.REMOVE, EntityList.CONTROL_LIST)),
        record("A-10", "2026-01-13", row("丁公司", add, EntityList.COUNTERMEASURE)),
        replace(record("A-11", "2000-01-01", row("戊公司", add)), published=None),
    ]
    state = entities_state(records, D("2026-01-31"))
    names = [e.name for e in state.entities]
    assert names == ["戊公司", "乙公司", "丁公司", "甲公司"]  # by the day each acts from
    second, fourth, first = state.entities[1], state.entities[2], state.entities[3]
    assert first.listings[0].status is MeasureStatus.PENDING
    assert first.listings[0].from_ == D("2026-03-01")
    assert second.alt_names == ("乙",) and second.addresses == ("日本东京",)
    assert second.country == "JP"
    watch, control = second.listings
    assert watch.measures == ("A-2", "A-3", "A-4")
    assert (watch.status, watch.until) == (MeasureStatus.SUSPENDED, None)
    assert control.status is MeasureStatus.IN_FORCE and control.measures == ("A-6",)
    assert [(x.status, x.doc_key) for x in fourth.listings] == [
        (MeasureStatus.REPEALED, "A-8"),
        (MeasureStatus.IN_FORCE, "A-10"),
    ]
    assert state.entities[0].listings[0].from_ == date.min


def test_ids_are_stable_and_the_json_has_the_contract_shape() -> None:
    once = entities_state(story(), D("2026-07-01"))
    again = entities_state(list(reversed(story())), D("2026-07-01"))
    assert [e.id for e in once.entities] == [e.id for e in again.entities]
    assert len({e.id for e in once.entities}) == len(once.entities)
    document = entities_json(once)
    assert document["as_of"] == "2026-07-01"
    cascade = next(e for e in document["entities"] if e["name_en"] == "Cascade Avionics LLC")
    assert cascade == {
        "id": cascade["id"],
        "name": "卡斯卡特航空电子有限责任公司",
        "name_en": "Cascade Avionics LLC",
        "alt_names": ["卡斯卡特航电", "Cascade Avionics Group"],
        "country": "US",
        "addresses": ["美国华盛顿州埃弗里特市机场路9100号"],
        "listings": [
            {
                "list": "control_list",
                "status": "suspended",
                "from": "2026-04-15",
                "until": "2027-06-30",
                "doc_key": "MOFCOM-2026-23",
                "url": page_records("mofcom-2026-23")[0].url,
                "measures": ["MOFCOM-2026-23", "MOFCOM-2026-28"],
            }
        ],
    }
    assert "score" not in cascade
