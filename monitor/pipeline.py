"""One poll of one source, end to end: fetch → parse → identify → decide → store → events.

The adapter does the network part. Then, page by page and for the list, the pipeline
loads what the store knows, asks `detect.decide` what follows (typed intents) and executes
the intents, all in ONE transaction (notices, URLs, versions, events, recipients, outbox
rows, the source's new validators). A fetch or parse failure writes only the source's
health, never an event and never a change to the baseline.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import partial
from typing import Protocol, assert_never

from monitor import metrics
from monitor.adapters.base import PollResult, Progress
from monitor.adapters.guard import crash_error, reject_mojibake
from monitor.adapters.links import safe_links
from monitor.adapters.registry import adapters
from monitor.clock import Clock
from monitor.config import Settings, parse_duration
from monitor.detect.decide import (
    Confirm,
    Intent,
    Miss,
    NewNotice,
    NewReported,
    NewUrl,
    PageIntent,
    Promote,
    Rehash,
    ResetMissing,
    Revise,
    StoredUrl,
    TitleEn,
    Touch,
    Withdraw,
    decide_alias,
    decide_listing,
    decide_page,
    decide_report,
    decide_withdrawals,
    notices_to_check,
)
from monitor.detect.diff import text_diff
from monitor.detect.events import change_event, recipients
from monitor.detect.feed_item import item_for_event
from monitor.detect.identity import alias_target, build_notice, read_facts
from monitor.detect.items import diff_items, first_annex_read, keep_last_good_annexes
from monitor.errors import ParseError, SourceError, StoreConflictError, StoreError
from monitor.failpoints import AFTER_POLL_COMMIT, failpoint
from monitor.fetch.client import Fetcher
from monitor.fetch.stream import poll_deadline
from monitor.models import Change, Event, EventKind, Notice, RawNotice, SourceDef
from monitor.store import Store, Transaction
from monitor.store.entities import save_entity_rows
from monitor.store.repository import (
    add_url,
    existing_keys,
    insert_event,
    insert_notice,
    load_notice,
    mark_withdrawn,
    replace_notice,
    reset_missing,
    set_title_en,
    source_urls,
    touch_notice,
    update_url,
    url_row,
    verdict_of,
)
from monitor.store.source_rows import ensure_source, record_failure, record_success, source_state

log = logging.getLogger(__name__)


class PollRuntime(Protocol):
    """What a poll needs from the runtime (`monitor.runtime.Runtime` has it)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def store(self) -> Store: ...
    @property
    def fetcher(self) -> Fetcher: ...
    @property
    def clock(self) -> Clock: ...


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
    rt: PollRuntime,
    source: SourceDef,
    *,
    since: date | None = None,
    progress: Progress | None = None,
) -> PollOutcome:
    """Poll `source` once; with `since`, back-fill its history silently."""
    return poll_sources(rt, [source], since=since, progress=progress)[0]


@dataclass(frozen=True)
class _Read:
    """One source read in a poll, not yet filed."""

    source: SourceDef
    result: PollResult
    silent: bool
    first_run: bool
    recheck_due: bool
    started: float
    stored_urls: list[StoredUrl]  # the source's URLs as read before the fetch


def poll_sources(
    rt: PollRuntime,
    sources: Iterable[SourceDef],
    *,
    since: date | None = None,
    progress: Progress | None = None,
) -> list[PollOutcome]:
    """Poll several sources as ONE poll: read them all, then file every copy read (other
    sites, languages, news) in one transaction before making any event, so the first
    event about a notice already carries every URL this poll saw. A source that failed
    to read only records its failure; the others are filed."""
    now = rt.clock.now()
    wanted = list(sources)
    outcomes: dict[str, PollOutcome] = {}
    reads: list[_Read] = []
    for source in wanted:
        read = _read(rt, source, now, since=since, progress=progress)
        if isinstance(read, PollOutcome):
            outcomes[source.id] = read
        else:
            reads.append(read)
    if not reads:
        return [outcomes[s.id] for s in wanted]
    outcomes.update(_file(rt, reads, now))
    return [outcomes[s.id] for s in wanted]


