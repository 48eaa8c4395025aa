"""runtime_jobs: the daemon's jobs bound to a real runtime on a SQLite store."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import monitor.daemon.jobs
from monitor.clock import FixedClock
from monitor.config import build_settings
from monitor.daemon.jobs import runtime_jobs
from monitor.models import SourceDef
from monitor.runtime import Runtime, open_runtime
from monitor.store.leases import ensure_source_rows

NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    settings = build_settings({"store": {"url": f"sqlite:///{tmp_path / 'regwatch.db'}"}})
    runtime = open_runtime(settings, clock=FixedClock(NOW))
    ensure_source_rows(runtime.store, runtime.sources.values())
    yield runtime
    runtime.close()


def test_leases_go_through_the_store(rt: Runtime) -> None:
    jobs = runtime_jobs(rt, "w1", rng=random.Random(1))
    claimed = list(jobs.claim(NOW, 100, ()))
    assert sorted(s.id for s in claimed) == sorted(rt.sources)
    assert list(jobs.claim(NOW, 100, ())) == []  # all leased to w1
    first, *rest = claimed
    assert jobs.renew({first.id}, NOW) == {first.id}
    assert jobs.finish(first, NOW) is True
    assert jobs.release([s.id for s in rest]) == len(rest)
    again = {s.id for s in jobs.claim(NOW, 100, ())}
    assert again == {s.id for s in rest}  # the finished one is not due before its interval
    later = NOW + timedelta(seconds=first.interval_s * 2)
    assert first.id in {s.id for s in jobs.claim(later, 100, ())}


def test_the_other_jobs_run_on_an_empty_store(rt: Runtime) -> None:
    jobs = runtime_jobs(rt, "w1")
    jobs.deliver()
    assert jobs.digests() == []  # no [email] section
    assert jobs.clock_events() == ()
    jobs.health()


def test_poll_runs_the_pipeline_on_the_runtime(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[Runtime, SourceDef]] = []
    monkeypatch.setattr(
        monitor.daemon.jobs, "poll_source", lambda runtime, source: seen.append((runtime, source))
    )
    source = next(iter(rt.sources.values()))
    runtime_jobs(rt, "w1").poll(source)
    assert seen == [(rt, source)]


def test_a_parser_crash_under_run_marks_the_source_failing_and_alerts_the_operator(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Crashing:
        options: frozenset[str] = frozenset()

        def poll(self, *args: object, **kwargs: object) -> object:
            raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("monitor.pipeline.adapters", lambda: {"mofcom-jpaas": Crashing()})
    told: list[str] = []
    monkeypatch.setattr(
        monitor.daemon.jobs,
        "notify_operator",
        lambda settings, channels, subject, text: told.append(text),
    )
    jobs = runtime_jobs(rt, "w1")
    source = rt.sources["mofcom-zcfb"]
    for _ in range(3):  # [operator] failure_threshold
        outcome = jobs.poll(source)
        assert not outcome.ok and outcome.reason == "too_deep"
    jobs.health()
    assert any("too_deep" in text and "3 consecutive failed polls" in text for text in told)
