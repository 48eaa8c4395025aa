"""Polling cost against urlwatch 2.29: 300 RSS feeds on 300 loopback hosts, in one run.

The feeds (`benchmarks.feedfarm`, a child process whose CPU is not counted) have 20 items,
~10 KB, ETag and Last-Modified, and answer 304 when unchanged. Measured, in this order:

1. urlwatch 2.29, first run (every job new), from its own venv (``benchmarks/.urlwatch-venv``,
   created with ``python -m venv`` + ``pip install urlwatch==2.29`` on first use; never the
   project's venv).
2. `regwatch run` (a real process, SQLite, default [schedule]): the first round (silent
   baseline of 6,000 items), then unchanged rounds (every source made due at once; all 304).
3. urlwatch again on the unchanged feeds: one whole one-shot cycle.
4. `regwatch --now <an hour later> poll`: a one-shot poll of the unchanged feeds an hour
   after the last round (the recheck period has passed).
5. `regwatch --help` and `regwatch controls` start-up (wall time, best of 5).
6. With ``--scale`` (default 1000 and 5000 feeds), regwatch alone: CPU per source per
   unchanged round (flat: within 1.2× of the 300-feed figure) and peak RSS (≤ 200 MB).

CPU is user + system of the whole process tree (``os.wait4`` of a finished child, or
/proc/<pid>/stat of the running daemon, children included); RSS is the peak (VmHWM or
ru_maxrss). HTTP status counts per run come from the farm.

Run: ``python -m benchmarks polling`` (``python -m benchmarks.bench_polling --quick`` for a
small try-out; ``--feeds N``, ``--scale 1000,5000``, ``--no-urlwatch``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parents[1]
URLWATCH_VENV = Path(__file__).resolve().parent / ".urlwatch-venv"
URLWATCH_VERSION = "2.29"
ITEMS_PER_FEED = 20
TICKS = os.sysconf("SC_CLK_TCK")

GOAL_ROUND_VS_URLWATCH = 0.20
GOAL_BASELINE_MS_PER_ITEM = 1.0
GOAL_ONESHOT_VS_URLWATCH = 1.0
GOAL_HELP_S = 0.25
GOAL_CONTROLS_S = 0.5
GOAL_FLAT = 1.2
GOAL_RSS_MB = 200.0


# -- the farm -----------------------------------------------------------------------------


class FeedFarm:
    """`benchmarks.feedfarm` in a child process."""

    def __init__(self, count: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.feedfarm", str(count)],
            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None and self.process.stdin is not None
        self._in: IO[str] = self.process.stdin
        self._out: IO[str] = self.process.stdout
        self.urls: list[str] = json.loads(self._out.readline())["urls"]

    def counts(self) -> dict[int, int]:
        """HTTP statuses answered since the last call."""
        self._in.write("counts\n")
        self._in.flush()
        return {int(k): v for k, v in json.loads(self._out.readline()).items()}

    def close(self) -> None:
        self._in.close()
        self.process.wait(30)

    def __enter__(self) -> FeedFarm:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


# -- measuring processes ------------------------------------------------------------------


@dataclass
class Run:
    what: str
    cpu_s: float
    wall_s: float
    rss_mb: float
    statuses: dict[int, int] = field(default_factory=dict)
    returncode: int = 0

    def status_text(self) -> str:
        return " ".join(f"{k}×{v}" for k, v in sorted(self.statuses.items())) or "-"


def run_measured(argv: Sequence[str], *, env: dict[str, str] | None = None,
                 cwd: Path = REPO) -> tuple[float, float, float, int]:  # fmt: skip
    """Run to the end; (CPU s of the whole tree, wall s, peak RSS MB, exit code)."""
    started = time.monotonic()
    process = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_* of wait4 include the child's own waited-for descendants.
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024, process.returncode


def tree_cpu_s(pid: int) -> float:
    """User + system CPU of a running process, its threads and its waited-for children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return (utime + stime + cutime + cstime) / TICKS


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_until(condition: Callable[[], bool], timeout: float, every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the benchmark waited too long")
        time.sleep(every)


# -- regwatch -----------------------------------------------------------------------------


def regwatch_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def write_regwatch(folder: Path, urls: Sequence[str]) -> Path:
    (folder / "sources").mkdir(parents=True, exist_ok=True)
    for index, url in enumerate(urls):
        (folder / "sources" / f"desk-{index:05d}.toml").write_text(
            f'name = "Rare-earth trade desk {index}"\nkind = "rss"\nurl = "{url}"\n'
            'interval = "1h"\nlanguage = "en"\n',
            encoding="utf-8",
        )
    config = folder / "regwatch.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{folder / "regwatch.db"}"\n'
        '[server]\nlisten = "127.0.0.1:0"\n'
        f'[sources]\ndir = "{folder / "sources"}"\n'
        '[[subscribers]]\nname = "magnets"\nconsole = false\n'
        '[logging]\nformat = "json"\n',
        encoding="utf-8",
    )
    return config