def _file(rt: PollRuntime, reads: list[_Read], now: datetime) -> dict[str, PollOutcome]:
    """File `reads` in one transaction and make their events; the outcome of each source."""
    try:
        with rt.store.begin() as tx:
            changes = [
                (
                    read,
                    _file_result(
                        tx, read.source, read.result, now=now, stored_urls=read.stored_urls
                    ),
                )
                for read in reads
            ]
            events = _emit_all(tx, rt, changes, now=now)
            for read in reads:
                record_success(
                    tx,
                    read.source.id,
                    now=now,
                    validators=read.result.list_validators,
                    listed_count=None if read.result.unchanged else len(read.result.listed),
                    rechecked=read.recheck_due and not read.result.unchanged,
                    baseline=read.first_run,
                )
    except StoreConflictError as exc:
        # Another process stored the same notice at the same moment; the next poll sees it.
        conflict = SourceError("conflict", str(exc))
        return {r.source.id: _failed(rt, r.source, now, conflict, r.started) for r in reads}
    except StoreError:
        raise
    except Exception as exc:  # reading the pages' facts failed: nothing was stored
        if len(reads) > 1:
            # One bad page must fail only its own source: file each source's read alone.
            return {k: v for read in reads for k, v in _file(rt, [read], now).items()}
        read = reads[0]
        log.exception("processing the poll crashed", extra={"source_id": read.source.id})
        return {
            read.source.id: _failed(
                rt, read.source, now, crash_error(exc, "notice text"), read.started
            )
        }
    failpoint(AFTER_POLL_COMMIT)
    return {read.source.id: _succeeded(read, events.get(read.source.id, [])) for read in reads}


def _read(
    rt: PollRuntime,
    source: SourceDef,
    now: datetime,
    *,
    since: date | None,
    progress: Progress | None,
) -> _Read | PollOutcome:
    started = time.perf_counter()
    with rt.store.begin() as tx:
        row = ensure_source(tx, source)
        stored_urls = source_urls(tx, source.id)
        state = source_state(tx, source, row, now, known=stored_urls)
    try:
        # A backfill walks a whole history politely: only regular polls have a deadline.
        with poll_deadline(None if since is not None else poll_deadline_s(source, rt.settings)):
            result = adapters()[source.kind].poll(
                source, rt.fetcher, state, since=since, progress=progress
            )
        result = _without_unsafe_links(result, source)
        reject_mojibake(result)
        if not result.unchanged and not result.listed and (row["last_listed_count"] or 0) > 0:
            raise ParseError("empty_list", "the list came back empty where there were notices")
    except SourceError as exc:
        return _failed(rt, source, now, exc, started)
    except Exception as exc:  # an adapter bug or a parser exception it did not map
        log.exception("adapter crashed", extra={"source_id": source.id})
        return _failed(rt, source, now, crash_error(exc, "page"), started)
    return _Read(
        source=source,
        result=result,
        silent=state.first_run or since is not None,
        first_run=state.first_run,
        recheck_due=state.recheck_due,
        started=started,
        stored_urls=stored_urls,
    )


def _succeeded(read: _Read, events: list[Event]) -> PollOutcome:
    source, result = read.source, read.result
    outcome = "unchanged" if result.unchanged else "ok"
    metrics.POLLS.labels(source=source.id, outcome=outcome).inc()
    metrics.POLL_SECONDS.labels(source=source.id).observe(time.perf_counter() - read.started)
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
        baseline=read.first_run,
        events=tuple(e.id for e in events),
        requests=result.requests,
        notices=len(result.notices),
    )


def _without_unsafe_links(result: PollResult, source: SourceDef) -> PollResult:
    kept, dropped = safe_links(result, source)
    for link in dropped:
        log.warning(
            "dropped listed item %r: its link %r may not be a notice URL (%s)",
            link.title[:80], link.url, link.reason,
            extra={"source_id": source.id, "reason": link.reason},
        )  # fmt: skip
        metrics.ITEMS_DROPPED.labels(source=source.id, reason=link.reason).inc()
    return kept


def poll_deadline_s(source: SourceDef, settings: Settings) -> float:
    """How long one poll of `source` may take: its `poll_deadline`, else [schedule]'s."""
    value = source.options.get("poll_deadline")
    if value is None:
        return settings.schedule.poll_deadline_s
    return parse_duration(value, f"sources.{source.id}.poll_deadline")


