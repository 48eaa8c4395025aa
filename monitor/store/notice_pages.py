"""Reads for the web pages: a filtered page of events, and one notice with all its versions.

The event list filters what SQL can answer (event kind, notice kind, source, subscriber,
relevance) in the query and hands the rest to a predicate over the stored item, reading in
chunks newest first until the page is full, so a narrow filter never loads the whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from monitor.codec import attachments_from_json, facts_from_json, verdict_from_json
from monitor.models import Attachment, NoticeFacts, Verdict
from monitor.store import tables as t
from monitor.store.engine import Store

_CHUNK = 400


@dataclass(frozen=True)
class EventFilter:
    """What SQL narrows the event list by; None means any.

    `mentions`: words (codes, quoted element symbols) each of which must appear somewhere in
    the stored item or its notice's facts, a cheap first cut before the exact predicate.
    """

    event_kinds: frozenset[str] | None = None
    notice_kinds: frozenset[str] | None = None
    source: str | None = None
    subscriber: str | None = None
    relevant_only: bool = False
    mentions: tuple[str, ...] = ()
    after_seq: int | None = None  # only events stored after this one (the feed's `since`)


@dataclass(frozen=True)
class EventRow:
    seq: int
    item: dict[str, Any]  # the JSON Feed item frozen at detection


@dataclass(frozen=True)
class EventPage:
    rows: tuple[EventRow, ...]
    next_before: int | None  # the `before` cursor of the next (older) page, if any


def event_page(
    store: Store,
    where: EventFilter,
    *,
    limit: int,
    before_seq: int | None = None,
    keep: Callable[[Mapping[str, Any], Mapping[str, Any]], bool] | None = None,
) -> EventPage:
    """Up to `limit` events matching `where` and `keep`, newest first, below `before_seq`.

    `keep` sees the stored item and the facts of its notice as stored now (empty when the
    notice is not stored).
    """
    found: list[EventRow] = []
    cursor = before_seq
    chunk_size = _CHUNK if keep is not None else limit + 1
    with store.connect() as conn:
        while True:
            chunk = conn.execute(_events_query(where, cursor, chunk_size, keep is not None)).all()
            for row in chunk:
                if keep is None or keep(row.item, row.facts or {}):
                    found.append(EventRow(int(row.seq), row.item))
                    if len(found) > limit:
                        return EventPage(tuple(found[:limit]), found[limit - 1].seq)
            if len(chunk) < chunk_size:
                return EventPage(tuple(found), None)
            cursor = int(chunk[-1].seq)


def _events_query(
    where: EventFilter, before_seq: int | None, limit: int, with_facts: bool
) -> sa.Select[Any]:
    e, n = t.events, t.notices
    columns = [e.c.seq, e.c.item, n.c.facts] if with_facts else [e.c.seq, e.c.item]
    statement = sa.select(*columns)
    if with_facts or where.notice_kinds is not None or where.mentions:
        statement = statement.outerjoin(n, n.c.doc_key == e.c.doc_key)
    if where.subscriber is not None:
        statement = statement.join(
            t.recipients,
            sa.and_(
                t.recipients.c.event_id == e.c.id,
                t.recipients.c.subscriber == where.subscriber,
            ),
        )
    if where.notice_kinds is not None:
        statement = statement.where(n.c.kind.in_(sorted(where.notice_kinds)))
    if where.event_kinds is not None:
        statement = statement.where(e.c.kind.in_(sorted(where.event_kinds)))
    if where.source is not None:
        statement = statement.where(e.c.source_id == where.source)
    if where.relevant_only:
        statement = statement.where(e.c.relevant == sa.true())
    for word in where.mentions:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            sa.or_(
                sa.cast(e.c.item, sa.Text).like(pattern, escape="\\"),
                sa.cast(n.c.facts, sa.Text).like(pattern, escape="\\"),
            )
        )
    if before_seq is not None:
        statement = statement.where(e.c.seq < before_seq)
    if where.after_seq is not None:
        statement = statement.where(e.c.seq > where.after_seq)
    return statement.order_by(e.c.seq.desc()).limit(limit)


def event_seq(store: Store, event_id: str) -> int | None:
    """The stored position of the event `event_id`, None when there is no such event."""
    with store.connect() as conn:
        seq = conn.execute(sa.select(t.events.c.seq).where(t.events.c.id == event_id)).scalar()
    return int(seq) if seq is not None else None


def event_sources(store: Store) -> list[str]:
    """Every source id that has made an event (for the filter form)."""
    with store.connect() as conn:
        found = conn.execute(sa.select(t.events.c.source_id).distinct()).scalars().all()
    return sorted(found)


@dataclass(frozen=True)
class NoticeUrl:
    url: str
    language: str
    source_id: str
    first_seen_at: datetime


@dataclass(frozen=True)
class NoticeVersion:
    version: int
    seen_at: datetime
    content_hash: str
    title: str
    url: str
    text: str


@dataclass(frozen=True)
class NoticeRecord:
    """One stored notice with everything the notice page shows."""

    doc_key: str
    doc_number: str | None
    title: str
    url: str
    source_id: str
    language: str
    published: date | None
    facts: NoticeFacts
    verdict: Verdict
    attachments: tuple[Attachment, ...]
    version: int
    first_seen_at: datetime
    last_seen_at: datetime
    withdrawn_at: datetime | None
    urls: tuple[NoticeUrl, ...]
    versions: tuple[NoticeVersion, ...]  # oldest first
    latest_item: Mapping[str, Any] | None  # the newest event's feed item about it


def notice_record(store: Store, doc_key: str) -> NoticeRecord | None:
    """The notice `doc_key` with its URLs, every version and its newest event, or None."""
    with store.connect() as conn:
        row = (
            conn.execute(sa.select(t.notices).where(t.notices.c.doc_key == doc_key))
            .mappings()
            .first()
        )
        if row is None:
            return None
        urls = conn.execute(
            sa.select(
                t.notice_urls.c.url,
                t.notice_urls.c.language,
                t.notice_urls.c.source_id,
                t.notice_urls.c.first_seen_at,
            )
            .where(t.notice_urls.c.doc_key == doc_key)
            .order_by(t.notice_urls.c.first_seen_at, t.notice_urls.c.url)
        ).all()
        versions = conn.execute(
            sa.select(t.versions)
            .where(t.versions.c.doc_key == doc_key)
            .order_by(t.versions.c.version)
        ).mappings()
        latest = conn.execute(
            sa.select(t.events.c.item)
            .where(t.events.c.doc_key == doc_key)
            .order_by(t.events.c.seq.desc())
            .limit(1)
        ).scalar()
        return NoticeRecord(
            doc_key=row["doc_key"],
            doc_number=row["doc_number"],
            title=row["title"],
            url=row["url"],
            source_id=row["source_id"],
            language=row["language"],
            published=row["published"],
            facts=facts_from_json(row["facts"]),
            verdict=verdict_from_json(row["verdict"]),
            attachments=attachments_from_json(row["attachments"]),
            version=row["version"],
            first_seen_at=row["first_seen_at"],
            last_seen_at=row["last_seen_at"],
            withdrawn_at=row["withdrawn_at"],
            urls=tuple(NoticeUrl(u.url, u.language, u.source_id, u.first_seen_at) for u in urls),
            versions=tuple(
                NoticeVersion(
                    v["version"], v["seen_at"], v["content_hash"], v["title"], v["url"], v["text"]
                )
                for v in versions
            ),
            latest_item=latest,
        )


def known_notices(store: Store, doc_keys: Collection[str]) -> dict[str, str]:
    """doc_key → title of those of `doc_keys` the store holds (to link only what exists)."""
    wanted = sorted(set(doc_keys))
    if not wanted:
        return {}
    with store.connect() as conn:
        rows = conn.execute(
            sa.select(t.notices.c.doc_key, t.notices.c.title).where(t.notices.c.doc_key.in_(wanted))
        ).all()
    return {row.doc_key: row.title for row in rows}
