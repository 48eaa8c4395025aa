"""One poll of one source, end to end: fetch → parse → identify → diff → classify → store.

The adapter does the network part; everything it found is then written in ONE
transaction (notices, URLs, versions, events, recipients, outbox rows, the source's new
validators). A fetch or parse failure writes only the source's health, never an event
and never a change to the baseline.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from monitor import metrics
from monitor.adapters.base import PollResult, Progress
from monitor.adapters.registry import adapters
from monitor.detect.diff import text_diff
from monitor.detect.events import change_event, recipients
from monitor.detect.identity import alias_target, build_notice, read_facts
from monitor.errors import ParseError, SourceError, StoreError
from monitor.failpoints import AFTER_POLL_COMMIT, failpoint
from monitor.models import Change, Event, EventKind, Notice, RawNotice, SourceDef
from monitor.runtime import Runtime
from monitor.store.repository import (
    StoredNotice,
    add_url,
    existing_keys,
    insert_event,
    insert_notice,
    load_notice,
    mark_withdrawn,
    replace_notice,
    reset_missing,
    source_urls,
    touch_notice,
    update_url,
    url_row,
    verdict_of,
)
from monitor.store.source_rows import ensure_source, record_failure, record_success, source_state

log = logging.getLogger(__name__)
WITHDRAWN_AFTER = 3  # consecutive successful polls without the notice


@dataclass(frozen=True)
class PollOutcome:
    source_id: str
    ok: bool
    unchanged: bool = False
    baseline: bool = False
    events: tuple[str, ...] = ()
    error: str | None = None
    reason: str | None = None
    requests: int = 0
    notices: int = 0


def poll_source(
    rt: Runtime,
    source: SourceDef,
    *,
    since: date | None = None,
    progress: Progress | None = None,
) -> PollOutcome:
    """Poll `source` once; with `since`, back-fill its history silently."""
    now = rt.clock.now()
    started = time.perf_counter()
    with rt.store.begin() as conn:
        row = ensure_source(conn, source)
        state = source_state(conn, source, row, now)
    try:
        result = adapters()[source.kind].poll(
            source, rt.fetcher, state, since=since, progress=progress
        )
        if not result.unchanged and not result.listed and (row["last_listed_count"] or 0) > 0:
            raise ParseError("empty_list", "the list came back empty where there were notices")
    except SourceError as exc:
        return _failed(rt, source, now, exc, started)
    silent = state.first_run or since is not None
    try:
        with rt.store.begin() as conn:
            events = _store_result(conn, rt, source, result, now=now, silent=silent)
            record_success(
                conn,
                source.id,
                now=now,
                validators=result.list_validators,
                listed_count=None if result.unchanged else len(result.listed),
                rechecked=state.recheck_due and not result.unchanged,
                baseline=state.first_run,
            )
    except IntegrityError as exc:
        # Another process stored the same notice at the same moment; the next poll sees it.
        return _failed(rt, source, now, SourceError("conflict", str(exc).splitlines()[0]), started)
    failpoint(AFTER_POLL_COMMIT)
    outcome = "unchanged" if result.unchanged else "ok"
    metrics.POLLS.labels(source=source.id, outcome=outcome).inc()
    metrics.POLL_SECONDS.labels(source=source.id).observe(time.perf_counter() - started)
    for event in events:
        metrics.EVENTS.labels(kind=event.kind.value).inc()
        log.info(
            "event %s %s %s",
            event.kind.value,
            event.notice.doc_key,
            event.id,
            extra={"source_id": source.id, "event_id": event.id},
        )
    return PollOutcome(
        source_id=source.id,
        ok=True,
        unchanged=result.unchanged,
        baseline=state.first_run,
        events=tuple(e.id for e in events),
        requests=result.requests,
        notices=len(result.notices),
    )


def _failed(
    rt: Runtime, source: SourceDef, now: datetime, exc: SourceError, started: float
) -> PollOutcome:
    log.warning("poll failed: %s", exc, extra={"source_id": source.id, "reason": exc.reason})
    try:
        with rt.store.begin() as conn:
            record_failure(conn, source.id, now=now, reason=exc.reason, message=str(exc))
    except StoreError:
        log.exception("could not record the failure", extra={"source_id": source.id})
    metrics.POLLS.labels(source=source.id, outcome="failed").inc()
    metrics.FETCH_FAILURES.labels(source=source.id, reason=exc.reason).inc()
    metrics.POLL_SECONDS.labels(source=source.id).observe(time.perf_counter() - started)
    return PollOutcome(source_id=source.id, ok=False, error=str(exc), reason=exc.reason)


def _store_result(
    conn: Connection,
    rt: Runtime,
    source: SourceDef,
    result: PollResult,
    *,
    now: datetime,
    silent: bool,
) -> list[Event]:
    changes: list[Change] = []
    if result.unchanged:
        _count_still_missing(conn, source, changes, now=now)
    else:
        published = {item.url: item.published for item in result.listed}
        for raw in result.notices:
            change = _store_page(conn, raw, listed_date=published.get(raw.url), now=now)
            if change is not None:
                changes.append(change)
        _track_missing(conn, source, result, changes, now=now)
    if silent:
        return []
    return [e for change in changes if (e := _emit(conn, rt, change, now=now)) is not None]


def _store_page(
    conn: Connection, raw: RawNotice, *, listed_date: date | None, now: datetime
) -> Change | None:
    """Store one page read from the source; the change it makes, if any."""
    facts = read_facts(raw)
    if facts.doc_key is None:
        target = alias_target(facts, raw, lambda keys: existing_keys(conn, keys))
        if target is not None:
            if url_row(conn, raw.url) is None:
                add_url(
                    conn,
                    url=raw.url,
                    doc_key=target,
                    source_id=raw.source_id,
                    language=raw.language,
                    published=listed_date or raw.published,
                    content_hash=None,
                    now=now,
                )
            return None
    notice = build_notice(raw, facts, acted_on=lambda key: verdict_of(conn, key))
    stored = load_notice(conn, notice.doc_key)
    at_url = url_row(conn, raw.url)
    if at_url is None:
        add_url(
            conn,
            url=raw.url,
            doc_key=notice.doc_key,
            source_id=raw.source_id,
            language=raw.language,
            published=listed_date or notice.published,
            content_hash=notice.content_hash,
            now=now,
        )
    if stored is None:
        insert_notice(conn, notice, now=now)
        return Change(kind=EventKind.NOTICE_NEW, notice=_with_urls(notice, (raw.url,)))
    if at_url is None:
        if stored.notice.language != "zh-Hans" and notice.language == "zh-Hans":
            # The authoritative Chinese text arrived after a translation: it becomes primary.
            replace_notice(conn, notice, version=stored.version + 1, now=now)
        else:
            touch_notice(conn, stored.notice.doc_key, now=now)
        return None
    if at_url.content_hash == notice.content_hash:
        touch_notice(conn, stored.notice.doc_key, now=now)
        return None
    update_url(conn, raw.url, content_hash=notice.content_hash)
    if raw.url != stored.notice.url:
        return None
    return _revised(conn, stored, notice, now=now)


def _revised(conn: Connection, stored: StoredNotice, notice: Notice, *, now: datetime) -> Change:
    replace_notice(conn, notice, version=stored.version + 1, now=now)
    current = load_notice(conn, notice.doc_key)
    assert current is not None
    return Change(
        kind=EventKind.NOTICE_REVISED,
        notice=current.notice,
        previous_hash=stored.notice.content_hash,
        diff=text_diff(stored.notice.text, notice.text),
    )


def _with_urls(notice: Notice, urls: Sequence[str]) -> Notice:
    return replace(notice, urls=tuple(urls))


def _track_missing(
    conn: Connection, source: SourceDef, result: PollResult, changes: list[Change], *, now: datetime
) -> None:
    listed = {item.url for item in result.listed}
    reset_missing(conn, list(listed))
    if result.window_start is None:
        return
    for stored_url in source_urls(conn, source.id):
        if stored_url.url in listed or stored_url.published is None:
            continue
        if stored_url.published <= result.window_start:
            continue
        _one_more_miss(
            conn, stored_url.url, stored_url.doc_key, stored_url.missing_polls, changes, now=now
        )


def _count_still_missing(
    conn: Connection, source: SourceDef, changes: list[Change], *, now: datetime
) -> None:
    # An unchanged list still lacks what the last read list lacked.
    for stored_url in source_urls(conn, source.id):
        if stored_url.missing_polls > 0:
            _one_more_miss(
                conn, stored_url.url, stored_url.doc_key, stored_url.missing_polls, changes, now=now
            )


def _one_more_miss(
    conn: Connection, url: str, doc_key: str, missing: int, changes: list[Change], *, now: datetime
) -> None:
    update_url(conn, url, missing_polls=missing + 1)
    if missing + 1 != WITHDRAWN_AFTER:
        return
    stored = load_notice(conn, doc_key)
    if stored is None or stored.withdrawn_at is not None or stored.notice.url != url:
        return
    mark_withdrawn(conn, doc_key, now=now)
    changes.append(Change(kind=EventKind.NOTICE_WITHDRAWN, notice=stored.notice))


def _emit(conn: Connection, rt: Runtime, change: Change, *, now: datetime) -> Event | None:
    from monitor.detect.feed_item import item_for_event

    event = change_event(change, detected_at=now)
    acted_texts = _acted_on_texts(conn, change.notice)
    names, deliveries = recipients(event, rt.settings.subscribers, acted_on_texts=acted_texts)
    if insert_event(conn, event, item_for_event(event), names, deliveries):
        return event
    return None


def _acted_on_texts(conn: Connection, notice: Notice) -> list[str]:
    texts: list[str] = []
    for affect in notice.facts.affects:
        stored = load_notice(conn, affect.doc_key)
        if stored is not None:
            texts.extend((stored.notice.title, stored.notice.text))
    return texts
