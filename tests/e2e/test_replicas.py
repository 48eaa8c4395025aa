"""Three `regwatch run` replicas on one PostgreSQL schema, one of them killed mid-run.

Real processes (`python -m monitor --config … run`), a loopback replay of four MOFCOM-shaped
columns polled every 2 s, the Slack stand-in and an SMTP server. Asserts what scaling out
promises: every event reaches Slack exactly once (by metadata event_id), no source is
polled twice within its interval (list requests per column, timed at the replay site), the
killed replica's sources are taken over, yesterday's digest is sent once, and the survivors
stop with exit 0 on SIGTERM.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from itertools import pairwise
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from monitor.replay.mofcom_pages import API_PATH, render_detail_page
from monitor.replay.site import Column, ReplaySite
from monitor.replay.slack import DEFAULT_TOKEN, SlackStandIn
from monitor.store import Store, open_store
from monitor.store.tables import digests, outbox
from tests.e2e.conftest import REPO, Cli
from tests.support.databases import postgres_schema_url
from tests.support.smtp import SmtpServer

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

INTERVAL_S = 2.0
JITTER = 0.1
LEASE_S = 4.0  # > interval: a killed replica's source is re-polled no sooner than that
COLUMNS = [
    Column(f"c{i}", f"/zwgk/c{i}/index.html", f"web{i:029d}", f"tpl{i:029d}", f"page{i:028d}")
    for i in range(4)
]
WAIT_S = 20.0


class TimedSite(ReplaySite):
    """The replay site, remembering when each request arrived."""

    def __init__(self) -> None:
        super().__init__(columns=COLUMNS)
        self.timed: list[tuple[float, str]] = []
        self.killed = False  # one replica was SIGKILLed, at `killed_at` (monotonic)
        self.killed_at = 0.0
        self._timed_lock = threading.Lock()

    def answer(self, *args: Any, **kwargs: Any) -> Any:
        target = args[1] if len(args) > 1 else kwargs["target"]
        with self._timed_lock:
            self.timed.append((time.monotonic(), target))
        return super().answer(*args, **kwargs)

    def list_polls(self) -> dict[str, list[float]]:
        """Times of page-1 list requests (one per poll) by column name."""
        by_web_id = {c.web_id: c.name for c in COLUMNS}
        polls: dict[str, list[float]] = defaultdict(list)
        with self._timed_lock:
            timed = list(self.timed)
        for moment, target in timed:
            parts = urlsplit(target)
            if parts.path != API_PATH:
                continue
            query = parse_qs(parts.query)
            if '"pageNo":1,' in (query.get("paramJson") or [""])[0].replace(" ", ""):
                polls[by_web_id[query["webId"][0]]].append(moment)
        return polls


def notice(number: int, element: str) -> tuple[str, str]:
    doc_number = f"商务部公告2025年第{number}号"
    title = f"{doc_number} 关于对{element}相关稀土物项实施出口管制的决定"
    html = render_detail_page(
        title=title, doc_number=doc_number, issuing_unit="安全与管制局",
        pub=dt.datetime(2025, 10, 9, 9, 30),
        paragraphs=[f"决定对{element}相关稀土物项实施出口管制。", "本公告自公布之日起正式实施。"],
    )  # fmt: skip
    return title, html


def publish(site: ReplaySite, column: Column, number: int, element: str = "镝") -> None:
    title, html = notice(number, element)
    url = f"https://www.mofcom.gov.cn/zwgk/{column.name}/art/2025/art_{number:032x}.html"
    site.publish(url, html, title=title, date=dt.date(2025, 10, 9), column=column.name)


def write_sources(folder: Path, base_url: str) -> None:
    folder.mkdir()
    for column in COLUMNS:
        (folder / f"{column.name}.toml").write_text(
            f"""
name = "Column {column.name}"
kind = "mofcom-jpaas"
url = "https://www.mofcom.gov.cn{column.index_path}"
interval = "{INTERVAL_S}s"
base_url = "{base_url}"
web_id = "{column.web_id}"
tpl_set_id = "{column.tpl_set_id}"
page_id = "{column.page_id}"
tag_id = "{column.tag_id}"
politeness = 0
recheck = "1h"
""",
            encoding="utf-8",
        )


def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_schema_url() as url:
        yield url


def test_three_replicas_share_the_work_exactly_once(
    tmp_path: Path, pg_url: str, cli_env: dict[str, str]
) -> None:
    site = TimedSite()
    with site, SlackStandIn() as slack, SmtpServer() as smtp:
        write_sources(tmp_path / "sources", site.base_url)
        config = tmp_path / "regwatch.toml"
        config.write_text(
            f"""
