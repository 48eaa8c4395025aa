"""The web pages' server time: `/`, `/controls` with its chart, a 1 MB notice with 5 versions.

Targets (issue 14): `/` with 5,000 events in the store ≤ 100 ms per page; `/controls` with its
chart ≤ 200 ms; `/notices/<doc_key>` for a 1 MB notice with 5 versions ≤ 300 ms.

The store is the one `regwatch demo --keep` leaves (the real 2025–2026 story, so the chart has
its real rows), grown by 5,000 events and one notice of 1 MB (UTF-8) stored in 5 versions that
differ by a few paragraphs each. The real server (`start_in_thread`, uvicorn) serves it on
127.0.0.1; each page is asked for `--rounds` times after a warm-up. Server time is the app's
own time per request, measured inside the server (an ASGI wrapper around the app, so the
client and the socket are not counted); the CPU seconds per request are the server thread's
own (`time.thread_time`). On a shared machine the wall times are noisy: compare the medians.

Run: ``python -m benchmarks pages`` (``--rounds N`` after ``python -m benchmarks.bench_pages``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from monitor.clock import FixedClock
from monitor.config import build_settings
from monitor.detect.feed_item import item_for_event
from monitor.models import Event, EventKind
from monitor.serve import runner
from monitor.store import Store, open_store
from monitor.store.repository import insert_notice, load_notice, replace_notice
from monitor.store.tables import events

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
EVENTS = 5_000
TARGETS_MS = {
    "/": 100.0,
    "/?code=1C999&all=1": 100.0,  # matches nothing: reads all 5,000 events to say so
    "/?hs=2805309999&all=1": 100.0,  # an HS code no event names
    "/controls": 200.0,
    "/notices/BENCH-1MB": 300.0,
}
BIG_KEY = "BENCH-1MB"

Scope = MutableMapping[str, Any]
App = Callable[[Scope, Any, Any], Awaitable[None]]


@dataclass
class Timings:
    wall_ms: list[float]
    cpu_ms: list[float]


class Timed:
    """Wraps the ASGI app: wall and thread-CPU time of each request, inside the server."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.by_path: dict[str, Timings] = {}

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, cpu = time.perf_counter(), time.thread_time()
        await self.app(scope, receive, send)
        # Store reads run in the thread pool; their CPU shows in the process time instead.
        timings = self.by_path.setdefault(scope["path"], Timings([], []))
        timings.wall_ms.append((time.perf_counter() - started) * 1000)
        timings.cpu_ms.append((time.thread_time() - cpu) * 1000)


