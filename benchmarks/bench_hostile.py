"""Costs of hostile input: a gzip bomb's resident peak, and the CPU of deeply nested pages.

Targets (issue 15, item 6): a gzip bomb (200 MB of zeros in ~200 KB of gzip) served on
127.0.0.1 is refused as `too_large` with a resident peak near the 10 MB body cap, not
hundreds of MB; a 700 KB RSS feed of deeply nested item HTML and a 700 KB detail page of
unclosed tags parse in about a CPU-second, and never raise RecursionError.

Each case runs in a fresh child process so its peak RSS (`ru_maxrss`) is its own; the
figure reported is the child's peak minus its resident size just before the case ran
(imports and the server excluded). CPU figures are user+sys of the case alone; the machine
may be shared, so they are a ceiling of what the code needs.

Run: ``python -m benchmarks hostile``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from monitor.adapters.mofcom_detail import parse_detail
from monitor.adapters.rss import parse_feed
from monitor.errors import FetchError
from monitor.fetch.client import Fetcher
from monitor.models import Page, SourceDef
from monitor.replay.loopback import Answer, LoopbackServer

CAP = 10_000_000
BOMB_RSS_LIMIT_MB = 40.0
CPU_LIMIT_S = 3.0
FEED_URL = "https://www.globaltimes.cn/rss/china.xml"


def _rss_kb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return float(line.split()[1])
    return 0.0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Bomb:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def answer(self, method: str, target: str, headers: Mapping[str, str]) -> Answer:
        return Answer(200, self.body, "application/rss+xml", {"Content-Encoding": "gzip"})


def _gzip_zeros(size: int) -> bytes:
    """gzip of `size` zero bytes, made a MB at a time (the peak must be the fetch's)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1_000_000)
    parts = [packer.compress(block) for _ in range(size // len(block))]
    return b"".join(parts) + packer.flush()


def case_gzip_bomb() -> dict[str, float | str]:
    bomb = _gzip_zeros(200_000_000)
    server = LoopbackServer(_Bomb(bomb), name="bomb")
    source = SourceDef(id="gt", name="gt", kind="rss", url=FEED_URL, interval_s=1800,
                       base_url=f"http://127.0.0.1:{server.port}")  # fmt: skip
    try:
        with Fetcher(politeness_s=0, retries=0, max_bytes=CAP) as fetcher:
            before, cpu = _rss_kb(), _cpu()
            try:
                fetcher.get(source, FEED_URL, expect="xml")
                outcome = "accepted"
            except FetchError as error:
                outcome = error.reason
            peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            return {"outcome": outcome, "compressed_kb": len(bomb) / 1024,
                    "peak_rss_over_start_mb": (peak_kb - before) / 1024,
                    "cpu_s": _cpu() - cpu}  # fmt: skip
    finally:
        server.stop()


def _page(body: bytes) -> Page:
    return Page(url=FEED_URL, final_url=FEED_URL, status=200,
                headers={"content-type": "application/rss+xml"}, body=body, text="",
                fetched_at=datetime.now(UTC), sha256="-")  # fmt: skip


def case_nested_feed() -> dict[str, float | str]:
    items = b"".join(
        b"<item><title>Rare earths %d</title><link>https://www.globaltimes.cn/page/%d.shtml"
        b"</link><description><![CDATA[" % (i, i) + b"<div><span>" * 100
        + b"MOFCOM Announcement No. 61 of 2025]]></description></item>"
        for i in range(600)
    )  # fmt: skip
    body = b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>' + items
    body += b"</channel></rss>"
    source = SourceDef(id="gt", name="gt", kind="rss", url=FEED_URL, interval_s=1800)
    return _timed(lambda: len(parse_feed(_page(body), source)), len(body))


def case_nested_detail() -> dict[str, float | str]:
    html = ("<html><body><div class='art-con'>" + "<div><b>" * 70_000
            + "商务部公告2025年第61号</div></body></html>")  # fmt: skip
    url = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_1.html"
    return _timed(lambda: len(parse_detail(html, url, "mofcom-zcfb").text), len(html.encode()))


def _timed(work: Callable[[], int], size: int) -> dict[str, float | str]:
    cpu = _cpu()
    try:
        outcome = f"read ({work()})"
    except Exception as error:  # the benchmark reports what the code did, whatever it was
        outcome = type(error).__name__
    return {"outcome": outcome, "bytes": size, "cpu_s": _cpu() - cpu}


CASES: dict[str, Callable[[], dict[str, float | str]]] = {
    "gzip_bomb": case_gzip_bomb,
    "nested_feed": case_nested_feed,
    "nested_detail": case_nested_detail,
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--case":
        print(json.dumps(CASES[args[1]]()))
        return 0
    worst = 0
    for name in CASES:
        started = time.monotonic()
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_hostile", "--case", name],
            capture_output=True, text=True, check=False, timeout=600,
        )  # fmt: skip
        if child.returncode != 0:
            print(f"{name}: child failed\n{child.stderr[-2000:]}")
            worst = 1
            continue
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        shown = ", ".join(
            f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()
        )
        print(f"{name}: {shown} (wall {time.monotonic() - started:.1f}s)")
        ok = figures["cpu_s"] < CPU_LIMIT_S
        if name == "gzip_bomb":
            ok = ok and figures["outcome"] == "too_large"
            ok = ok and float(figures["peak_rss_over_start_mb"]) < BOMB_RSS_LIMIT_MB
        else:
            ok = ok and str(figures["outcome"]).startswith("read")
        if not ok:
            print(f"{name}: over target")
            worst = 1
    return worst


if __name__ == "__main__":
    sys.exit(main())