[store]
url = "{pg_url}"
[server]
listen = "127.0.0.1:0"
[sources]
dir = "{tmp_path / "sources"}"
[slack]
token_env = "SLACK_BOT_TOKEN"
api_url = "{slack.api_url}"
[email]
host = "127.0.0.1"
port = {smtp.port}
sender = "regwatch@example.com"
starttls = false
[[subscribers]]
name = "magnets"
slack_channel = "#ree-alerts"
email = ["magnets@example.com"]
digest_at = "00:00"
timezone = "UTC"
[operator]
stale_after = "7d"
[delivery]
interval = "0.5s"
backoff_base = "1s"
[schedule]
tick = "0.5s"
jitter = {JITTER}
lease = "{LEASE_S}s"
max_workers = 4
[logging]
format = "json"
""",
            encoding="utf-8",
        )
        env = {**cli_env, "SLACK_BOT_TOKEN": DEFAULT_TOKEN}
        cli = Cli(config, env)

        # Yesterday, one process: the silent baseline, then one new notice (its Slack message
        # goes out at once; its digest is due today, for the replicas to race over).
        for column in COLUMNS:
            publish(site, column, 100 + int(column.name[1:]))
        yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).replace(hour=10)
        assert cli("poll", now=yesterday.isoformat()).code == 0
        publish(site, COLUMNS[0], 200)
        step = cli("poll", now=(yesterday + dt.timedelta(hours=1)).isoformat())
        assert step.code == 0, step.stderr
        assert len(slack.messages) == 1 and smtp.mails == []

        logs = [open(tmp_path / f"replica{i}.log", "w+", encoding="utf-8") for i in range(3)]  # noqa: SIM115
        started = time.monotonic()
        replicas = [
            subprocess.Popen(
                [sys.executable, "-m", "monitor", "--config", str(config), "run"],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for log in logs
        ]
        store = open_store(pg_url, migrate=False)
        try:
            _run_rounds(site, slack, smtp, store, replicas, logs)
            killed_at = site.killed_at
            # The killed replica's sources (and every other) keep being polled.
            wait_for(
                lambda: all(
                    any(t > killed_at + LEASE_S for t in site.list_polls()[c.name]) for c in COLUMNS
                ),
                "every source polled after the kill",
            )
            survivors = replicas[1:]
            for process in survivors:
                process.send_signal(signal.SIGTERM)
            stop_started = time.monotonic()
            codes = [process.wait(timeout=15) for process in survivors]
            stop_seconds = time.monotonic() - stop_started
        finally:
            for process in replicas:
                if process.poll() is None:
                    process.kill()
                    process.wait()
            for log in logs:
                log.close()
        output = "\n".join((tmp_path / f"replica{i}.log").read_text() for i in range(3))
        assert codes == [0, 0], output[-5000:]
        assert stop_seconds < 10

        # Every event with a Slack row reached Slack exactly once.
        try:
            with store.connect() as conn:
                rows = conn.execute(
                    sa.select(outbox.c.event_id, outbox.c.status).where(outbox.c.channel == "slack")
                ).all()
        finally:
            store.dispose()
        posted = Counter(m.metadata["event_payload"]["event_id"]
                         for m in slack.messages if m.metadata)  # fmt: skip
        assert len(rows) == 5  # one before the replicas started, four during the run
        assert {status for _, status in rows} == {"sent"}
        assert set(posted) == {event_id for event_id, _ in rows}
        assert max(posted.values()) == 1, posted

        # Yesterday's digest: once, from whichever replica got it.
        assert len(smtp.mails) == 1
        assert "magnets@example.com" in smtp.mails[0].rcpt_tos

        # No source polled twice within an interval (jitter may shorten it by 10 %).
        polls = site.list_polls()
        assert set(polls) == {c.name for c in COLUMNS}
        shortest = INTERVAL_S * (1 - JITTER) - 0.02
        for name, times in polls.items():
            replica_times = [t for t in times if t >= started]
            gaps = [b - a for a, b in pairwise(replica_times)]
            assert len(replica_times) >= 4, (name, replica_times)
            assert min(gaps) >= shortest, (name, [round(g, 3) for g in gaps])


def unsent(store: Store) -> int:
    """Slack rows and digests not yet marked sent (a send may be between post and mark)."""
    with store.connect() as conn:
        rows = conn.execute(
            sa.select(sa.func.count()).where(outbox.c.channel == "slack", outbox.c.status != "sent")
        ).scalar()
        days = conn.execute(
            sa.select(sa.func.count()).where(digests.c.status == "sending")
        ).scalar()
    return int(rows or 0) + int(days or 0)


def _run_rounds(
    site: TimedSite,
    slack: SlackStandIn,
    smtp: SmtpServer,
    store: Store,
    replicas: list[subprocess.Popen[bytes]],
    logs: Sequence[IO[str]],
) -> None:
    def dead() -> str | None:
        for index, process in enumerate(replicas):
            if index == 0 and site.killed:
                continue
            if process.poll() is not None:
                logs[index].seek(0)
                return logs[index].read()[-3000:]
        return None

    def check(condition: Callable[[], bool]) -> Callable[[], bool]:
        def guarded() -> bool:
            exited = dead()
            assert exited is None, f"a replica exited early:\n{exited}"
            return condition()

        return guarded

    def delivered(count: int) -> Callable[[], bool]:
        return lambda: len(slack.messages) >= count

    wait_for(check(lambda: len(smtp.mails) >= 1), "yesterday's digest")
    wait_for(
        check(lambda: all(len(site.list_polls()[c.name]) >= 1 for c in COLUMNS)),
        "the replicas' first round",
    )
    for round_no in range(1, 5):
        publish(site, COLUMNS[round_no % len(COLUMNS)], 300 + round_no, "铽")
        wait_for(check(delivered(1 + round_no)), f"round {round_no} delivered")
        if round_no == 2:
            # Kill only when nothing is between "Slack said ok" and "marked sent": a kill
            # there is redelivered by design (at-least-once; same event_id in metadata).
            # The replica may well be mid-poll.
            wait_for(check(lambda: unsent(store) == 0), "every send marked")
            replicas[0].send_signal(signal.SIGKILL)
            replicas[0].wait(timeout=5)
            site.killed = True
            site.killed_at = time.monotonic()
    time.sleep(INTERVAL_S)  # one more interval: a late duplicate would show now
