"""Finding parties by name in any script, with a score (controls/entity_search.py)."""

from __future__ import annotations

from monitor.controls.entity_search import MIN_SCORE, search
from monitor.controls.listings import entities_json, entities_state
from monitor.models import EntityList
from tests.controls.entity_records import D, story

STATE = entities_state(story(), D("2026-07-01"))


def names(query: str) -> list[str]:
    return [e.name for e in search(STATE, name=query).entities]


def test_traditional_simplified_and_english_spellings_find_the_same_party() -> None:
    for query in ("五大湖水聲技術公司", "五大湖水声技术", "GREAT LAKES ACOUSTICS", "great-lakes"):
        assert names(query)[0] == "五大湖水声技术公司", query


def test_misspelt_transliterations_and_aliases_still_match() -> None:
    assert names("Hemlok Unmaned Systems")[0] == "铁杉无人系统公司"
    assert names("Cascade Avionics Group")[0] == "卡斯卡特航空电子有限责任公司"
    assert names("卡斯卡特航電")[0] == "卡斯卡特航空电子有限责任公司"


def test_scores_are_reported_best_first_and_noise_is_dropped() -> None:
    found = search(STATE, name="Blue Ridge Missile Systems").entities
    assert found[0].name_en == "Blue Ridge Missile Systems, Inc."
    assert found[0].score == 100.0  # the legal form (Inc.) is not part of what one types
    assert all(e.score is not None and e.score >= MIN_SCORE for e in found)
    assert [e.score for e in found] == sorted((e.score or 0 for e in found), reverse=True)
    assert entities_json(search(STATE, name="Blue Ridge"))["entities"][0]["score"] >= MIN_SCORE
    assert names("Völlig Unbekannte Handelsgesellschaft") == []
    assert names("  ,. ") == []
    assert search(STATE, name="").entities == ()


def test_list_filter_keeps_only_that_lists_listings() -> None:
    uel = search(STATE, list_=EntityList.UNRELIABLE_ENTITY).entities
    assert len(uel) == 14
    assert {x.list_ for e in uel for x in e.listings} == {EntityList.UNRELIABLE_ENTITY}
    assert search(STATE, list_=EntityList.WATCH_LIST).entities == ()
    both = search(STATE, list_=EntityList.CONTROL_LIST, name="Redwood Satellite").entities
    assert [e.name for e in both] == ["红木卫星通信公司"]
