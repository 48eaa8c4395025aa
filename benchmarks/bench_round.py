"""A polling round over 300 sources, and three replicas on PostgreSQL over ten rounds.

Part 1 — one replica, one round. 300 `mofcom-jpaas` sources, each its own column (distinct
list-API ids) on one loopback replay of the MOFCOM site, which runs in a child process so
that its CPU is not counted. The daemon (`run_daemon`, SQLite store, 8 workers, tick 1 s)
runs in this process; after the baseline round and the first recheck round, a steady-state
round is triggered (every source made due at once) and measured: wall time until all 300
were polled (target < 30 s), CPU seconds of this process from `resource.getrusage`
(target < 3 s), max RSS (target < 200 MB). In steady state every list answers 304.

Part 2 — three `regwatch run` processes sharing one PostgreSQL schema, the same 300
sources polled every 4 s (jitter 10 %), ten rounds with three new rare-earth notices
published per round, Slack stand-in on loopback. Counted: sources polled twice within an
interval (list requests per column, timed at the replay site: a gap shorter than
interval × (1 − jitter)), duplicate Slack deliveries (by metadata event_id), lost changes
(a published notice without its event, or an event without its one Slack message). All
three targets are 0.

Politeness: the Fetcher spaces requests per host (2 s by default) and every source here
lives on the same 127.0.0.1 replay (ReplaySite binds 127.0.0.1 only), so the source
definitions set ``politeness = 0``. Otherwise a round would measure 300 × 2 s of deliberate
waiting instead of regwatch's own cost; in production the sources sit on a few real hosts
and politeness is the intended throttle.

Run: ``python -m benchmarks round`` (``python -m benchmarks.bench_round --sources N
--rounds N --part 1|2`` for one part; part 2 needs PostgreSQL on 127.0.0.1:5432 and is
skipped, not failed, without it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from monitor.config import build_settings
from monitor.daemon.timer import run_daemon
from monitor.metrics import REGISTRY
from monitor.replay.mofcom_pages import API_PATH, render_detail_page
from monitor.replay.site import Column, ReplaySite
from monitor.replay.slack import DEFAULT_TOKEN, SlackStandIn
from monitor.store import Store, open_store
from monitor.store.tables import events, outbox, sources

REPO = Path(__file__).resolve().parents[1]
WALL_TARGET_S = 30.0
CPU_TARGET_S = 3.0
RSS_TARGET_MB = 200.0


# -- the sources and the site -------------------------------------------------------------


def make_columns(count: int) -> list[Column]:
    return [
        Column(f"b{i:03d}", f"/zwgk/b{i:03d}/index.html", f"w{i:031d}", f"t{i:031d}",
               f"p{i:031d}")
        for i in range(count)
    ]  # fmt: skip


def publish(site: ReplaySite, column: Column, number: int, element: str = "镝") -> str:
    """A rare-earth notice at the top of `column`; returns its doc_key."""
    doc_number = f"商务部公告2025年第{number}号"
    title = f"{doc_number} 关于对{element}相关稀土物项实施出口管制的决定"
    html = render_detail_page(
        title=title, doc_number=doc_number, issuing_unit="安全与管制局",
        pub=dt.datetime(2025, 10, 9, 9, 30),
        paragraphs=[f"决定对{element}相关稀土物项实施出口管制。", "本公告自公布之日起正式实施。"],
    )  # fmt: skip
    url = f"https://www.mofcom.gov.cn/zwgk/{column.name}/art/2025/art_{number:032x}.html"
    site.publish(url, html, title=title, date=dt.date(2025, 10, 9), column=column.name)
    return f"MOFCOM-2025-{number}"


def write_definitions(folder: Path, columns: Sequence[Column], base_url: str,
                      interval: str) -> None:  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    for column in columns:
        (folder / f"{column.name}.toml").write_text(
            f'name = "Bench column {column.name}"\n'
            'kind = "mofcom-jpaas"\n'
            f'url = "https://www.mofcom.gov.cn{column.index_path}"\n'
            f'interval = "{interval}"\n'
            f'base_url = "{base_url}"\n'
            f'web_id = "{column.web_id}"\ntpl_set_id = "{column.tpl_set_id}"\n'
            f'page_id = "{column.page_id}"\ntag_id = "{column.tag_id}"\n'
            "politeness = 0\n",
            encoding="utf-8",
        )


class TimedSite(ReplaySite):
    """The replay site, remembering when each list request arrived."""

    def __init__(self, columns: Sequence[Column]) -> None:
        super().__init__(columns=columns)
        self.timed: list[tuple[float, str]] = []
        self._timed_lock = threading.Lock()

    def answer(self, *args: Any, **kwargs: Any) -> Any:
        target = args[1] if len(args) > 1 else kwargs["target"]
        if target.startswith(API_PATH):
            with self._timed_lock:
                self.timed.append((time.monotonic(), target))
        return super().answer(*args, **kwargs)

    def list_polls(self, columns: Sequence[Column]) -> dict[str, list[float]]:
        """Times of page-1 list requests (one per poll) by column name."""
        names = {c.web_id: c.name for c in columns}
        polls: dict[str, list[float]] = defaultdict(list)
        with self._timed_lock:
            timed = list(self.timed)
        for moment, target in timed:
            query = parse_qs(urlsplit(target).query)
            if '"pageNo":1,' in (query.get("paramJson") or [""])[0].replace(" ", ""):
                polls[names[query["webId"][0]]].append(moment)
        return polls


def serve_replay(count: int) -> int:
    """Child-process mode: serve `count` columns with one notice each until stdin closes."""
    columns = make_columns(count)
    with ReplaySite(columns=columns) as site:
        for index, column in enumerate(columns):
            publish(site, column, 5000 + index)
        print(site.base_url, flush=True)
        sys.stdin.read()
    return 0


# -- helpers ------------------------------------------------------------------------------


def wait_until(condition: Callable[[], bool], timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(every)
    return True


def min_polls(store: Store) -> int:
    with store.connect() as conn:
        return int(conn.execute(sa.select(sa.func.min(sources.c.polls))).scalar() or 0)


def settled_min_polls(store: Store) -> int:
    """Polls of the least-polled source, once no poll is still finishing.

    A source's poll count rises in the poll's transaction, before the worker releases the
    lease and sets next_poll_at; making every source due in between would be overwritten.
    """
    with store.connect() as conn:
        busy = conn.execute(
            sa.select(sa.func.count()).where(sources.c.lease_owner.is_not(None))
        ).scalar()
    return 0 if busy else min_polls(store)


def make_all_due(store: Store) -> None:
    with store.begin() as conn:
        conn.execute(sa.update(sources).values(next_poll_at=dt.datetime.now(dt.UTC)))


def unchanged_polls(columns: Sequence[Column]) -> float:
    # One pass over the registry (get_sample_value per source would collect it 300 times).
    names = {c.name for c in columns}
    return sum(
        sample.value
        for metric in REGISTRY.collect() if metric.name == "regwatch_polls"
        for sample in metric.samples
        if sample.name == "regwatch_polls_total" and sample.labels.get("outcome") == "unchanged"
        and sample.labels.get("source") in names
    )  # fmt: skip


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Row:
    what: str
    value: str
    target: str = ""
    ok: bool | None = None

    def line(self) -> str:
        mark = "" if self.ok is None else ("ok" if self.ok else "MISSED")
        return f"  {self.what:<44} {self.value:>12}  {self.target:<10} {mark}"


# -- part 1 -------------------------------------------------------------------------------


def one_replica_round(count: int) -> list[Row]:
    columns = make_columns(count)
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.bench_round", "--serve-replay", str(count)],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None and child.stdin is not None
    try:
        base_url = child.stdout.readline().strip()
        with tempfile.TemporaryDirectory(prefix="bench-round-") as tmp:
            folder = Path(tmp)
            write_definitions(folder / "sources", columns, base_url, interval="1h")
            settings = build_settings({
                "store": {"url": f"sqlite:///{folder / 'regwatch.db'}"},
                "sources": {"dir": str(folder / "sources")},
                "schedule": {"tick": "1s", "max_workers": 8},
                "subscribers": [{"name": "ops", "console": False}],
            }, path=folder / "regwatch.toml")  # fmt: skip
            store = open_store(settings.store.url)  # migrated once, before the clock starts
            stop = threading.Event()
            daemon = threading.Thread(
                target=run_daemon, args=(settings,),
                kwargs={"stop": stop, "serve_http": False, "worker_id": "bench"},
            )  # fmt: skip
            started = time.monotonic()
            daemon.start()
            try:
                assert wait_until(lambda: settled_min_polls(store) >= 1, 300), "baseline round"
                baseline_s = time.monotonic() - started
                make_all_due(store)  # round 2 re-reads detail pages once (recheck)
                assert wait_until(lambda: settled_min_polls(store) >= 2, 300), "recheck round"
                before_unchanged = unchanged_polls(columns)
                cpu_before, wall_before = cpu_seconds(), time.monotonic()
                make_all_due(store)
                assert wait_until(lambda: settled_min_polls(store) >= 3, 300), "steady round"
                wall = time.monotonic() - wall_before
                cpu = cpu_seconds() - cpu_before
                not_modified = unchanged_polls(columns) - before_unchanged
            finally:
                stop.set()
                daemon.join(15)
                store.dispose()
    finally:
        child.stdin.close()
        child.wait(10)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return [
        Row(f"baseline round, {count} sources (incl. start)", f"{baseline_s:.2f} s"),
        Row("steady round: unchanged polls", f"{not_modified:.0f}/{count}"),
        Row("steady round: wall time", f"{wall:.2f} s", f"< {WALL_TARGET_S:.0f} s",
            wall < WALL_TARGET_S),
        Row("steady round: CPU seconds (this process)", f"{cpu:.2f} s", f"< {CPU_TARGET_S:.0f} s",
            cpu < CPU_TARGET_S),
        Row("max RSS (whole run)", f"{rss_mb:.0f} MB", f"< {RSS_TARGET_MB:.0f} MB",
            rss_mb < RSS_TARGET_MB),
    ]  # fmt: skip


# -- part 2 -------------------------------------------------------------------------------


def three_replicas(count: int, rounds: int, per_round: int = 3) -> list[Row]:
    from tests.support.databases import postgres_available, postgres_schema_url

    if not postgres_available():
        return [Row("3 replicas on PostgreSQL", "skipped", "", None)]
    interval_s, jitter = 4.0, 0.1
    columns = make_columns(count)
    site = TimedSite(columns)
    with (
        postgres_schema_url() as url,
        site,
        SlackStandIn() as slack,
        tempfile.TemporaryDirectory(prefix="bench-replicas-") as tmp,
    ):
        folder = Path(tmp)
        for index, column in enumerate(columns):
            publish(site, column, 5000 + index)
        write_definitions(folder / "sources", columns, site.base_url, interval=f"{interval_s}s")
        config = folder / "regwatch.toml"
        config.write_text(
            f"""