class Database:
    """Reads (and nudges) the daemon's SQLite store from outside, as an operator could."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30)
        connection.execute("PRAGMA busy_timeout = 30000")
        return connection

    def settled_polls(self, count: int) -> int:
        """Polls of the least-polled source once all `count` rows exist and none is leased."""
        if not self.path.exists():
            return -1
        with self._connect() as db:
            try:
                rows, least, leased = db.execute(
                    "SELECT count(*), min(polls), count(lease_owner) FROM sources"
                ).fetchone()
            except sqlite3.OperationalError:
                return -1  # not migrated yet
        return int(least or 0) if rows == count and not leased else -1

    def make_all_due(self) -> None:
        with self._connect() as db:
            db.execute("UPDATE sources SET next_poll_at = ?", (_sqlite_time(datetime.now(UTC)),))

    def count(self, table: str) -> int:
        with self._connect() as db:
            return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _sqlite_time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


@dataclass
class DaemonFigures:
    feeds: int
    startup: Run
    baseline: Run
    rounds: list[Run]
    stored_urls: int
    peak_rss_mb: float
    exit_code: int

    @property
    def round_cpu_s(self) -> float:
        """Median CPU of the rounds answered 304 throughout (a recheck round may read more)."""
        unchanged = [r for r in self.rounds if set(r.statuses) == {304}] or self.rounds
        return statistics.median(r.cpu_s for r in unchanged)


def measure_daemon(farm: FeedFarm, folder: Path, rounds: int, log: IO[str]) -> DaemonFigures:
    """`regwatch run`: start-up, the baseline round, then `rounds` unchanged rounds."""
    count = len(farm.urls)
    config = write_regwatch(folder, farm.urls)
    db = Database(folder / "regwatch.db")
    farm.counts()
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(config), "run"],
        cwd=REPO, env=regwatch_env(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_until(lambda: db.settled_polls(count) >= 0 or process.poll() is not None, 120, 0.02)
        startup = Run("regwatch run: start-up", tree_cpu_s(process.pid),
                      time.monotonic() - started, peak_rss_mb(process.pid))  # fmt: skip
        wait_until(lambda: db.settled_polls(count) >= 1, 3600)
        baseline = Run(
            f"regwatch run: first round, {count} feeds",
            tree_cpu_s(process.pid) - startup.cpu_s,
            time.monotonic() - started - startup.wall_s,
            peak_rss_mb(process.pid),
            farm.counts(),
        )
        measured: list[Run] = []
        for number in range(2, rounds + 2):
            cpu_before, wall_before = tree_cpu_s(process.pid), time.monotonic()
            db.make_all_due()
            wait_until(lambda n=number: db.settled_polls(count) >= n, 600)  # type: ignore[misc]
            measured.append(Run(
                f"regwatch run: round {number} (made due)",
                tree_cpu_s(process.pid) - cpu_before, time.monotonic() - wall_before,
                peak_rss_mb(process.pid), farm.counts(),
            ))  # fmt: skip
    finally:
        process.send_signal(signal.SIGTERM)
        _pid, status, usage = os.wait4(process.pid, 0)
    return DaemonFigures(
        feeds=count, startup=startup, baseline=baseline, rounds=measured,
        stored_urls=db.count("notice_urls"), peak_rss_mb=usage.ru_maxrss / 1024,
        exit_code=os.waitstatus_to_exitcode(status),
    )  # fmt: skip


def measure_oneshot(farm: FeedFarm, folder: Path, later: timedelta) -> Run:
    config = folder / "regwatch.toml"
    now = (datetime.now(UTC) + later).isoformat(timespec="seconds")
    farm.counts()
    cpu, wall, rss, code = run_measured(
        [sys.executable, "-m", "monitor", "--config", str(config), "--now", now, "poll"],
        env=regwatch_env(),
    )
    return Run(f"regwatch poll, {len(farm.urls)} feeds, {later} later", cpu, wall, rss,
               farm.counts(), code)  # fmt: skip


def measure_startup(folder: Path, args: Sequence[str], what: str, tries: int = 5) -> Run:
    config = folder / "regwatch.toml"
    runs = [
        run_measured(
            [sys.executable, "-m", "monitor", "--config", str(config), *args], env=regwatch_env()
        )
        for _ in range(tries)
    ]
    best = min(runs, key=lambda r: r[1])
    return Run(what, best[0], best[1], best[2], returncode=max(r[3] for r in runs))


# -- urlwatch -----------------------------------------------------------------------------


def urlwatch_bin() -> Path:
    binary = URLWATCH_VENV / "bin" / "urlwatch"
    if binary.exists():
        return binary
    print(f"installing urlwatch {URLWATCH_VERSION} into {URLWATCH_VENV}", flush=True)
    python = shutil.which("python3") or sys.executable
    subprocess.run([python, "-m", "venv", str(URLWATCH_VENV)], check=True)
    subprocess.run(
        [str(URLWATCH_VENV / "bin" / "pip"), "install", "-q", f"urlwatch=={URLWATCH_VERSION}"],
        check=True,
    )
    return binary


def write_urlwatch(folder: Path, urls: Sequence[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    jobs = [f"name: desk {i}\nurl: {url}\n" for i, url in enumerate(urls)]
    (folder / "urls.yaml").write_text("---\n".join(jobs), encoding="utf-8")


def measure_urlwatch(farm: FeedFarm, folder: Path, what: str) -> Run:
    farm.counts()
    cpu, wall, rss, code = run_measured(
        [str(urlwatch_bin()), "--urls", str(folder / "urls.yaml"),
         "--config", str(folder / "urlwatch.yaml"), "--hooks", str(folder / "hooks.py"),
         "--cache", str(folder / "cache.db")],
        env={**os.environ, "HOME": str(folder)}, cwd=folder,
    )  # fmt: skip
    return Run(what, cpu, wall, rss, farm.counts(), code)


# -- the report ---------------------------------------------------------------------------


@dataclass
class Line:
    figure: str
    regwatch: str
    urlwatch: str = ""
    ratio: str = ""
    goal: str = ""
    ok: bool | None = None

    def text(self) -> str:
        mark = "" if self.ok is None else ("ok" if self.ok else "MISSED")
        return (f"  {self.figure:<46} {self.regwatch:>22} {self.urlwatch:>12} {self.ratio:>8}"
                f"  {self.goal:<18} {mark}")  # fmt: skip


def run_line(run: Run) -> str:
    return (f"  {run.what:<46} cpu {run.cpu_s:7.2f} s  wall {run.wall_s:7.2f} s  "
            f"rss {run.rss_mb:6.0f} MB  http {run.status_text()}"
            + (f"  exit {run.returncode}" if run.returncode else ""))  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_polling")
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="rounds after the first")
    parser.add_argument("--scale", default="1000,5000", help="feed counts, regwatch only")
    parser.add_argument("--quick", action="store_true", help="60 feeds, no scale runs")
    parser.add_argument("--no-urlwatch", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.feeds, args.scale = 60, ""
    scale = [int(n) for n in args.scale.split(",") if n.strip()]
    runs: list[Run] = []
    lines: list[Line] = []
    with tempfile.TemporaryDirectory(prefix="bench-polling-") as tmp:
        folder = Path(tmp)
        log = (folder / "regwatch.log").open("w")
        print(f"{args.feeds} RSS feeds on {args.feeds} loopback hosts", flush=True)
        with FeedFarm(args.feeds) as farm:
            if not args.no_urlwatch:
                write_urlwatch(folder / "urlwatch", farm.urls)
                uw_first = measure_urlwatch(farm, folder / "urlwatch", "urlwatch: first run")
                runs.append(uw_first)
                print(run_line(uw_first), flush=True)
            daemon = measure_daemon(farm, folder / "regwatch", args.rounds, log)
            runs += [daemon.startup, daemon.baseline, *daemon.rounds]
            for run in (daemon.startup, daemon.baseline, *daemon.rounds):
                print(run_line(run), flush=True)
            uw_round = None
            if not args.no_urlwatch:
                uw_round = measure_urlwatch(farm, folder / "urlwatch", "urlwatch: unchanged run")
                runs.append(uw_round)
                print(run_line(uw_round), flush=True)
            oneshot = measure_oneshot(farm, folder / "regwatch", timedelta(hours=1, minutes=5))
            runs.append(oneshot)
            print(run_line(oneshot), flush=True)
        help_run = measure_startup(folder / "regwatch", ["--help"], "regwatch --help")
        controls_run = measure_startup(folder / "regwatch", ["controls"], "regwatch controls")
        for run in (help_run, controls_run):
            runs.append(run)
            print(run_line(run), flush=True)
        scaled: list[DaemonFigures] = []
        for count in scale:
            with FeedFarm(count) as farm:
                figures = measure_daemon(farm, folder / f"scale-{count}", args.rounds, log)
            scaled.append(figures)
            for run in (figures.startup, figures.baseline, *figures.rounds):
                print(run_line(run), flush=True)
        log.close()
        problems = [
            line for line in (folder / "regwatch.log").read_text().splitlines()
            if '"level": "WARNING"' in line or '"level": "ERROR"' in line
        ]  # fmt: skip

    items = args.feeds * ITEMS_PER_FEED
    round_cpu = daemon.round_cpu_s
    per_feed_ms = round_cpu / args.feeds * 1000
    baseline_ms = daemon.baseline.cpu_s / items * 1000
    lines.append(Line(
        f"run: CPU per unchanged round of {args.feeds}",
        f"{round_cpu:.2f} s ({per_feed_ms:.2f} ms/feed)",
        f"{uw_round.cpu_s:.2f} s" if uw_round else "",
        f"{round_cpu / uw_round.cpu_s:.2f}×" if uw_round else "",
        f"≤ {GOAL_ROUND_VS_URLWATCH:.2f}× urlwatch",
        round_cpu <= GOAL_ROUND_VS_URLWATCH * uw_round.cpu_s if uw_round else None,
    ))  # fmt: skip
    lines.append(Line(
        f"run: first round ({items} items)",
        f"{daemon.baseline.cpu_s:.2f} s ({baseline_ms:.2f} ms/item)",
        f"{uw_first.cpu_s:.2f} s" if not args.no_urlwatch else "",
        f"{daemon.baseline.cpu_s / uw_first.cpu_s:.2f}×" if not args.no_urlwatch else "",
        f"≤ {GOAL_BASELINE_MS_PER_ITEM:.0f} ms/item", baseline_ms <= GOAL_BASELINE_MS_PER_ITEM,
    ))  # fmt: skip
    oneshot_ok = oneshot.returncode == 0 and (
        oneshot.cpu_s <= GOAL_ONESHOT_VS_URLWATCH * uw_round.cpu_s if uw_round else True
    )
    lines.append(Line(
        "poll one-shot, 65 min later", f"{oneshot.cpu_s:.2f} s [{oneshot.status_text()}]",
        f"{uw_round.cpu_s:.2f} s" if uw_round else "",
        f"{oneshot.cpu_s / uw_round.cpu_s:.2f}×" if uw_round else "",
        f"≤ {GOAL_ONESHOT_VS_URLWATCH:.1f}× urlwatch", oneshot_ok,
    ))  # fmt: skip
    lines.append(Line("--help start-up (wall, best of 5)", f"{help_run.wall_s:.3f} s", "", "",
                      f"≤ {GOAL_HELP_S} s", help_run.wall_s <= GOAL_HELP_S))  # fmt: skip
    controls_ok = controls_run.wall_s <= GOAL_CONTROLS_S and controls_run.returncode == 0
    lines.append(Line("controls start-up (wall, best of 5)", f"{controls_run.wall_s:.3f} s", "",
                      "", f"≤ {GOAL_CONTROLS_S} s", controls_ok))  # fmt: skip
    for figures in scaled:
        per_source = figures.round_cpu_s / figures.feeds * 1000
        flat = per_source / per_feed_ms
        lines.append(Line(f"run: CPU per source per round, {figures.feeds} feeds",
                          f"{per_source:.2f} ms ({flat:.2f}× {args.feeds})", "", "",
                          f"≤ {GOAL_FLAT}× that of {args.feeds}", flat <= GOAL_FLAT))  # fmt: skip
        lines.append(Line(f"run: peak RSS, {figures.feeds} feeds", f"{figures.peak_rss_mb:.0f} MB",
                          "", "", f"≤ {GOAL_RSS_MB:.0f} MB",
                          figures.peak_rss_mb <= GOAL_RSS_MB))  # fmt: skip
    lines.append(Line(f"run: peak RSS, {args.feeds} feeds", f"{daemon.peak_rss_mb:.0f} MB"))
    lines.append(Line("urls stored after the first round", f"{daemon.stored_urls}", "", "",
                      f"= {items}", daemon.stored_urls == items))  # fmt: skip
    lines.append(Line("warnings/errors logged by regwatch", f"{len(problems)}", "", "", "0",
                      not problems))  # fmt: skip
    print(f"\n  {'figure':<46} {'regwatch':>22} {'urlwatch':>12} {'ratio':>8}  goal")
    for line in lines:
        print(line.text())
    for problem in problems[:5]:
        print("  log:", problem[:300])
    print("  (CPU = user+sys of the process tree; the machine may be shared: wall times are noisy)")
    return 0 if all(line.ok is not False for line in lines) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
