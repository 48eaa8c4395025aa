"""A replica killed mid-poll: its source is taken over within 30 s, with the default [schedule].

Three real `regwatch run` processes on one PostgreSQL schema, no [schedule] section (tick
5 s, lease 20 s). The feed's loopback server holds the first poll's request open, so that
poll is still running when its replica gets SIGKILL. Asserted: while the poll hangs its
lease is renewed (a poll longer than the lease keeps its source), a survivor polls the
source within 30 s of the kill, nobody polls it twice, and the item published meanwhile
reaches Slack exactly once.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from monitor.replay.site import ReplaySite
from monitor.replay.slack import DEFAULT_TOKEN, SlackStandIn
from monitor.store import Store, open_store
from monitor.store.tables import events, sources
from tests.e2e.conftest import REPO, Cli
from tests.support.databases import postgres_schema_url

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

TAKEOVER_LIMIT_S = 30.0
FEED_URL = "https://www.globaltimes.cn/rss/china.xml"


class HoldingSite(ReplaySite):
    """The replay site; the first feed request after `hold()` waits until `release()`."""

    def __init__(self) -> None:
        super().__init__()
        self.feed_requests: list[float] = []  # monotonic arrival times
        self.arrived = threading.Event()
        self._armed = False
        self._gate = threading.Event()
        self._mutex = threading.Lock()

    def hold(self) -> None:
        with self._mutex:
            self._armed = True
            self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    def answer(self, *args: Any, **kwargs: Any) -> Any:
        target = args[1] if len(args) > 1 else kwargs["target"]
        wait = False
        if target.startswith(self.rss_path):
            with self._mutex:
                self.feed_requests.append(time.monotonic())
                wait, self._armed = self._armed, False
            self.arrived.set()
        if wait:
            self._gate.wait(60)  # bounded: the test releases it right after the kill
        return super().answer(*args, **kwargs)


def add_item(site: ReplaySite, number: int, element: str, day: int) -> str:
    link = f"https://www.globaltimes.cn/page/202511/13{number:05d}.shtml"
    site.add_rss_item(
        # No document number: each item is a notice of its own (an item naming No. 18 would
        # be filed under that notice and announce nothing new).
        title=f"China's MOFCOM tightens {element} export licensing",
        link=link,
        published=dt.datetime(2025, 11, day, 9, 0, tzinfo=dt.UTC),
        description=f"Exporters of {element} alloys and targets must show end-user certificates "
        "for every shipment under codes 1C902 to 1C908, the ministry said.",
    )
    return link


def wait_for(condition: Callable[[], bool], what: str, timeout: float) -> float:
    """Poll `condition` (bounded); returns when it became true (monotonic)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)
    return time.monotonic()


def lease(store: Store) -> tuple[str | None, dt.datetime | None]:
    with store.connect() as conn:
        row = conn.execute(sa.select(sources.c.lease_owner, sources.c.lease_until)).one()
    return row.lease_owner, row.lease_until


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_schema_url() as url:
        yield url


def test_a_killed_replicas_source_is_taken_over_within_30_s(
    tmp_path: Path, pg_url: str, cli_env: dict[str, str]
) -> None:
    site = HoldingSite()
    with site, SlackStandIn() as slack:
        (tmp_path / "sources").mkdir()
        (tmp_path / "sources" / "globaltimes-china.toml").write_text(
            f'name = "Global Times › China (RSS)"\nkind = "rss"\nurl = "{FEED_URL}"\n'
            f'interval = "1h"\nbase_url = "{site.base_url}"\npoliteness = 0\n',
            encoding="utf-8",
        )
        config = tmp_path / "regwatch.toml"
        config.write_text(  # no [schedule]: the defaults are what is tested
            f'[store]\nurl = "{pg_url}"\n[server]\nlisten = "127.0.0.1:0"\n'
            f'[sources]\ndir = "{tmp_path / "sources"}"\n'
            f'[slack]\ntoken_env = "SLACK_BOT_TOKEN"\napi_url = "{slack.api_url}"\n'
            '[[subscribers]]\nname = "magnets"\nslack_channel = "#ree-alerts"\n'
            '[delivery]\ninterval = "1s"\n[logging]\nformat = "json"\n',
            encoding="utf-8",
        )
        env = {**cli_env, "SLACK_BOT_TOKEN": DEFAULT_TOKEN}
        add_item(site, 1, "dysprosium", 3)
        baseline = Cli(config, env)("poll")  # the silent baseline, by one process
        assert baseline.code == 0, baseline.stderr
        site.feed_requests.clear()
        site.arrived.clear()
        site.hold()

        store = open_store(pg_url, migrate=False)
        logs = [(tmp_path / f"replica{i}.log").open("w") for i in range(3)]
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
        try:
            assert site.arrived.wait(60), "no replica polled the feed"
            owner, first_until = lease(store)
            assert owner is not None and first_until is not None
            victim = next(p for p in replicas if f":{p.pid}:" in owner)
            # The poll hangs; every tick renews its lease (so a poll longer than the lease
            # keeps its source while its replica lives).
            wait_for(lambda: (lease(store)[1] or first_until) > first_until, "a renewal", 15)
            assert lease(store)[0] == owner
            new_link = add_item(site, 2, "terbium", 7)  # published while the poll hangs

            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            killed_at = time.monotonic()
            site.release()
            taken_at = wait_for(
                lambda: len(site.feed_requests) >= 2, "a survivor's poll", TAKEOVER_LIMIT_S + 10
            )
            wait_for(lambda: len(slack.messages) >= 1, "the alert", 30)
            wait_for(lambda: lease(store)[0] is None, "the survivor's poll to finish", 30)
            survivors = [p for p in replicas if p is not victim]
            for process in survivors:
                process.send_signal(signal.SIGTERM)
            codes = [process.wait(20) for process in survivors]
        finally:
            site.release()
            for process in replicas:
                if process.poll() is None:
                    process.kill()
                    process.wait()
            for log in logs:
                log.close()
        with store.connect() as conn:
            stored = conn.execute(sa.select(events.c.kind, events.c.doc_key)).all()
            next_poll = conn.execute(sa.select(sources.c.next_poll_at)).scalar_one()
        store.dispose()

    output = "\n".join((tmp_path / f"replica{i}.log").read_text() for i in range(3))
    assert codes == [0, 0], output[-4000:]
    takeover_s = taken_at - killed_at
    assert takeover_s <= TAKEOVER_LIMIT_S, f"taken over after {takeover_s:.1f} s"
    # One hung poll, one takeover: never two polls of the source at once or in a row.
    assert len(site.feed_requests) == 2, site.feed_requests
    assert next_poll is not None  # the survivor finished the poll and scheduled the next
    # Nothing lost, nothing doubled: the item published during the hung poll, once.
    assert len(stored) == 1 and stored[0].kind == "notice.new", stored
    assert len(slack.messages) == 1
    assert new_link in str(slack.messages[0].metadata) or new_link in slack.messages[0].text
