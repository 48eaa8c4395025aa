"""Hostile and broken sources end to end: the real CLI against feeds on 127.0.0.1.

One source's broken page fails that source (health, exit 3, named on stderr); the others are
polled and delivered as usual.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from monitor.replay.loopback import Answer, LoopbackServer
from monitor.store import open_store
from monitor.store.health import SourceHealthRow, source_health
from tests.e2e.conftest import Cli, write_config
from tests.support.drip import DripServer

pytestmark = pytest.mark.e2e

GOOD_FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>China</title>'
    b"<item><title>MOFCOM announces export controls on rare-earth technologies</title>"
    b"<link>https://www.globaltimes.cn/page/202510/1345001.shtml</link>"
    b"<pubDate>Thu, 09 Oct 2025 04:00:00 GMT</pubDate>"
    b"<description>MOFCOM Announcement No. 62 of 2025 puts rare-earth mining, smelting and "
    b"separation technologies (1E902.a) under export control.</description></item>"
    b"</channel></rss>"
)


class Feeds:
    """Answers each path with the bytes set for it (thread-safe)."""

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def answer(self, method: str, target: str, headers: Mapping[str, str]) -> Answer:
        with self.lock:
            body = self.bodies.get(target)
        if body is None:
            return Answer(404, b"not found", "text/plain")
        return Answer(200, body, "application/rss+xml")


def source_health_by_id(tmp_path: Path) -> dict[str, SourceHealthRow]:
    store = open_store(f"sqlite:///{tmp_path / 'regwatch.db'}")
    try:
        return {row.id: row for row in source_health(store)}
    finally:
        store.dispose()


@pytest.fixture
def feeds() -> Iterator[tuple[Feeds, str]]:
    served = Feeds()
    server = LoopbackServer(served, name="hostile-feeds")
    try:
        yield served, f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


def rss_source(directory: Path, source_id: str, url: str) -> None:
    (directory / f"{source_id}.toml").write_text(
        f'name = "{source_id}"\nkind = "rss"\nurl = "{url}"\ninterval = "30m"\n',
        encoding="utf-8",
    )


@pytest.fixture
def cli(tmp_path: Path, feeds: tuple[Feeds, str], cli_env: dict[str, str]) -> Cli:
    _, base = feeds
    sources = tmp_path / "sources"
    sources.mkdir()
    rss_source(sources, "a-broken", "https://feeds.example.cn/broken.xml")
    rss_source(sources, "b-good", "https://www.globaltimes.cn/rss/china.xml")
    config = write_config(
        tmp_path / "regwatch.toml",
        f"""
[store]
url = "sqlite:///{tmp_path / "regwatch.db"}"

[sources]
dir = "{sources}"

[sources.a-broken]
base_url = "{base}"
politeness = 0
retries = 0

[sources.b-good]
base_url = "{base}"
politeness = 0
retries = 0

[[subscribers]]
name = "ops"
console = true
""",
    )
    return Cli(config, cli_env)


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        (
            b'<?xml version="1.0" encoding="utf-8\xff\xfe"?><rss version="2.0"><channel>'
            b"<item><title>x</title><link>https://feeds.example.cn/1</link></item>"
            b"</channel></rss>",
            "decode",
        ),
        (
            b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><item>'
            b"<title>x</title><link>https://feeds.example.cn/1</link><description><![CDATA["
            + b"<div>" * 1200
            + b"]]></description></item></channel></rss>",
            None,  # read: deep nesting is no failure at all
        ),
    ],
)
def test_a_broken_feed_fails_its_source_and_the_rest_go_on(
    cli: Cli, feeds: tuple[Feeds, str], tmp_path: Path, broken: bytes, reason: str | None
) -> None:
    served, _ = feeds
    served.bodies["/broken.xml"] = broken
    served.bodies["/rss/china.xml"] = GOOD_FEED
    first = cli("poll", now="2025-10-09T12:00:00+08:00")
    assert "Traceback" not in first.stderr
    health = source_health_by_id(tmp_path)
    assert health["b-good"].consecutive_failures == 0
    assert health["b-good"].last_success_at is not None
    if reason is None:
        assert first.code == 0, first.stderr
        return
    assert first.code == 3, first.stderr
    assert "source a-broken failed" in first.stderr and reason in first.stderr
    assert health["a-broken"].consecutive_failures == 1
    assert health["a-broken"].last_error_reason == reason


def test_a_dripping_source_is_a_timeout_failure_in_bounded_time(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    rss_source(sources, "drip", "https://feeds.example.cn/drip.xml")
    with DripServer(length=2000, every_s=0.05) as server:
        config = write_config(
            tmp_path / "regwatch.toml",
            f"""
[store]
url = "sqlite:///{tmp_path / "regwatch.db"}"

[sources]
dir = "{sources}"

[sources.drip]
base_url = "{server.base_url}"
politeness = 0
deadline = 1

[schedule]
poll_deadline = "3s"
""",
        )
        started = time.monotonic()
        result = Cli(config, cli_env)("poll")
        seconds = time.monotonic() - started
    assert result.code == 3, result.stderr
    assert "source drip failed: timeout" in result.stderr
    assert seconds < 20  # the drip alone would take 100 s
    health = source_health_by_id(tmp_path)
    assert health["drip"].consecutive_failures == 1
    assert health["drip"].last_error_reason == "timeout"