[store]
url = "{url}"
[server]
listen = "127.0.0.1:0"
[sources]
dir = "{folder / "sources"}"
[slack]
api_url = "{slack.api_url}"
[[subscribers]]
name = "magnets"
slack_channel = "#ree-alerts"
[delivery]
interval = "1s"
[schedule]
tick = "0.5s"
jitter = {jitter}
lease = "20s"
max_workers = 8
[logging]
format = "json"
level = "WARNING"
""",
            encoding="utf-8",
        )
        store = open_store(url)
        env = {"SLACK_BOT_TOKEN": DEFAULT_TOKEN, "PYTHONPATH": str(REPO),
               "PATH": "/usr/bin:/bin"}  # fmt: skip
        logs = [(folder / f"replica{i}.log").open("w") for i in range(3)]
        replicas = [
            subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "run"],
                             cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
            for log in logs
        ]  # fmt: skip
        published: list[str] = []
        started = time.monotonic()
        try:
            assert wait_until(lambda: min_polls(store) >= 2, 120, 0.2), "first rounds"
            numbers = itertools.count(7000)
            for round_no in range(rounds):
                for j in range(per_round):
                    column = columns[(round_no * 37 + j * 101) % count]
                    published.append(publish(site, column, next(numbers)))
                time.sleep(interval_s)
            expected = len(published)

            def settled() -> bool:
                with store.connect() as conn:
                    sent = conn.execute(
                        sa.select(sa.func.count()).where(
                            outbox.c.channel == "slack", outbox.c.status == "sent"
                        )
                    ).scalar()
                return int(sent or 0) >= expected

            settled_in_time = wait_until(settled, 60, 0.2)
        finally:
            for process in replicas:
                process.send_signal(signal.SIGTERM)
            codes = [process.wait(20) for process in replicas]
            for log in logs:
                log.close()
        elapsed = time.monotonic() - started
        logged = "".join((folder / f"replica{i}.log").read_text() for i in range(3))
        problems = Counter(
            level for level in ("WARNING", "ERROR", "CRITICAL") for line in logged.splitlines()
            if f'"level": "{level}"' in line
        )  # fmt: skip
        with store.connect() as conn:
            found = set(conn.scalars(sa.select(events.c.doc_key)))
            slack_rows = conn.execute(
                sa.select(outbox.c.event_id, outbox.c.status).where(outbox.c.channel == "slack")
            ).all()
        store.dispose()
        posted = Counter(m.metadata["event_payload"]["event_id"]
                         for m in slack.messages if m.metadata)  # fmt: skip
        duplicates = sum(n - 1 for n in posted.values())
        lost = (
            sum(1 for key in published if key not in found)
            + sum(1 for event_id, status in slack_rows
                  if status != "sent" or event_id not in posted)
        )  # fmt: skip
        shortest = interval_s * (1 - jitter) - 0.02
        polls = site.list_polls(columns)
        double, total_polls = 0, 0
        for times in polls.values():
            ours = [t for t in times if t >= started]
            total_polls += len(ours)
            double += sum(1 for a, b in itertools.pairwise(ours) if b - a < shortest)
    return [
        Row(f"3 replicas, {count} sources, {rounds} rounds", f"{elapsed:.1f} s"),
        Row("polls seen at the replay", f"{total_polls}"),
        Row("changes published / Slack rows", f"{len(published)}/{len(slack_rows)}"),
        Row("sources polled twice within an interval", f"{double}", "0", double == 0),
        Row("duplicate Slack deliveries", f"{duplicates}", "0", duplicates == 0),
        Row("lost changes", f"{lost}", "0", lost == 0 and settled_in_time),
        Row("warnings / errors logged by the replicas",
            f"{problems['WARNING']}/{problems['ERROR'] + problems['CRITICAL']}"),
        Row("replica exit codes on SIGTERM", ",".join(map(str, codes)), "0,0,0",
            codes == [0, 0, 0]),
    ]  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_round")
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--part", choices=("1", "2"), default=None)
    parser.add_argument("--serve-replay", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_replay is not None:
        return serve_replay(args.serve_replay)
    rows: list[Row] = []
    if args.part in (None, "1"):
        print(f"one replica, one round over {args.sources} sources (SQLite)", flush=True)
        rows += one_replica_round(args.sources)
    if args.part in (None, "2"):
        print(f"three replicas on PostgreSQL, {args.rounds} rounds", flush=True)
        rows += three_replicas(args.sources, args.rounds)
    for row in rows:
        print(row.line())
    return 0 if all(row.ok is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
