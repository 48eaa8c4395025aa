"""Profile the daemon's per-source work in one thread: claim → poll → finish, as a worker does.

Not a benchmark (no targets): a look inside the CPU that `python -m benchmarks polling`
measures from outside. Serves N feeds from the feed farm, takes the baseline round, then
runs the chosen round under cProfile and prints the top functions.

Run: ``python -m benchmarks.profile_poll [--feeds 300] [--round baseline|unchanged|recheck]
[--sort tottime|cumulative] [--top 40]``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.bench_polling import FeedFarm, write_regwatch
from monitor.clock import FixedClock, SystemClock
from monitor.config import load_settings
from monitor.daemon.jobs import runtime_jobs
from monitor.runtime import open_runtime
from monitor.store.leases import ensure_source_rows
from monitor.store.tables import sources


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_poll")
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--round", choices=("baseline", "unchanged", "recheck"),
                        default="unchanged")  # fmt: skip
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="profile-poll-") as tmp, FeedFarm(args.feeds) as farm:
        config = write_regwatch(Path(tmp), farm.urls)
        settings = load_settings(config)
        rt = open_runtime(settings)
        ensure_source_rows(rt.store, rt.sources.values())
        jobs = runtime_jobs(rt, "profiler")

        phases: dict[str, float] = {"claim": 0.0, "poll": 0.0, "finish": 0.0}

        def timed(phase: str, call: Callable[[], Any]) -> Any:
            started = time.process_time()
            try:
                return call()
            finally:
                phases[phase] += time.process_time() - started

        def one_round() -> float:
            phases.update(dict.fromkeys(phases, 0.0))
            started = time.process_time()
            while claimed := timed("claim", lambda: jobs.claim(rt.clock.now(), 1, ())):
                timed("poll", lambda: jobs.poll(claimed[0]))
                timed("finish", lambda: jobs.finish(claimed[0], rt.clock.now()))
            return time.process_time() - started

        def make_all_due() -> None:
            with rt.store.begin() as conn:
                conn.execute(sa.update(sources).values(next_poll_at=None))

        profile = cProfile.Profile(time.process_time)  # CPU, not waiting
        if args.no_profile:
            profile.enable = profile.disable = lambda *a: None  # type: ignore[method-assign]
        if args.round == "baseline":
            profile.enable()
        first = one_round()
        profile.disable()
        if args.round == "recheck":
            rt.clock = FixedClock(SystemClock().now() + timedelta(hours=1, minutes=5))
            jobs = runtime_jobs(rt, "profiler")
        if args.round != "baseline":
            make_all_due()
            one_round()  # the first round after the baseline
            make_all_due()
            profile.enable()
            cpu = one_round()
            profile.disable()
        else:
            cpu = first
        print(f"{args.round} round of {args.feeds}: {cpu:.2f} CPU-s "
              f"({cpu / args.feeds * 1000:.2f} ms per feed) {farm.counts()}")  # fmt: skip
        print("  per feed, ms:", {k: round(v / args.feeds * 1000, 2) for k, v in phases.items()})
        rt.close()
    if not args.no_profile:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