def demo_store(folder: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGWATCH_", "SLACK_"))}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "monitor",
            "demo",
            "--output",
            str(folder / "out"),
            "--keep",
            str(folder / "store"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    if done.returncode != 0:
        raise SystemExit(f"the demo failed:\n{done.stderr[-2000:]}")
    return f"sqlite:///{folder / 'store' / 'regwatch-demo.db'}"


def add_events(store: Store, count: int) -> None:
    """`count` more events about the stored notices, most of them rare-earth relevant."""
    with store.connect() as conn:
        keys = ["MOFCOM-2025-18", "MOFCOM-2025-61", "MOFCOM-2025-57", "MOFCOM-2025-70"]
        notices = [n.notice for n in (load_notice(conn, k) for k in keys) if n is not None]
    rng = random.Random(14)
    rows = []
    for n in range(count):
        notice = notices[n % len(notices)]
        event = Event(
            id=f"bench-{n:05d}",
            kind=rng.choice([EventKind.NOTICE_NEW, EventKind.NOTICE_REVISED]),
            source_id="mofcom-zcfb",
            detected_at=NOW - timedelta(minutes=count - n),
            notice=notice,
            relevant=rng.random() < 0.8,
        )
        rows.append(
            {
                "id": event.id,
                "kind": event.kind.value,
                "doc_key": notice.doc_key,
                "source_id": event.source_id,
                "detected_at": event.detected_at,
                "relevant": event.relevant,
                "item": item_for_event(event),
            }
        )
    with store.begin() as conn:
        conn.execute(events.insert(), rows)


def big_text(seed: int, size: int = 1_000_000) -> list[str]:
    """About `size` bytes of notice-like Chinese in paragraphs of ~120 characters."""
    rng = random.Random(seed)
    words = [
        "稀土",
        "物项",
        "出口管制",
        "许可",
        "钐钴合金",
        "氧化镝",
        "境外",
        "原产于中国",
        "价值比例",
        "两用物项",
        "申请",
        "审批",
        "第一部分",
        "附件",
        "组织和个人",
    ]
    paragraphs, total, n = [], 0, 0
    while total < size:
        n += 1
        body = "".join(rng.choice(words) for _ in range(40))
        line = f"第{n}条 {body}。"
        paragraphs.append(line)
        total += len(line.encode())
    return paragraphs


def add_big_notice(store: Store) -> int:
    with store.connect() as conn:
        template = load_notice(conn, "MOFCOM-2025-61")
    assert template is not None
    paragraphs = big_text(61)
    rng = random.Random(5)
    with store.begin() as conn:
        for version in range(1, 6):
            if version > 1:
                for index in rng.sample(range(len(paragraphs)), 4):
                    paragraphs[index] = paragraphs[index].replace("稀土", "稀土及其相关", 1)
            notice = replace(
                template.notice,
                doc_key=BIG_KEY,
                text="\n".join(paragraphs),
                content_hash=f"{version:064d}",
                urls=(),
            )
            at = NOW + timedelta(days=version)
            if version == 1:
                insert_notice(conn, notice, now=at)
            else:
                replace_notice(conn, notice, version=version, now=at)
    return len("\n".join(paragraphs).encode())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_pages")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="regwatch-bench-pages-") as tmp:
        print("filling the store: regwatch demo --keep, 5,000 events, a 1 MB notice …", flush=True)
        url = demo_store(Path(tmp))
        store = open_store(url)
        try:
            add_events(store, EVENTS)
            size = add_big_notice(store)
            print(f"  {EVENTS:,} extra events; {BIG_KEY}: {size:,} bytes in 5 versions", flush=True)
            return _measure(store, url, args.rounds)
        finally:
            store.dispose()


def _measure(store: Store, url: str, rounds: int) -> int:
    settings = build_settings({"store": {"url": url}, "server": {"listen": "127.0.0.1:0"}})
    timed: list[Timed] = []
    build = runner.build_app

    def timed_app(*args: Any, **kwargs: Any) -> Any:
        wrapper = Timed(build(*args, **kwargs))
        timed.append(wrapper)
        return wrapper

    runner.build_app = timed_app  # type: ignore[assignment]
    try:
        handle = runner.start_in_thread(settings, store, FixedClock(NOW), port=0)
    finally:
        runner.build_app = build
    failed = 0
    try:
        with httpx.Client(base_url=handle.url, timeout=60, trust_env=False) as client:
            for path, target in TARGETS_MS.items():
                for _ in range(3):  # warm-up: templates compiled, caches filled
                    client.get(path).raise_for_status()
                route = path.split("?", 1)[0]
                timed[0].by_path.pop(route, None)
                cpu = time.process_time()
                for _ in range(rounds):
                    body = client.get(path).raise_for_status().content
                cpu_per = (time.process_time() - cpu) / rounds * 1000
                got = timed[0].by_path[route]
                median = statistics.median(got.wall_ms)
                p95 = sorted(got.wall_ms)[max(0, int(len(got.wall_ms) * 0.95) - 1)]
                ok = median <= target
                failed += not ok
                print(
                    f"{path:<22} server time median {median:7.1f} ms, p95 {p95:7.1f} ms "
                    f"(target ≤ {target:.0f} ms) {'PASS' if ok else 'FAIL'}; "
                    f"process CPU {cpu_per:6.1f} ms/request (server + client); "
                    f"page {len(body) / 1024:,.0f} KiB",
                    flush=True,
                )
    finally:
        handle.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
