"""Every source kind's unchanged poll, and the shared browser's wall time and memory.

Part 1 — per kind, one bundled definition pointed at its loopback replay (tests/support's
replays, the sites' real shapes), SQLite store, politeness 0. After the baseline, `polls`
unchanged polls through the whole pipeline (`poll_source`: store state, adapter,
conditional request, health write). Counted per poll: requests (target: 1, the list page
alone) and CPU seconds of the polling thread (`time.thread_time`: the replay servers run
in other threads and are not counted; the browser kind's CPU is in Chromium's processes,
reported in part 2).

Part 2 — the browser (`fetch = "browser"`): the GACC-shaped list behind a 412
cookie-setting script on loopback. Wall time of the first page (Chromium's start
included), then of pages each in a fresh context (each passes the challenge again), then
of pages with the cookie kept; the shared browser's memory is the RSS of its whole
process tree (browser, GPU, network and renderer processes) after them. Targets: ≤ 3 s
wall per page, ≤ 400 MB.

The machine may be shared: CPU seconds are the figures to compare, wall times are upper
bounds. Run: ``python -m benchmarks sources`` (``python -m benchmarks.bench_sources
--polls N --pages N``).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from monitor.config import build_settings
from monitor.fetch.browser import BrowserPages, chromium_path
from monitor.fetch.client import Fetcher
from monitor.pipeline import poll_source
from monitor.runtime import open_runtime
from tests.support.source_replays import GACC_LIST, Replays, started_replays

WALL_TARGET_S = 3.0
MEMORY_TARGET_MB = 400.0
KINDS = {  # one bundled definition per kind
    "mofcom-jpaas": "mofcom-zcfb",
    "rss": "news-search-zh",
    "mofcom-exportcontrol": "mofcom-exportcontrol",
    "html-list": "mofcom-english-announcements",
    "federal-register": "federal-register-bis",
    "govcn-search": "govcn-export-control",
}


def unchanged_polls(replays: Replays, polls: int) -> int:
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        data = tomllib.loads(replays.config_toml(f"sqlite:///{Path(folder) / 'regwatch.db'}"))
        rt = open_runtime(build_settings(data), fetcher=Fetcher(politeness_s=0, retries=0))
        try:
            print(f"{'kind':<22} {'source':<30} {'requests/poll':>13} {'CPU ms/poll':>12}")
            for kind, source_id in KINDS.items():
                source = rt.sources[source_id]
                if not poll_source(rt, source).ok:
                    print(f"{kind}: the baseline poll failed", file=sys.stderr)
                    return 1
                poll_source(rt, source)  # the first poll after a baseline is its recheck
                requests: list[int] = []
                cpu: list[float] = []
                for _ in range(polls):
                    started = time.thread_time()
                    outcome = poll_source(rt, source)
                    cpu.append(time.thread_time() - started)
                    requests.append(outcome.requests if outcome.unchanged else -1)
                ok = all(r == 1 for r in requests)
                failures += not ok
                print(f"{kind:<22} {source_id:<30} {max(requests):>13} "
                      f"{statistics.mean(cpu) * 1000:>12.2f}"
                      + ("" if ok else "   <- not one unchanged request"))  # fmt: skip
        finally:
            rt.close()
    return failures


def tree_memory_mb(root: int) -> tuple[float, float]:
    """(PSS, RSS) of a process and all its descendants, from /proc. PSS divides shared
    pages among the processes sharing them, so it is the tree's real footprint; the RSS
    sum counts Chromium's shared libraries once per process."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    members = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in members and pid not in members:
                members.add(pid)
                grew = True
    pss_kb = rss_kb = 0
    for pid in members:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                pss_kb += int(line.split()[1])
            elif line.startswith("Rss:"):
                rss_kb += int(line.split()[1])
    return pss_kb / 1024, rss_kb / 1024


def browser_pages(replays: Replays, pages: int) -> int:
    if not Path(chromium_path()).exists():
        print(f"browser: skipped, no Chromium at {chromium_path()}")
        return 0
    with tempfile.TemporaryDirectory() as folder:
        data = tomllib.loads(replays.config_toml(f"sqlite:///{Path(folder) / 'regwatch.db'}"))
        gacc = open_runtime(build_settings(data)).sources["customs-gacc-announcements"]
    browser = BrowserPages()
    url = f"http://www.customs.gov.cn{GACC_LIST}"
    try:
        walls: dict[str, list[float]] = {"first (launch)": [], "fresh context": [],
                                         "cookie kept": []}  # fmt: skip
        for n in range(1 + 2 * pages):
            fresh = n <= pages
            source = dataclasses.replace(gacc, id=f"gacc-{n}" if fresh else "gacc-0")
            started = time.perf_counter()
            page = browser.get(source, url)
            elapsed = time.perf_counter() - started
            assert "海关总署公告" in page.text
            label = "first (launch)" if n == 0 else "fresh context" if fresh else "cookie kept"
            walls[label].append(elapsed)
        pid = browser.browser_pid()
        memory, rss = tree_memory_mb(pid) if pid else (float("nan"), float("nan"))
    finally:
        browser.close()
    launch = walls.pop("first (launch)")[0]
    worst = max(max(v) for v in walls.values())
    print(f"browser start + first page: {launch:.2f} s (once per process)")
    for label, values in walls.items():
        print(f"browser {label:<15} pages {len(values):>2}  wall s/page: max "
              f"{max(values):.2f}, mean {statistics.mean(values):.2f}")  # fmt: skip
    print(f"browser process tree: PSS {memory:.0f} MB (target ≤ {MEMORY_TARGET_MB:.0f} MB), "
          f"RSS sum {rss:.0f} MB")  # fmt: skip
    print(f"worst page {worst:.2f} s (target ≤ {WALL_TARGET_S:.0f} s)")
    return int(worst > WALL_TARGET_S or not memory <= MEMORY_TARGET_MB)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks sources")
    parser.add_argument("--polls", type=int, default=200)
    parser.add_argument("--pages", type=int, default=5)
    args = parser.parse_args(argv)
    with started_replays() as replays:
        replays.publish_baseline()
        failed = unchanged_polls(replays, args.polls)
        failed += browser_pages(replays, args.pages)
    return int(failed > 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
