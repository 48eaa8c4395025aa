"""Issue 10 end to end: news before the official page (CONTRACT.md "Added in 0.2").

A wire report of MOFCOM Announcement No. 62 of 2025 arrives over RSS while the official list
does not show it yet: `notice.reported` (status reported). The official page a poll later is
the same notice: `notice.new`, status official, one doc_key, every URL. A later report of the
known notice adds its URL and nothing else. `regwatch notice` shows each state.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from monitor.replay.site import ReplaySite
from tests.e2e.conftest import Cli, write_config
from tests.e2e.test_poll_cycle import N18, N62, URLS, feed_ids, publish

pytestmark = pytest.mark.e2e
BEIJING = timezone(timedelta(hours=8))
WIRE = "https://www.globaltimes.cn/page/202510/1345062.shtml"
LATER = "https://www.globaltimes.cn/page/202510/1345177.shtml"
KEY = "MOFCOM-2025-62"


@pytest.fixture
def cli(tmp_path: Path, site: ReplaySite, cli_env: dict[str, str]) -> Cli:
    common = f'base_url = "{site.base_url}"\npoliteness = 0\nretries = 0\nrecheck = "0s"'
    config = write_config(
        tmp_path / "regwatch.toml",
        f"""
[store]
url = "sqlite:///{tmp_path / "regwatch.db"}"

[sources]
enabled = ["mofcom-zcfb", "globaltimes-china"]

[sources.mofcom-zcfb]
{common}

[sources.globaltimes-china]
{common}

[[subscribers]]
name = "ops"
console = true
""",
    )
    return Cli(config, cli_env)


def notice_state(cli: Cli) -> dict[str, object]:
    result = cli("notice", KEY)
    assert result.code == 0, result.stderr
    state: dict[str, object] = result.json()
    return state


def test_news_before_official_is_one_notice_with_every_url(cli: Cli, site: ReplaySite) -> None:
    publish(site, 18, N18, date(2025, 4, 4))
    site.add_rss_item(
        title="Beijing tightens checks on gallium exports",
        link="https://www.globaltimes.cn/page/202510/1345001.shtml",
        published=datetime(2025, 10, 8, 18, 0, tzinfo=BEIJING),
        description="Customs officers stepped up checks on gallium shipments.",
    )
    assert cli("poll", now="2025-10-09T08:00:00+08:00").code == 0  # baseline: silent
    assert cli("notice", KEY).code != 0  # not known yet

    site.add_rss_item(
        title="China puts rare-earth technologies under export control",
        link=WIRE,
        published=datetime(2025, 10, 9, 9, 40, tzinfo=BEIJING),
        description=(
            "BEIJING, Oct. 9 -- China's Ministry of Commerce on Thursday placed rare-earth "
            "mining, smelting and separation and magnet-making technologies under export "
            "control in MOFCOM Announcement No. 62 of 2025, effective on publication."
        ),
    )
    reported = cli("poll", now="2025-10-09T10:00:00+08:00")
    assert reported.code == 0, reported.stderr
    assert feed_ids(cli) == [f"notice.reported {KEY}"]
    first = cli("feed", "--all").json()["items"][0]["_regwatch"]
    assert first["notice"]["status"] == "reported"
    assert first["notice"]["urls"] == [WIRE]
    assert first["rare_earth"]["relevant"] is True
    assert notice_state(cli)["status"] == "reported"

    publish(site, 62, N62, date(2025, 10, 9))
    official = cli("poll", now="2025-10-09T11:00:00+08:00")
    assert official.code == 0, official.stderr
    assert feed_ids(cli) == [f"notice.new {KEY}", f"notice.reported {KEY}"]
    new = cli("feed", "--all").json()["items"][0]["_regwatch"]["notice"]
    assert new["status"] == "official" and new["doc_key"] == KEY
    assert new["doc_number"] == "商务部公告2025年第62号"
    assert new["url"] == URLS[62] and set(new["urls"]) == {URLS[62], WIRE}
    assert new["title_en"].startswith("MOFCOM Announcement No. 62 of 2025")

    site.add_rss_item(
        title="Analysts weigh China's rare-earth technology curbs",
        link=LATER,
        published=datetime(2025, 10, 10, 8, 0, tzinfo=BEIJING),
        description="MOFCOM Announcement No. 62 of 2025 covers extraction and magnet know-how.",
    )
    again = cli("poll", now="2025-10-10T09:00:00+08:00")
    assert again.code == 0, again.stderr
    assert feed_ids(cli) == [f"notice.new {KEY}", f"notice.reported {KEY}"]  # nothing new
    state = notice_state(cli)
    assert state["status"] == "official"
    assert set(state["urls"]) == {URLS[62], WIRE, LATER}  # type: ignore[arg-type]
    versions = state["versions"]
    assert isinstance(versions, list) and [v["version"] for v in versions] == [1, 2]
    assert versions[-1]["url"] == URLS[62]
