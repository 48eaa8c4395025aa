"""Soak: 30 simulated days of the MOFCOM replay with faults injected at random.

The daemon's work is driven in-process on an accelerated clock (a `FixedClock` moved one
poll interval at a time): each step polls the source through the real pipeline, Fetcher and
jpaas adapter against the replay site on 127.0.0.1 (real HTTP). Every simulated day notices
are published (some rare-earth relevant, some not) and earlier relevant ones revised, also
ones long scrolled off page 1. At random steps a fault is injected instead of a normal poll:

- the site's own fault modes: 500, 412 and 521 challenge pages, a truncated body, a reset
  connection, an empty body, a bad jpaas envelope;
- a slow drip (the poll is sent to a server dripping one byte per 50 ms; 1 s deadline);
- a kill: `regwatch poll` run as a real process with ``REGWATCH_FAILPOINT=after_poll_commit``,
  SIGKILLed right after it committed its events and before delivering anything.

Checked at the end (and reported):

- resident memory flat: the RSS growth from day 5 to day 30 (under 15 MB);
- 0 lost: every notice published after the baseline has exactly one `notice.new`, every
  revision one `notice.revised`, detected within a day of the change;
- 0 false events: no other `notice.*` event, no duplicate;
- every source fault visible in health: right after each faulty poll the source's row shows
  a failure with the expected reason.

Run: ``python -m benchmarks soak`` (``--days N`` after ``python -m benchmarks.bench_soak``).
The machine may be shared: CPU-seconds are reported beside the wall time.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from monitor.clock import FixedClock
from monitor.config import load_settings
from monitor.failpoints import AFTER_POLL_COMMIT, ENV
from monitor.fetch.client import Fetcher
from monitor.pipeline import poll_source
from monitor.replay.site import ReplaySite, render_detail_page
from monitor.runtime import open_runtime
from monitor.store import tables as t
from monitor.store.health import source_health
from tests.support.drip import DripServer

ART = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2026/"
SOURCE_ID = "mofcom-zcfb"
INTERVAL = timedelta(minutes=30)
START = datetime(2026, 1, 5, 0, 10, tzinfo=UTC)
SITE_FAULTS = {"500": "http_status", "412": "challenge", "521": "challenge",
               "truncated": "truncated", "reset": "connect", "empty-body": "empty_body",
               "bad-envelope": "bad_envelope"}  # fmt: skip
FAULT_RATE = 0.08
KILL_RATE = 0.01
RSS_GROWTH_LIMIT_MB = 15.0
REPO = Path(__file__).resolve().parents[1]


@dataclass
class Ledger:
    published: dict[str, datetime] = field(default_factory=dict)  # doc_key → when
    relevant: list[int] = field(default_factory=list)
    revisions: list[tuple[str, datetime]] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)
    faults_seen: Counter[str] = field(default_factory=Counter)
    kills: int = 0
    killed_mid_work: int = 0  # of those, how many really died by SIGKILL after committing
    polls: int = 0
    rss_by_day: list[float] = field(default_factory=list)


def _page(number: int, relevant: bool, version: int, when: datetime) -> tuple[str, str]:
    doc_number = f"商务部公告2026年第{number}号"
    if relevant:
        title = f"{doc_number} 关于稀土相关物项出口管制有关事项的公告"
        body = [f"对钐、钆、铽、镝相关物项（1C902、1C904）的管理作出第{version}次说明。",
                "出口经营者应当依法申请两用物项出口许可证。"]  # fmt: skip
    else:
        title = f"{doc_number} 关于对外贸易经营者备案登记有关事项的公告"
        body = [f"对外贸易经营者备案登记办法第{version}次调整。", "请各地商务主管部门遵照执行。"]
    return title, render_detail_page(title, doc_number, "对外贸易司", when, body)


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return float(line.split()[1]) / 1024
    return 0.0


def _config(folder: Path, base_url: str) -> Path:
    path = folder / "regwatch.toml"
    path.write_text(
        f"""
[store]
url = "sqlite:///{folder / "regwatch.db"}"

[sources]
enabled = ["{SOURCE_ID}"]

