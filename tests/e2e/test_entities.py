"""Issue 11 (entities) end to end: a designation notice and a later removal, served by the
replay site and polled by the real CLI, then `regwatch entities --as-of` before and after,
in JSON, FollowTheMoney lines and CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from followthemoney import model

from monitor.replay.site import ReplaySite
from tests.e2e.conftest import REPO, Cli, write_config

pytestmark = pytest.mark.e2e
CORPUS = REPO / "monitor" / "corpus"
ART = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2026/"
PAGES = {  # corpus page → where the replay serves it, and its list date
    "mofcom-2026-11.html": (ART + "art_2f7c1e9a04b34d5e8a6c0b1d9e3f7a11.html", date(2026, 2, 24)),
    "entities/mofcom-2026-23.html": (
        ART + "art_3e8f0c2a9b7d4f61a05c1e27d94b8a13.html",
        date(2026, 4, 15),
    ),
    # The 繁體 copy (as the big5 gateway serves it), here on the www column's path.
    "entities/mofcom-2026-27.big5.html": (
        ART + "art_a94c03e1f27b4d58b6e2c9d01f3a7e60.html",
        date(2026, 6, 10),
    ),
}
GREAT_LAKES = "Great Lakes Acoustics Technologies, LLC"


def publish(site: ReplaySite, page: str) -> None:
    html = (CORPUS / page).read_text(encoding="utf-8")
    title = re.search(r'name="ArticleTitle" content="([^"]+)"', html)
    assert title is not None
    url, day = PAGES[page]
    site.publish(url, html, title=title.group(1), date=day)


@pytest.fixture
def cli(tmp_path: Path, site: ReplaySite, cli_env: dict[str, str]) -> Cli:
    config = write_config(
        tmp_path / "regwatch.toml",
        f"""
[store]
url = "sqlite:///{tmp_path / "regwatch.db"}"

[sources]
enabled = ["mofcom-zcfb"]

[sources.mofcom-zcfb]
base_url = "{site.base_url}"
politeness = 0
retries = 0
recheck = "0s"
""",
    )
    return Cli(config, cli_env)


def entities(cli: Cli, *args: str) -> str:
    result = cli("entities", *args)
    assert result.code == 0, result.stderr
    return result.stdout


def listing(document: dict[str, object], name_en: str) -> dict[str, object]:
    found = [e for e in document["entities"] if e["name_en"] == name_en]  # type: ignore[attr-defined]
    assert len(found) == 1, name_en
    (only,) = found[0]["listings"]
    return only  # type: ignore[no-any-return]


def ftm(text: str) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in text.splitlines()]
    for line in lines:
        proxy = model.get_proxy(line, cleaned=False)
        for prop, values in line["properties"].items():
            assert proxy.get(prop) == values, (prop, values)
    return lines


def test_designation_then_removal_as_of_before_and_after(cli: Cli, site: ReplaySite) -> None:
    publish(site, "mofcom-2026-11.html")
    assert cli("poll", now="2026-02-24T12:00:00+08:00").code == 0  # baseline, silent

    publish(site, "entities/mofcom-2026-23.html")
    polled = cli("poll", now="2026-04-15T11:00:00+08:00")
    assert polled.code == 0, polled.stderr
    (item,) = cli("feed", "--all").json()["items"]
    notice = item["_regwatch"]["notice"]
    assert notice["doc_key"] == "MOFCOM-2026-23"
    assert len(notice["entities"]) == 8
    assert notice["entities"][4] == {
        "name": "五大湖水声技术公司",
        "name_en": GREAT_LAKES,
        "country": "US",
        "list": "control_list",
        "action": "add",
    }

    publish(site, "entities/mofcom-2026-27.big5.html")
    polled = cli("poll", now="2026-06-10T16:00:00+08:00")
    assert polled.code == 0, polled.stderr

    before = json.loads(entities(cli, "--as-of", "2026-06-09"))
    after = json.loads(entities(cli, "--as-of", "2026-06-10"))
    assert before["as_of"] == "2026-06-09"
    assert listing(before, GREAT_LAKES)["status"] == "in_force"
    removed = listing(after, GREAT_LAKES)
    assert (removed["status"], removed["until"]) == ("repealed", "2026-06-09")
    assert removed["measures"] == ["MOFCOM-2026-23", "MOFCOM-2026-27"]
    assert listing(after, "Blue Ridge Missile Systems, Inc.")["status"] == "in_force"
    assert len(before["entities"]) == len(after["entities"]) == 18  # 10 watch + 8 control

    watch = json.loads(entities(cli, "--as-of", "2026-06-10", "--list", "watch_list"))
    assert len(watch["entities"]) == 10
    hits = json.loads(entities(cli, "--as-of", "2026-06-10", "--name", "五大湖水聲"))
    assert hits["entities"][0]["name_en"] == GREAT_LAKES and hits["entities"][0]["score"] >= 90

    lines_before = ftm(entities(cli, "--as-of", "2026-06-09", "--format", "ftm"))
    lines_after = ftm(entities(cli, "--as-of", "2026-06-10", "--format", "ftm"))
    party = next(x for x in lines_after if GREAT_LAKES in x["properties"].get("name", []))  # type: ignore[attr-defined]
    assert "topics" not in party["properties"]  # type: ignore[operator]
    party_before = next(x for x in lines_before if x["id"] == party["id"])
    assert party_before["properties"]["topics"] == ["export.control"]  # type: ignore[index]
    sanction = next(
        x
        for x in lines_after
        if x["schema"] == "Sanction" and x["properties"]["entity"] == [party["id"]]  # type: ignore[index]
    )
    assert sanction["properties"]["endDate"] == ["2026-06-09"]  # type: ignore[index]

    rows_before = list(
        csv.DictReader(io.StringIO(entities(cli, "--as-of", "2026-06-09", "--format", "csv")))
    )
    rows_after = list(
        csv.DictReader(io.StringIO(entities(cli, "--as-of", "2026-06-10", "--format", "csv")))
    )
    assert len(rows_before) == len(rows_after) == 18  # one row per listing
    row = next(r for r in rows_after if r["name_en"] == GREAT_LAKES)
    assert (row["status"], row["until"], row["list"]) == ("repealed", "2026-06-09", "control_list")
    assert next(r for r in rows_before if r["name_en"] == GREAT_LAKES)["status"] == "in_force"


def test_bad_entities_options_are_one_line_errors(cli: Cli) -> None:
    result = cli("entities", "--as-of", "2026-13-01")
    assert result.code == 2 and "--as-of" in result.stderr
    result = cli("entities", "--list", "entity_list")
    assert result.code == 2 and "entity_list" in result.stderr
