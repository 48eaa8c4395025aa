"""Running the HTTP app with uvicorn: in a thread (stopped through its handle) and in the
foreground (stopped by SIGTERM)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from monitor.clock import FixedClock
from monitor.config import Settings, build_settings
from monitor.errors import ConfigError
from monitor.serve.runner import serve, start_in_thread
from monitor.store import Store, open_store

CLOCK = FixedClock(datetime(2026, 11, 20, 17, 0, tzinfo=UTC))


@pytest.fixture
def settings(store_url: str) -> Settings:
    return build_settings({"store": {"url": store_url}, "server": {"listen": "127.0.0.1:0"}})


def test_stop_closes_the_port(store: Store, settings: Settings) -> None:
    handle = start_in_thread(settings, store, CLOCK, port=0)
    assert handle.port > 0
    with httpx.Client(base_url=handle.url, timeout=5, trust_env=False) as http:
        assert http.get("/healthz").status_code == 200
    handle.stop()
    assert not handle.thread.is_alive()
    with (
        httpx.Client(base_url=handle.url, timeout=5, trust_env=False) as http,
        pytest.raises(httpx.ConnectError),
    ):
        http.get("/healthz")


def test_serve_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "regwatch.db"
    open_store(f"sqlite:///{db}").dispose()
    script = (
        "import logging, sys\n"
        "from monitor.clock import SystemClock\n"
        "from monitor.config import build_settings\n"
        "from monitor.serve.runner import serve\n"
        "from monitor.store import open_store\n"
        "logging.basicConfig(level=logging.INFO, stream=sys.stderr)\n"
        f"settings = build_settings({{'store': {{'url': 'sqlite:///{db}'}},"
        " 'server': {'listen': '127.0.0.1:0'}})\n"
        "serve(settings, open_store(settings.store.url), SystemClock())\n"
        "print('stopped cleanly', flush=True)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ},
    )
    try:
        assert process.stderr is not None
        url = None
        for line in process.stderr:
            found = re.search(r"serving on (http://127\.0\.0\.1:\d+)", line)
            if found:
                url = found.group(1)
                break
        assert url, "the server never said where it listens"
        with httpx.Client(base_url=url, timeout=10, trust_env=False) as http:
            for _ in range(100):
                try:
                    if http.get("/healthz").status_code == 200:
                        break
                except httpx.ConnectError:
                    continue
        process.send_signal(signal.SIGTERM)
        out, _err = process.communicate(timeout=30)
        assert process.returncode == 0
        assert "stopped cleanly" in out
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_refuses_to_start_with_an_unset_feed_token(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REGWATCH_TEST_FEED_TOKEN", raising=False)
    settings = build_settings(
        {
            "server": {"listen": "127.0.0.1:0"},
            "subscribers": [{"name": "magnets", "feed_token_env": "REGWATCH_TEST_FEED_TOKEN"}],
        }
    )
    with pytest.raises(ConfigError) as caught:
        serve(settings, store, CLOCK, install_signal_handlers=False)
    assert caught.value.key == "subscribers[0].feed_token_env"
