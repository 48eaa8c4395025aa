"""/feed.json over real HTTP: the 50-item feed and its 304 revalidation.

Targets: ≥ 500 requests/s for the 50-item feed, ≥ 2,000 requests/s for a 304 answer to
If-None-Match. The server is the real one (uvicorn, one worker, `start_in_thread`) on
127.0.0.1 over a temporary SQLite store holding 50 events. The load comes from another
process on loopback: `wrk` when it is installed (``apt-get install wrk``), else a small
asyncio keep-alive client (``python -m benchmarks.bench_feed --load …``). Both share the
machine's cores with the server, so the numbers are a floor, not a ceiling.

Run: ``python -m benchmarks feed`` (``--seconds N`` and ``--connections N`` after
``python -m benchmarks.bench_feed``).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from monitor.clock import FixedClock
from monitor.config import build_settings
from monitor.detect.feed_item import item_for_event
from monitor.models import (
    Affect,
    AffectAction,
    Effective,
    Event,
    EventKind,
    Notice,
    NoticeFacts,
    NoticeKind,
    TextDiff,
    Verdict,
)
from monitor.serve.feed import feed_document
from monitor.serve.runner import start_in_thread
from monitor.store import Store, open_store
from monitor.store.tables import events

FEED_TARGET_RPS = 500.0
NOT_MODIFIED_TARGET_RPS = 2000.0
EVENTS = 50

_SUBJECTS = [
    ("公布对稀土相关技术实施出口管制的决定", ("Sm", "Dy"), ("1E902.a", "1E902.b")),
    (
        "关于对部分中重稀土相关物项实施出口管制的决定",
        ("Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"),
        ("1C902", "1C903", "1C904", "1C905", "1C906", "1C907", "1C908"),
    ),
    (
        "关于对钬、铒、铥、铕、镱等中重稀土相关物项实施出口管制的决定",
        ("Ho", "Er", "Tm", "Eu", "Yb"),
        ("1C909", "1C910", "1C911", "1C912", "1C913"),
    ),
    ("关于对稀土设备和原辅料相关物项实施出口管制的决定", (), ("2B902",)),
    ("公布对境外相关稀土物项实施出口管制的决定", ("Sm", "Dy", "Gd", "Tb", "Lu", "Sc", "Y"), ()),
]


def bench_events(count: int = EVENTS) -> list[Event]:
    """`count` realistic relevant events: new notices, revisions, a suspension, measures."""
    start = datetime(2025, 4, 4, 10, 0, tzinfo=UTC)
    made: list[Event] = []
    for n in range(1, count + 1):
        title, elements, codes = _SUBJECTS[n % len(_SUBJECTS)]
        number = f"商务部 海关总署公告2025年第{n}号" if n % 2 else f"商务部公告2025年第{n}号"
        published = date(2025, 4, 4) + timedelta(days=n)
        suspension = n % 10 == 0
        facts = NoticeFacts(
            doc_number=number,
            doc_key=f"MOFCOM-2025-{n}",
            issuers=("商务部", "海关总署") if n % 2 else ("商务部",),
            published=published,
            effective=(
                Effective(published, "whole notice"),
                Effective(published + timedelta(days=30), "第一款、第二款"),
            ),
            control_codes=codes,
            elements=elements,
            hs_codes=("2805301910", "2846901993") if elements else (),
            kind=NoticeKind.SUSPENSION if suspension else NoticeKind.CONTROL,
            affects=tuple(
                Affect(f"MOFCOM-2025-{k}", AffectAction.SUSPEND, date(2026, 11, 10))
                for k in range(max(1, n - 6), n)
            )
            if suspension
            else (),
        )
        notice = Notice(
            doc_key=f"MOFCOM-2025-{n}",
            doc_number=number,
            title=title,
            url=f"https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_{n:032x}.html",
            urls=(f"https://aqygzj.mofcom.gov.cn/zcfb/art/2025/art_{n:032x}.html",),
            text="",
            source_id="mofcom-zcfb",
            content_hash=f"{n:064x}",
            published=published,
            facts=facts,
            verdict=Verdict(
                True,
                elements,
                codes,
                facts.hs_codes,
                (*(f"control code {c}" for c in codes), "keyword 稀土"),
            ),
        )
        detected = start + timedelta(days=n, minutes=7)
        kind = (
            EventKind.NOTICE_REVISED
            if n % 7 == 0
            else EventKind.MEASURE_EFFECTIVE
            if n % 9 == 0
            else EventKind.NOTICE_NEW
        )
        made.append(
            Event(
                id=f"{kind.value.replace('.', '-')}-{n:020x}",
                kind=kind,
                source_id="mofcom-zcfb",
                detected_at=detected,
                notice=notice,
                relevant=True,
                diff=TextDiff(
                    ("二、本公告自公布之日起正式实施。",),
                    ("二、本公告自公布之日起实施。",),
                    "@@ -1,12 +1,14 @@\n 二、本公告自公布之日起\n+正式\n 实施。\n",
                )
                if kind is EventKind.NOTICE_REVISED
                else None,
                due_date=published + timedelta(days=30)
                if kind is EventKind.MEASURE_EFFECTIVE
                else None,
                cause_doc_key=notice.doc_key if kind is EventKind.MEASURE_EFFECTIVE else None,
            )
        )
    return made


def fill(store: Store, batch: list[Event]) -> None:
    with store.begin() as connection:
        connection.execute(
            events.insert(),
            [
                {
                    "id": e.id,
                    "kind": e.kind.value,
                    "doc_key": e.notice.doc_key,
                    "source_id": e.source_id,
                    "detected_at": e.detected_at,
                    "relevant": e.relevant,
                    "item": item_for_event(e),
                }
                for e in batch
            ],
        )


# --- load generation -------------------------------------------------------------------


@dataclass
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int] = field(default_factory=dict)
    tool: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def load(
    url: str,
    *,
    headers: dict[str, str],
    seconds: float,
    connections: int,
    vary_cursor: bool = False,
) -> Load:
    """Keep-alive load on `url` from another process (wrk if installed)."""
    if shutil.which("wrk"):
        return _wrk(url, headers, seconds, connections, vary_cursor)
    args = json.dumps(
        {
            "url": url,
            "headers": headers,
            "seconds": seconds,
            "connections": connections,
            "vary_cursor": vary_cursor,
        }
    )
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_feed", "--load", args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return Load(**json.loads(out), tool="python-asyncio")


_WRK_VARY = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "&before=" .. (1000000000 + counter))
end
"""