def _failed(
    rt: PollRuntime, source: SourceDef, now: datetime, exc: SourceError, started: float
) -> PollOutcome:
    log.warning("poll failed: %s", exc, extra={"source_id": source.id, "reason": exc.reason})
    try:
        with rt.store.begin() as tx:
            record_failure(tx, source.id, now=now, reason=exc.reason, message=str(exc))
    except StoreError:
        log.exception("could not record the failure", extra={"source_id": source.id})
    metrics.POLLS.labels(source=source.id, outcome="failed").inc()
    metrics.FETCH_FAILURES.labels(source=source.id, reason=exc.reason).inc()
    metrics.POLL_SECONDS.labels(source=source.id).observe(time.perf_counter() - started)
    return PollOutcome(source_id=source.id, ok=False, error=str(exc), reason=exc.reason)


def _file_result(
    tx: Transaction,
    source: SourceDef,
    result: PollResult,
    *,
    now: datetime,
    stored_urls: list[StoredUrl],
) -> list[Change]:
    """Write what one source read; the changes it makes (announced later, if at all)."""
    changes: list[Change] = []
    listed: dict[str, date | None] | None = None
    if not result.unchanged:
        listed = {item.url: item.published for item in result.listed}
        for raw in result.notices:
            intents = _decide_page(tx, raw, listed_date=listed.get(raw.url))
            changes.extend(_execute(tx, intents, now=now))
    # An unchanged list only counts misses again. Under the lease no one else adds to this
    # source's misses (other sources may only reset them), so when the URLs read before the
    # fetch had none, none has appeared: the unchanged poll needs no second read.
    if listed is not None or any(u.missing_polls for u in stored_urls):
        list_intents = _decide_list(tx, source, listed, result.window_start)
        changes.extend(_execute(tx, list_intents, now=now))
    return changes


def _emit_all(
    tx: Transaction,
    rt: PollRuntime,
    filed: list[tuple[_Read, list[Change]]],
    *,
    now: datetime,
) -> dict[str, list[Event]]:
    """Events of a poll's changes, each made from the notice as filed after every copy
    this poll read (its URLs, its authoritative text), by the source whose change it was."""
    events: dict[str, list[Event]] = {}
    # A notice reported and confirmed in the same poll is simply new.
    confirmed = {c.notice.doc_key for _, cs in filed for c in cs if c.kind is EventKind.NOTICE_NEW}
    for read, changes in filed:
        if read.silent:
            continue
        for change in changes:
            if change.kind is EventKind.NOTICE_REPORTED and change.notice.doc_key in confirmed:
                continue
            event = _emit(tx, rt, _as_filed(tx, change), now=now)
            if event is not None:
                events.setdefault(read.source.id, []).append(event)
    return events


def _as_filed(tx: Transaction, change: Change) -> Change:
    if change.kind not in (
        EventKind.NOTICE_NEW,
        EventKind.NOTICE_REVISED,
        EventKind.NOTICE_REPORTED,
    ):
        return change
    stored = load_notice(tx, change.notice.doc_key)
    return change if stored is None else replace(change, notice=stored.notice)


def _decide_page(
    tx: Transaction, raw: RawNotice, *, listed_date: date | None
) -> tuple[PageIntent, ...]:
    """Load what the store knows of one page read from the source, and decide."""
    facts = read_facts(raw)
    target = alias_target(facts, raw, partial(existing_keys, tx))
    at_url = url_row(tx, raw.url)
    if target is not None:
        return decide_alias(raw, target, at_url=at_url, listed_date=listed_date)
    notice = build_notice(raw, facts, acted_on=partial(verdict_of, tx))
    if facts.doc_key is None and facts.reports is not None:
        # News first: a report of a notice not stored yet makes it, under the reported key.
        reported = replace(notice, doc_key=facts.reports)
        return decide_report(reported, at_url=at_url, listed_date=listed_date)
    stored = load_notice(tx, notice.doc_key)
    notice = keep_last_good_annexes(notice, stored.notice if stored is not None else None)
    intents = decide_page(notice, stored=stored, at_url=at_url, listed_date=listed_date)
    if stored is not None and first_annex_read(notice, stored.notice):
        # A notice stored before annexes were read: its items fill in, silently.
        return tuple(Promote(i.notice, i.version) if isinstance(i, Revise) else i for i in intents)
    return intents


