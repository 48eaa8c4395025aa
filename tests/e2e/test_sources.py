"""Every bundled definition, pointed by base_url at its replay, through the real CLI.

Baseline → No. 61 of 2025 appears on www, exportcontrol and the English site in one poll
(one doc_key, one notice.new, three real-site URLs) → a Federal Register rule on
rare-earth magnets (its own FR- notice, relevant, classified).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.fetch.browser import chromium_path
from tests.e2e.conftest import Cli, write_config
from tests.support.feed_schema import assert_valid_feed
from tests.support.source_replays import (
    EC_61,
    EN_61,
    FR_MAGNETS,
    N61_EN_TITLE,
    URL_61,
    Replays,
    started_replays,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(chromium_path()).exists(),
                       reason=f"GACC's definition fetches through Chromium; none at {chromium_path()}"),
]  # fmt: skip


@pytest.fixture
def replays() -> Iterator[Replays]:
    with started_replays() as started:
        yield started


@pytest.fixture
def cli(tmp_path: Path, replays: Replays, cli_env: dict[str, str]) -> Cli:
    body = replays.config_toml(f"sqlite:///{tmp_path / 'regwatch.db'}")
    return Cli(write_config(tmp_path / "regwatch.toml", body), cli_env)


def feed(cli: Cli) -> list[dict[str, object]]:
    result = cli("feed", "--all")
    assert result.code == 0, result.stderr
    document = result.json()
    assert_valid_feed(document)
    return list(document["items"])


def test_every_bundled_source_against_its_replay(cli: Cli, replays: Replays) -> None:
    listed = cli("sources", "--available")
    assert listed.code == 0 and len(listed.stdout.splitlines()) == 13
    assert all(" enabled " in line for line in listed.stdout.splitlines()[1:])

    replays.publish_baseline()
    baseline = cli("poll", now="2025-10-09T08:00:00+08:00")
    assert baseline.code == 0, baseline.stderr
    assert feed(cli) == []  # every first poll is a silent baseline
    health = cli("sources", now="2025-10-09T08:01:00+08:00")
    assert health.stdout.count(" ok ") == 12, health.stdout

    replays.publish_61_everywhere()
    replays.federal_register.publish(FR_MAGNETS)
    second = cli("poll", now="2025-10-20T12:00:00+08:00")
    assert second.code == 0, second.stderr
    items = feed(cli)
    events = sorted((i["_regwatch"]["event"], i["_regwatch"]["notice"]["doc_key"])  # type: ignore[index]
                    for i in items)  # fmt: skip
    assert events == [("notice.new", "FR-2025-20871"), ("notice.new", "MOFCOM-2025-61")]

    n61 = next(i for i in items if i["_regwatch"]["notice"]["doc_key"] == "MOFCOM-2025-61")  # type: ignore[index]
    notice = n61["_regwatch"]["notice"]  # type: ignore[index]
    assert sorted(notice["urls"]) == sorted([URL_61, EC_61, EN_61])
    # The authoritative Chinese text is the notice, whichever source was filed first.
    assert notice["url"] in {URL_61, EC_61} and n61["url"] == notice["url"]
    assert notice["title"].startswith("商务部公告2025年第61号")
    assert notice["title_en"] == " ".join(N61_EN_TITLE.split())  # the English copy's title
    assert n61["_regwatch"]["rare_earth"]["relevant"]  # type: ignore[index]
    assert all("127.0.0.1" not in url for url in notice["urls"])

    rule = next(i for i in items if i["_regwatch"]["notice"]["doc_key"] == "FR-2025-20871")  # type: ignore[index]
    verdict = rule["_regwatch"]["rare_earth"]  # type: ignore[index]
    assert verdict["relevant"] and {"Dy", "Tb"} <= set(verdict["elements"])
    fr_notice = rule["_regwatch"]["notice"]  # type: ignore[index]
    assert fr_notice["effective"] == [{"from": "2025-11-01", "scope": "whole notice"}]
    assert fr_notice["url"].startswith("https://www.federalregister.gov/documents/2025/10/20/")
    assert fr_notice["kind"] in {"control", "other", "license", "adjustment"}

    again = cli("poll", now="2025-10-20T13:00:00+08:00")
    assert again.code == 0, again.stderr
    assert len(feed(cli)) == 2  # nothing new: nothing announced twice