def _wrk(
    url: str, headers: dict[str, str], seconds: float, connections: int, vary_cursor: bool
) -> Load:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_VARY)
    if vary_cursor:
        command += ["-s", script.name]
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    Path(script.name).unlink()
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+),", out)
    if total is None:
        raise RuntimeError(f"cannot read wrk output:\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    statuses = {"non-2xx/3xx": int(bad.group(1))} if bad else {}
    if errors:
        statuses["socket errors"] = sum(int(n) for n in re.findall(r"\d+", errors.group(1)))
    return Load(
        requests=int(total.group(1)),
        seconds=_seconds(total.group(2), total.group(3)),
        p50_ms=_wrk_percentile(out, "50%"),
        p99_ms=_wrk_percentile(out, "99%"),
        statuses=statuses,
        tool="wrk",
    )


def _seconds(value: str, unit: str) -> float:
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def _wrk_percentile(out: str, label: str) -> float:
    found = re.search(rf"^\s*{re.escape(label)}\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
    return _seconds(found.group(1), found.group(2)) * 1000 if found else float("nan")


@dataclass
class _Tally:
    """What the fallback client's connections record, shared between them."""

    until: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)


async def _client(url: str, headers: dict[str, str], vary: bool, first: int, tally: _Tally) -> None:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
    n = first
    try:
        while time.perf_counter() < tally.until:
            n += 1
            target = f"{path}&before={1_000_000_000 + n}" if vary else path
            request = f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n{extra}\r\n"
            started = time.perf_counter()
            writer.write(request.encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
            if length:
                await reader.readexactly(int(length.group(1)))
            tally.latencies.append(time.perf_counter() - started)
            tally.statuses[head.split(b" ", 2)[1].decode()] += 1
    finally:
        writer.close()


async def _python_load(
    url: str, headers: dict[str, str], seconds: float, connections: int, vary_cursor: bool
) -> dict[str, object]:
    started = time.perf_counter()
    tally = _Tally(until=started + seconds)
    await asyncio.gather(
        *(_client(url, headers, vary_cursor, i * 10_000_000, tally) for i in range(connections))
    )
    elapsed = time.perf_counter() - started
    ordered = sorted(tally.latencies)
    return {
        "requests": len(ordered),
        "seconds": elapsed,
        "p50_ms": statistics.median(ordered) * 1000 if ordered else float("nan"),
        "p99_ms": ordered[int(len(ordered) * 0.99)] * 1000 if ordered else float("nan"),
        "statuses": dict(tally.statuses),
    }


# --- the benchmark ---------------------------------------------------------------------


def _render_ms(store: Store, iterations: int = 200) -> float:
    started = time.perf_counter()
    for _ in range(iterations):
        json.dumps(
            feed_document(store, base_url="http://127.0.0.1:8080"),
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
    return (time.perf_counter() - started) / iterations * 1000


def run(seconds: float, connections: int) -> int:
    with tempfile.TemporaryDirectory(prefix="regwatch-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'regwatch.db'}"
        store = open_store(url)
        fill(store, bench_events())
        settings = build_settings({"store": {"url": url}, "server": {"listen": "127.0.0.1:0"}})
        handle = start_in_thread(settings, store, FixedClock(datetime.now(UTC)), port=0)
        try:
            feed_url = f"{handle.url}/feed.json"
            with httpx.Client(trust_env=False) as http:
                first = http.get(feed_url)
                etag = first.headers["etag"]
                assert len(first.json()["items"]) == EVENTS, "the feed must carry 50 items"
                assert http.get(feed_url, headers={"If-None-Match": etag}).status_code == 304
            body_kb = len(first.content) / 1024
            render_ms = _render_ms(store)
            warm = min(1.0, seconds)
            load(feed_url, headers={}, seconds=warm, connections=connections)
            rows = [
                (
                    "GET /feed.json (50 items, 200)",
                    FEED_TARGET_RPS,
                    load(feed_url, headers={}, seconds=seconds, connections=connections),
                ),
                (
                    "GET /feed.json If-None-Match (304)",
                    NOT_MODIFIED_TARGET_RPS,
                    load(
                        feed_url,
                        headers={"If-None-Match": etag},
                        seconds=seconds,
                        connections=connections,
                    ),
                ),
                (
                    "GET /feed.json?all=1&before=<new> (no cache)",
                    None,
                    load(
                        f"{feed_url}?all=1",
                        headers={},
                        seconds=seconds,
                        connections=connections,
                        vary_cursor=True,
                    ),
                ),
            ]
        finally:
            handle.stop()
            store.dispose()
    print(
        f"server: uvicorn, 1 worker, {_http_stack()}; load: {rows[0][2].tool}, "
        f"{connections} keep-alive connections, {seconds:g} s per row; "
        f"body {body_kb:.1f} KiB"
    )
    print(f"{'scenario':<46} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'target':>8}  result")
    failed = 0
    for name, target, result in rows:
        ok = target is None or result.rps >= target
        failed += not ok
        bad = {k: v for k, v in result.statuses.items() if k not in ("200", "304") and v}
        print(
            f"{name:<46} {result.rps:>9.0f} {result.p50_ms:>8.2f} {result.p99_ms:>8.2f} "
            f"{target or 0:>8.0f}  {'ok' if ok else 'MISSED'}" + (f"  errors: {bad}" if bad else "")
        )
    print(f"render of the 50-item document in-process (query + json): {render_ms:.2f} ms")
    return 1 if failed else 0


def _http_stack() -> str:
    # What uvicorn's "auto" picks: httptools and uvloop when installed, else h11 and asyncio.
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"{http} + {loop}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_feed")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--load", help=argparse.SUPPRESS)  # the fallback load generator
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.load:
        spec = json.loads(args.load)
        print(json.dumps(asyncio.run(_python_load(**spec))))
        return 0
    return run(args.seconds, args.connections)


if __name__ == "__main__":
    sys.exit(main())