def _decide_list(
    tx: Transaction,
    source: SourceDef,
    listed: dict[str, date | None] | None,
    window_start: date | None,
) -> tuple[Intent, ...]:
    """Load the source's stored URLs (and the notices a miss may withdraw), and decide."""
    counted = decide_listing(source_urls(tx, source.id), listed=listed, window_start=window_start)
    notices = {key: load_notice(tx, key) for key in notices_to_check(counted)}
    return (*counted, *decide_withdrawals(counted, notices))


def _execute(tx: Transaction, intents: Iterable[Intent], *, now: datetime) -> list[Change]:
    """Write the intents in order; the changes they announce."""
    changes: list[Change] = []
    for intent in intents:
        change = _apply(tx, intent, now=now)
        if change is not None:
            changes.append(change)
    return changes


def _apply(tx: Transaction, intent: Intent, *, now: datetime) -> Change | None:
    match intent:
        case NewUrl():
            add_url(
                tx,
                url=intent.url,
                doc_key=intent.doc_key,
                source_id=intent.source_id,
                language=intent.language,
                published=intent.published,
                content_hash=intent.content_hash,
                now=now,
            )
        case NewNotice(notice):
            insert_notice(tx, notice, now=now)
            save_entity_rows(tx, notice)
            return Change(kind=EventKind.NOTICE_NEW, notice=notice)
        case NewReported(notice):
            insert_notice(tx, notice, now=now)
            return Change(kind=EventKind.NOTICE_REPORTED, notice=notice)
        case Confirm(notice, version):
            replace_notice(tx, notice, version=version, now=now)
            return Change(kind=EventKind.NOTICE_NEW, notice=notice)
        case TitleEn(doc_key, title):
            set_title_en(tx, doc_key, title)
        case Promote(notice, version):
            replace_notice(tx, notice, version=version, now=now)
            save_entity_rows(tx, notice)
        case Revise(notice, version, previous):
            replace_notice(tx, notice, version=version, now=now)
            save_entity_rows(tx, notice)
            current = load_notice(tx, notice.doc_key)
            assert current is not None
            return Change(
                kind=EventKind.NOTICE_REVISED,
                notice=current.notice,
                previous_hash=previous.content_hash,
                diff=text_diff(previous.text, notice.text),
                items_diff=diff_items(previous.items, notice.items) or None,
            )
        case Rehash(url, content_hash):
            update_url(tx, url, content_hash=content_hash)
        case Touch(doc_key):
            touch_notice(tx, doc_key, now=now)
        case ResetMissing(urls):
            reset_missing(tx, sorted(urls))
        case Miss(url, _, count):
            update_url(tx, url, missing_polls=count)
        case Withdraw(notice):
            mark_withdrawn(tx, notice.doc_key, now=now)
            return Change(kind=EventKind.NOTICE_WITHDRAWN, notice=notice)
        case _:
            assert_never(intent)
    return None


def _emit(tx: Transaction, rt: PollRuntime, change: Change, *, now: datetime) -> Event | None:
    if change.kind in (EventKind.NOTICE_NEW, EventKind.NOTICE_REPORTED):
        # Every URL and the English title this poll filed, and the status now stored.
        current = load_notice(tx, change.notice.doc_key)
        if current is not None:
            change = replace(change, notice=current.notice)
    event = change_event(change, detected_at=now)
    acted_texts = _acted_on_texts(tx, change.notice)
    names, deliveries = recipients(event, rt.settings.subscribers, acted_on_texts=acted_texts)
    if insert_event(tx, event, item_for_event(event), names, deliveries):
        return event
    return None


def _acted_on_texts(tx: Transaction, notice: Notice) -> list[str]:
    texts: list[str] = []
    for affect in notice.facts.affects:
        stored = load_notice(tx, affect.doc_key)
        if stored is not None:
            texts.extend((stored.notice.title, stored.notice.text))
    return texts