[sources.{SOURCE_ID}]
base_url = "{base_url}"
politeness = 0
retries = 0
deadline = 1
page_size = 5
first_run_pages = 3
max_pages = 4
fetch_attachments = false
""",
        encoding="utf-8",
    )
    return path


def _kill_poll(config: Path, now: datetime) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGWATCH_")}
    env.update({ENV: AFTER_POLL_COMMIT, "PYTHONPATH": str(REPO)})
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(config), "--now", now.isoformat(),
         "poll"],
        capture_output=True, text=True, env=env, check=False, timeout=120, cwd=REPO,
    )  # fmt: skip
    return done.returncode


def soak(days: int, seed: int = 15) -> tuple[Ledger, dict[str, object]]:
    rng = random.Random(seed)
    ledger = Ledger()
    folder = Path(tempfile.mkdtemp(prefix="regwatch-soak-"))
    site = ReplaySite().start()
    drip = DripServer(length=100_000, every_s=0.05)
    number = 0

    def publish(when: datetime) -> None:
        nonlocal number
        number += 1
        relevant = rng.random() < 0.6
        title, html = _page(number, relevant, 1, when)
        site.publish(f"{ART}art_{number:032x}.html", html, title=title, date=when.date())
        ledger.published[f"MOFCOM-2026-{number}"] = when
        if relevant:
            ledger.relevant.append(number)

    clock = FixedClock(START)
    for _ in range(12):  # the baseline: three pages of five
        publish(START - timedelta(days=20))
    config = _config(folder, site.base_url)
    settings = load_settings(config)
    rt = open_runtime(settings, clock=clock, fetcher=Fetcher(retries=0, politeness_s=0))
    source = rt.sources[SOURCE_ID]
    baseline_keys = set(ledger.published)
    revised_versions: Counter[int] = Counter()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    try:
        poll_source(rt, source)
        ledger.polls += 1
        for step in range(1, days * 24 * 60 // 30 + 1):
            clock.advance(INTERVAL)
            now = clock.now()
            if step % 48 == 0:
                site.clear_requests()  # the replay's own request log is not regwatch's memory
                ledger.rss_by_day.append(_rss_mb())
            if rng.random() < 1 / 20:  # about 2.4 notices a day
                publish(now)
            if rng.random() < 1 / 48 and ledger.relevant:  # about one revision a day
                chosen = rng.choice(ledger.relevant)
                revised_versions[chosen] += 1
                when = now - timedelta(days=1)
                _, html = _page(chosen, True, 1 + revised_versions[chosen], when)
                site.revise(f"{ART}art_{chosen:032x}.html", html)
                ledger.revisions.append((f"MOFCOM-2026-{chosen}", now))
            roll = rng.random()
            if roll < KILL_RATE:
                ledger.kills += 1
                ledger.killed_mid_work += _kill_poll(config, now) == -9
                continue
            expected: str | None = None
            target = source
            if roll < KILL_RATE + FAULT_RATE:
                mode = rng.choice([*SITE_FAULTS, "drip"])
                ledger.faults[mode] += 1
                if mode == "drip":
                    target, expected = replace(source, base_url=drip.base_url), "timeout"
                else:
                    site.set_fault(mode, count=1)
                    expected = SITE_FAULTS[mode]
            outcome = poll_source(rt, target)
            ledger.polls += 1
            site.set_fault(None)
            if expected is not None:
                (row,) = source_health(rt.store, [SOURCE_ID])
                if (
                    not outcome.ok
                    and row.consecutive_failures >= 1
                    and (row.last_error_reason == expected)
                ):
                    ledger.faults_seen[(target.base_url == drip.base_url and "drip") or mode] += 1
    finally:
        rt.close()
        drip.close()
        site.stop()
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    figures: dict[str, object] = {
        "wall_s": time.monotonic() - started,
        "cpu_s": (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime),
        "store": folder / "regwatch.db",
        "baseline_keys": baseline_keys,
        "end": clock.now(),
    }
    return ledger, figures


def check(ledger: Ledger, figures: dict[str, object]) -> list[str]:
    engine = sa.create_engine(f"sqlite:///{figures['store']}")
    with engine.connect() as conn:
        events = [dict(r) for r in conn.execute(sa.select(t.events)).mappings()]
    engine.dispose()
    baseline = figures["baseline_keys"]
    assert isinstance(baseline, set)
    problems: list[str] = []
    ids = Counter(e["id"] for e in events)
    if any(n > 1 for n in ids.values()):
        problems.append(f"duplicate event ids: {[i for i, n in ids.items() if n > 1]}")
    news = Counter(e["doc_key"] for e in events if e["kind"] == "notice.new")
    expected_new = {k for k in ledger.published if k not in baseline}
    lost = sorted(expected_new - set(news))
    false_new = sorted(k for k in news if k not in expected_new or news[k] > 1)
    revised = sorted(
        (e["doc_key"], e["detected_at"]) for e in events if e["kind"] == "notice.revised"
    )
    missed: list[str] = []
    late: list[str] = []
    pending = 0
    by_key: dict[str, list[datetime]] = {}
    for key, when in revised:
        by_key.setdefault(key, []).append(when if when.tzinfo else when.replace(tzinfo=UTC))
    end = figures["end"]
    assert isinstance(end, datetime)
    for key, changed in ledger.revisions:
        found = [w for w in by_key.get(key, []) if w >= changed]
        if not found and end - changed < timedelta(days=1, hours=1):
            pending += 1  # changed in the last day: not due yet
            continue
        if not found:
            print(f"  missed {key}: changed {changed:%m-%d %H:%M}, its events {by_key.get(key)}")
            missed.append(key)
        elif min(found) - changed > timedelta(days=1, hours=1):
            late.append(key)
    false_revised = len(revised) - len({(k, c) for k, c in ledger.revisions})
    others = Counter(e["kind"] for e in events if e["kind"] not in ("notice.new", "notice.revised"))
    if lost:
        problems.append(f"lost notice.new: {lost}")
    if false_new:
        problems.append(f"false notice.new: {false_new}")
    if missed:
        problems.append(f"revisions never found: {missed}")
    if late:
        problems.append(f"revisions found later than a day: {late}")
    if false_revised > 0:
        problems.append(f"{false_revised} notice.revised beyond the revisions made")
    if others.get("notice.withdrawn"):
        problems.append(f"false notice.withdrawn: {others['notice.withdrawn']}")
    unseen = ledger.faults - ledger.faults_seen
    if unseen:
        problems.append(f"faults not visible in health: {dict(unseen)}")
    rss = ledger.rss_by_day
    if len(rss) > 5 and rss[-1] - rss[4] > RSS_GROWTH_LIMIT_MB:
        problems.append(f"resident memory grew {rss[-1] - rss[4]:.1f} MB from day 5")
    print(f"  events: {dict(Counter(e['kind'] for e in events))}")
    print(f"  notices published after the baseline: {len(expected_new)}, notice.new: "
          f"{sum(news.values())}, lost: {len(lost)}, false: {len(false_new)}")  # fmt: skip
    print(f"  revisions: {len(ledger.revisions)} ({pending} in the final day, not yet due; "
          f"two between the same rechecks make one event), notice.revised: {len(revised)}, "
          f"missed: {len(missed)}, later than a day: {len(late)}")  # fmt: skip
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_soak")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    ledger, figures = soak(args.days, args.seed)
    print(f"soak: {args.days} simulated days, {ledger.polls} polls, {ledger.kills} kills "
          f"({ledger.killed_mid_work} SIGKILLed after commit), wall {figures['wall_s']:.0f}s, "
          f"cpu {figures['cpu_s']:.0f}s (this process; shared machine)")  # fmt: skip
    print(f"  faults injected: {dict(ledger.faults)}")
    print(f"  faults visible in health right after: {dict(ledger.faults_seen)}")
    rss = ledger.rss_by_day
    if rss:
        print(f"  resident MB by day: first {rss[0]:.1f}, day 5 {rss[min(4, len(rss) - 1)]:.1f}, "
              f"last {rss[-1]:.1f}, max {max(rss):.1f}")  # fmt: skip
        print("  resident MB every 5 days:", " ".join(f"{v:.1f}" for v in rss[::5]))
    problems = check(ledger, figures)
    for problem in problems:
        print(f"  PROBLEM: {problem}")
    print("  verdict:", "ok" if not problems else "FAILED")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
