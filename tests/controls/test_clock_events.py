"""Date-driven events from the stored notices: once each, never a flood at first start."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from monitor.adapters.base import ListedItem, PollResult, SourceState
from monitor.adapters.mofcom_detail import parse_detail
from monitor.clock import BEIJING, FixedClock
from monitor.config import Subscriber, Watch, build_settings
from monitor.controls.clock_events import run_clock
from monitor.models import RawNotice, SourceDef
from monitor.pipeline import poll_source
from monitor.runtime import Runtime
from monitor.store import Store
from monitor.store import tables as t

CORPUS = Path(__file__).resolve().parents[2] / "monitor" / "corpus"
SOURCE = SourceDef(
    id="mofcom-zcfb",
    name="MOFCOM",
    kind="scripted",
    url="https://www.mofcom.gov.cn/zwgk/zcfb/index.html",
    interval_s=900,
)


def corpus_page(stem: str) -> RawNotice:
    meta = json.loads((CORPUS / f"{stem}.json").read_text(encoding="utf-8"))
    html = (CORPUS / f"{stem}.html").read_text(encoding="utf-8")
    return parse_detail(html, meta["url"], SOURCE.id)


@dataclass
class Scripted:
    answers: list[PollResult] = field(default_factory=list)
    options: frozenset[str] = frozenset()

    def poll(self, source: SourceDef, fetcher: object, state: SourceState, **_: Any) -> PollResult:
        return self.answers.pop(0)


def listing(*pages: RawNotice) -> PollResult:
    return PollResult(
        unchanged=False,
        notices=pages,
        listed=tuple(ListedItem(p.url, p.title, p.published) for p in pages),
    )


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> Scripted:
    adapter = Scripted()
    monkeypatch.setattr("monitor.pipeline.adapters", lambda: {"scripted": adapter})
    return adapter


def runtime(store: Store, now: datetime) -> Runtime:
    settings = build_settings({})
    settings = type(settings)(
        **{
            **settings.__dict__,
            "subscribers": (
                Subscriber(name="all", console=True),
                Subscriber(name="gallium", console=True, watch=Watch(keywords=("镓",))),
            ),
        }
    )
    return Runtime(
        settings=settings,
        store=store,
        clock=FixedClock(now),
        fetcher=None,  # type: ignore[arg-type]
        sources={SOURCE.id: SOURCE},
        channels=None,
    )  # type: ignore[arg-type]


def events(store: Store) -> list[dict[str, Any]]:
    with store.connect() as conn:
        return [
            dict(r) for r in conn.execute(sa.select(t.events).order_by(t.events.c.seq)).mappings()
        ]


TIMELINE = (
    "mofcom-2024-46",
    "mofcom-2025-18",
    "mofcom-2025-61",
    "mofcom-2025-62",
    "mofcom-2025-55",
    "mofcom-2025-57",
    "mofcom-2025-70",
    "mofcom-2025-72",
)


def test_first_start_today_floods_nobody_and_no72_lapses_once(
    store: Store, scripted: Scripted
) -> None:
    rt = runtime(store, datetime(2026, 11, 21, 9, tzinfo=BEIJING))
    scripted.answers = [listing(*(corpus_page(s) for s in TIMELINE))]
    assert poll_source(rt, SOURCE).baseline
    assert run_clock(rt) == ()  # No. 70's end (2026-11-10) was already past at first start
    assert events(store) == []

    rt.clock.set(datetime(2026, 11, 27, 23, tzinfo=BEIJING))  # type: ignore[attr-defined]
    assert run_clock(rt) == ()  # the suspension still runs on its last day
    rt.clock.set(datetime(2026, 11, 28, 0, 5, tzinfo=BEIJING))  # type: ignore[attr-defined]
    emitted = run_clock(rt)
    assert len(emitted) == 1
    (event,) = events(store)
    assert event["kind"] == "measure.suspension_ended" and event["doc_key"] == "MOFCOM-2024-46"
    assert event["item"]["_regwatch"]["notice"]["doc_key"] == "MOFCOM-2024-46"
    assert run_clock(rt) == ()  # once only

    restarted = runtime(store, datetime(2026, 11, 29, tzinfo=UTC))
    assert run_clock(restarted) == ()  # and never again after a restart


def test_dates_after_first_sight_become_events(store: Store, scripted: Scripted) -> None:
    rt = runtime(store, datetime(2025, 11, 7, 21, tzinfo=BEIJING))
    scripted.answers = [listing(*(corpus_page(s) for s in TIMELINE))]
    poll_source(rt, SOURCE)
    rt.clock.set(datetime(2026, 11, 11, 8, tzinfo=BEIJING))  # type: ignore[attr-defined]
    run_clock(rt)
    ended = {e["doc_key"] for e in events(store) if e["kind"] == "measure.suspension_ended"}
    assert {"MOFCOM-2025-61", "MOFCOM-2025-62", "MOFCOM-2025-57", "MOFCOM-2025-55"} <= ended
    for item in (e["item"] for e in events(store)):
        assert item["_regwatch"]["event"].startswith("measure.")
