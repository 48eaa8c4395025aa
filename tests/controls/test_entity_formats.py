"""FollowTheMoney lines (checked with followthemoney's own model) and CSV rows."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from typing import Any

from followthemoney import model

from monitor.controls.entity_formats import (
    CSV_COLUMNS,
    csv_text,
    ftm_lines,
    ftm_text,
    schema_for,
)
from monitor.controls.entity_search import search
from monitor.controls.listings import EntityState, entities_state
from tests.controls.entity_records import D, page_records, story

STATE = entities_state(story(), D("2026-07-01"))


def assert_valid_ftm(line: dict[str, Any]) -> None:
    """followthemoney accepts the entity and keeps every value we gave (none cleaned away)."""
    proxy = model.get_proxy(line, cleaned=False)
    assert proxy.schema.name == line["schema"]
    assert proxy.id == line["id"]
    for prop, values in line["properties"].items():
        assert prop in proxy.schema.properties, (line["schema"], prop)
        assert proxy.get(prop) == values, (prop, proxy.get(prop), values)
    cleaned = model.get_proxy(line, cleaned=True)
    for prop, values in line["properties"].items():
        assert sorted(cleaned.get(prop)) == sorted(values), (prop, cleaned.get(prop))


def test_every_ftm_line_is_a_valid_followthemoney_entity() -> None:
    lines = ftm_lines(STATE)
    for line in lines:
        assert_valid_ftm(line)
    assert ftm_text(STATE).splitlines() == [json.dumps(x, ensure_ascii=False) for x in lines]


def test_a_party_and_its_listing_in_ftm() -> None:
    lines = {line["id"]: line for line in ftm_lines(STATE)}
    blue = next(
        x
        for x in lines.values()
        if "Blue Ridge Missile Systems, Inc." in x["properties"].get("name", [])
    )
    assert blue["schema"] == "Company"
    assert blue["properties"]["name"] == ["蓝岭导弹系统公司", "Blue Ridge Missile Systems, Inc."]
    assert blue["properties"]["country"] == ["us"]
    assert blue["properties"]["topics"] == ["export.control"]
    assert blue["properties"]["address"][0].startswith("美国弗吉尼亚州")
    (sanction,) = [x for x in lines.values() if x["properties"].get("entity") == [blue["id"]]]
    assert sanction["schema"] == "Sanction"
    assert sanction["properties"]["startDate"] == ["2026-04-15"]
    assert sanction["properties"]["status"] == ["in_force"]
    assert sanction["properties"]["recordId"] == ["MOFCOM-2026-23"]


def test_repealed_and_suspended_listings_carry_no_topic_but_keep_their_sanction() -> None:
    lines = ftm_lines(STATE)
    redwood = next(
        x
        for x in lines
        if "Redwood Satellite Communications Co." in x["properties"].get("name", [])
    )
    assert "topics" not in redwood["properties"]
    (sanction,) = [x for x in lines if x["properties"].get("entity") == [redwood["id"]]]
    assert sanction["properties"]["status"] == ["repealed"]
    assert sanction["properties"]["endDate"] == ["2026-06-09"]


def test_schema_follows_the_name() -> None:
    base = STATE.entities[0]

    def named(name: str, name_en: str | None = None) -> EntityState:
        return replace(base, name=name, name_en=name_en)

    assert schema_for(named("理查德·汤普森", "Richard Thompson")) == "Person"
    assert schema_for(named("北极星海防系统公司")) == "Company"
    assert schema_for(named("Nordljus Radar AB", "Nordljus Radar AB")) == "Company"
    assert (
        schema_for(named("阿巴拉契亚光电研究所", "Appalachian Electro-Optics Institute"))
        == "Organization"
    )
    assert schema_for(named("韦斯特莱克安全咨询集团", None)) == "Company"
    assert schema_for(named("Dedrone by Axon", "Dedrone by Axon")) == "LegalEntity"


def test_countermeasure_persons_validate_as_ftm_people() -> None:
    state = entities_state(page_records("mofcom-2026-19.big5"), D("2026-03-20"))
    lines = ftm_lines(state)
    people = [x for x in lines if x["schema"] == "Person"]
    assert [p["properties"]["name"] for p in people] == [
        ["理查德·湯普森", "Richard Thompson"],
        ["瑪格麗特·奧康納", "Margaret O'Connor"],
    ]
    assert {tuple(p["properties"]["topics"]) for p in people} == {("sanction.counter",)}
    for line in lines:
        assert_valid_ftm(line)


def test_csv_has_one_row_per_listing() -> None:
    rows = list(csv.DictReader(io.StringIO(csv_text(STATE))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == sum(len(e.listings) for e in STATE.entities) == 22
    cascade = next(r for r in rows if r["name_en"] == "Cascade Avionics LLC")
    assert cascade["status"] == "suspended" and cascade["until"] == "2027-06-30"
    assert cascade["alt_names"] == "卡斯卡特航电; Cascade Avionics Group"
    assert cascade["measures"] == "MOFCOM-2026-23; MOFCOM-2026-28"
    assert cascade["score"] == ""
    found = list(csv.DictReader(io.StringIO(csv_text(search(STATE, name="Cascade Avionics")))))
    assert float(found[0]["score"]) >= 90
