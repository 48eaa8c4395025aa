"""Crash safety of delivery, with real processes: `regwatch poll` is SIGKILLed at a failpoint
(REGWATCH_FAILPOINT) and run again. Slack is the stand-in (slack-sdk's own WebClient talks
to it), email is aiosmtpd; MOFCOM is the loopback replay of its 政策发布 column.

- killed right after the poll's commit: nothing was sent; the next run delivers every event
  exactly once, and the digest of the day lists each of them once;
- killed after Slack answered ok but before the row was marked sent: the row is sent again
  once its claim expires — at most one duplicate, recognisable by its metadata event_id.
"""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from monitor.replay.site import ReplaySite, render_detail_page
from monitor.replay.slack import SlackStandIn
from tests.e2e.conftest import Cli, write_config
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.e2e
BEIJING = timezone(timedelta(hours=8))
ART = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/"
TOKEN = "xoxb-e2e-crash-test-token"
KILLED = -signal.SIGKILL


def page(number: int, title: str, paragraphs: list[str], when: datetime) -> tuple[str, str]:
    doc_number = f"商务部公告2025年第{number}号"
    html = render_detail_page(
        title=f"{doc_number} {title}",
        doc_number=doc_number,
        issuing_unit="安全与管制局",
        pub=when,
        paragraphs=paragraphs,
    )
    return f"{doc_number} {title}", html


NOTICES = {
    18: (
        ART + "art_9c2108ccaf754f22a34abab2fedaa944.html",
        date(2025, 4, 4),
        page(
            18,
            "关于对部分中重稀土相关物项实施出口管制的决定",
            [
                "决定对钐、钆、铽、镝、镥、钪、钇等7类中重稀土相关物项实施出口管制。",
                "1C902 钐相关物项。",
                "本公告自公布之日起正式实施。",
            ],
            datetime(2025, 4, 4, 18, 0, tzinfo=BEIJING),
        ),
    ),
    61: (
        ART + "art_0c61e2e1a0b94c3d8e7f6a5b4c3d2e61.html",
        date(2025, 10, 9),
        page(
            61,
            "公布对境外相关稀土物项实施出口管制的决定",
            [
                "境外出口经营者将含有中国原产稀土成分且价值比例达到0.1%及以上的物项再出口的，应当申请两用物项出口许可证。",
                "本公告自公布之日起实施。",
            ],
            datetime(2025, 10, 9, 9, 30, tzinfo=BEIJING),
        ),
    ),
    62: (
        ART + "art_0d62f3f2b1ca4d4e9f8a7b6c5d4e3f62.html",
        date(2025, 10, 9),
        page(
            62,
            "公布对稀土相关技术实施出口管制的决定",
            [
                "决定对稀土开采、冶炼分离、金属冶炼、磁材制造相关技术及其载体实施出口管制（1E902.a）。",
                "本公告自公布之日起正式实施。",
            ],
            datetime(2025, 10, 9, 9, 30, tzinfo=BEIJING),
        ),
    ),
}


def publish(site: ReplaySite, number: int) -> None:
    url, day, (title, html) = NOTICES[number]
    site.publish(url, html, title=title, date=day)


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(TOKEN) as standin:
        yield standin


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def cli(
    tmp_path: Path, site: ReplaySite, slack: SlackStandIn, smtp: SmtpServer, cli_env: dict[str, str]
) -> Cli:
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
recheck = "0s"

[slack]
token_env = "REGWATCH_E2E_SLACK_TOKEN"
api_url = "{slack.api_url}"

[email]
host = "127.0.0.1"
port = {smtp.port}
sender = "regwatch@example.test"
starttls = false

[[subscribers]]
name = "magnets"
slack_channel = "#ree-alerts"
email = ["magnets-team@example.test"]
timezone = "Asia/Shanghai"
digest_at = "08:00"
""",
    )
    return Cli(config, {**cli_env, "REGWATCH_E2E_SLACK_TOKEN": TOKEN})


def posted_event_ids(slack: SlackStandIn) -> Counter[str]:
    return Counter(m.metadata["event_payload"]["event_id"] for m in slack.messages if m.metadata)


def baseline_then_two_new_notices(cli: Cli, site: ReplaySite) -> None:
    publish(site, 18)
    first = cli("poll", now="2025-10-09T08:00:00+08:00")
    assert first.code == 0, first.stderr
    publish(site, 61)
    publish(site, 62)


def test_killed_after_the_poll_commit_delivers_every_event_exactly_once(
    cli: Cli, site: ReplaySite, slack: SlackStandIn, smtp: SmtpServer
) -> None:
    baseline_then_two_new_notices(cli, site)
    killed = cli(
        "poll",
        now="2025-10-09T10:00:00+08:00",
        extra_env={"REGWATCH_FAILPOINT": "after_poll_commit"},
    )
    assert killed.code == KILLED, killed.stderr
    assert slack.messages == []

    rerun = cli("poll", now="2025-10-09T10:05:00+08:00")
    assert rerun.code == 0, rerun.stderr
    feed = cli("feed", "--all").json()["items"]
    event_ids = {item["id"] for item in feed}
    assert {item["_regwatch"]["notice"]["doc_key"] for item in feed} == {
        "MOFCOM-2025-61",
        "MOFCOM-2025-62",
    }
    assert posted_event_ids(slack) == Counter(dict.fromkeys(event_ids, 1))
    assert {m.channel for m in slack.messages} == {"#ree-alerts"}

    again = cli("poll", now="2025-10-09T11:00:00+08:00")
    assert again.code == 0 and posted_event_ids(slack) == Counter(dict.fromkeys(event_ids, 1))

    digest = cli(
        "digest", "--date", "2025-10-09", "--subscriber", "magnets", now="2025-10-10T08:00:00+08:00"
    )
    assert digest.code == 0, digest.stderr
    twice = cli(
        "digest", "--date", "2025-10-09", "--subscriber", "magnets", now="2025-10-10T09:00:00+08:00"
    )
    assert twice.code == 0 and "already" in twice.stdout
    [mail] = smtp.mails
    text = mail.message.get_body(("plain",)).get_content()
    assert mail.message["Message-ID"] == "<digest.2025-10-09.magnets@regwatch>"
    assert (
        text.count("商务部公告2025年第61号 —") == 1 and text.count("商务部公告2025年第62号 —") == 1
    )


def test_killed_between_send_and_mark_duplicates_at_most_once(
    cli: Cli, site: ReplaySite, slack: SlackStandIn
) -> None:
    baseline_then_two_new_notices(cli, site)
    killed = cli(
        "poll",
        now="2025-10-09T10:00:00+08:00",
        extra_env={"REGWATCH_FAILPOINT": "after_send_before_mark"},
    )
    assert killed.code == KILLED, killed.stderr
    assert len(slack.messages) == 1  # Slack has it; the store does not know yet
    first_sent = next(iter(posted_event_ids(slack)))

    # Same minute: the dead process's claim still holds that row; the other one goes out.
    soon = cli("poll", now="2025-10-09T10:01:00+08:00")
    assert soon.code == 0, soon.stderr
    assert len(slack.messages) == 2 and posted_event_ids(slack)[first_sent] == 1

    # After the claim expired the row is sent again: one duplicate, same event_id.
    later = cli("poll", now="2025-10-09T10:30:00+08:00")
    assert later.code == 0, later.stderr
    counts = posted_event_ids(slack)
    assert counts[first_sent] == 2 and sorted(counts.values()) == [1, 2]
    duplicates = [
        m
        for m in slack.messages
        if m.metadata and m.metadata["event_payload"]["event_id"] == first_sent
    ]
    assert (
        duplicates[0].metadata == duplicates[1].metadata
        and duplicates[0].text == duplicates[1].text
    )

    final = cli("poll", now="2025-10-09T11:30:00+08:00")
    assert final.code == 0 and len(slack.messages) == 3
