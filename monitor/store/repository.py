"""Reads and writes of notices, URLs, versions, events and fan-out rows.

Every function takes an open `Connection`: the caller owns the transaction, so a poll's
baseline, versions, events and outbox rows commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from monitor.codec import (
    attachments_from_json,
    attachments_to_json,
    facts_from_json,
    facts_to_json,
    items_from_json,
    items_to_json,
    verdict_from_json,
    verdict_to_json,
)
from monitor.detect.decide import StoredNotice, StoredUrl
from monitor.detect.events import Delivery
from monitor.models import Event, Notice, NoticeStatus, Verdict
from monitor.store import tables as t

EVENT_SEQ_LOCK = 72020463

# The statements a poll runs for every item, built once (building one costs more than running
# it on SQLite; see benchmarks/profile_poll.py).
_NOTICE_ROW = sa.select(t.notices).where(t.notices.c.doc_key == sa.bindparam("doc_key"))
_VERSION_TEXT = sa.select(t.versions.c.text).where(
    t.versions.c.doc_key == sa.bindparam("doc_key"),
    t.versions.c.version == sa.bindparam("version"),
)
_NOTICE_URLS = (
    sa.select(t.notice_urls.c.url)
    .where(t.notice_urls.c.doc_key == sa.bindparam("doc_key"))
    .order_by(t.notice_urls.c.first_seen_at, t.notice_urls.c.url)
)
_URL_ROW = sa.select(t.notice_urls).where(t.notice_urls.c.url == sa.bindparam("url"))
_INSERT_NOTICE = sa.insert(t.notices)
_INSERT_VERSION = sa.insert(t.versions)
_INSERT_URL = sa.insert(t.notice_urls)


def load_notice(conn: Connection, doc_key: str) -> StoredNotice | None:
    row = conn.execute(_NOTICE_ROW, {"doc_key": doc_key}).mappings().first()
    if row is None:
        return None
    text = conn.execute(_VERSION_TEXT, {"doc_key": doc_key, "version": row["version"]}).scalar_one()
    urls = conn.execute(_NOTICE_URLS, {"doc_key": doc_key}).scalars().all()
    return StoredNotice(
        notice=_notice_from_row(row, text, tuple(urls)),
        version=row["version"],
        first_seen_at=row["first_seen_at"],
        withdrawn_at=row["withdrawn_at"],
    )


def _notice_from_row(row: Any, text: str, urls: tuple[str, ...]) -> Notice:
    primary = row["url"]
    ordered = (primary, *(u for u in urls if u != primary))
    return Notice(
        doc_key=row["doc_key"],
        title=row["title"],
        url=primary,
        text=text,
        source_id=row["source_id"],
        content_hash=row["content_hash"],
        facts=facts_from_json(row["facts"]),
        verdict=verdict_from_json(row["verdict"]),
        doc_number=row["doc_number"],
        published=row["published"],
        urls=ordered,
        language=row["language"],
        attachments=attachments_from_json(row["attachments"]),
        items=items_from_json(row["items"] or []),
        status=NoticeStatus(row["status"]),
        title_en=row["title_en"],
    )


def verdict_of(conn: Connection, doc_key: str) -> Verdict | None:
    value = conn.execute(
        sa.select(t.notices.c.verdict).where(t.notices.c.doc_key == doc_key)
    ).scalar_one_or_none()
    return verdict_from_json(value) if value is not None else None


def existing_keys(conn: Connection, keys: Iterable[str]) -> set[str]:
    wanted = list(set(keys))
    if not wanted:
        return set()
    found = conn.execute(sa.select(t.notices.c.doc_key).where(t.notices.c.doc_key.in_(wanted)))
    return set(found.scalars())


def url_row(conn: Connection, url: str) -> StoredUrl | None:
    row = conn.execute(_URL_ROW, {"url": url}).mappings().first()
    return _stored_url(row) if row is not None else None


def source_urls(conn: Connection, source_id: str) -> list[StoredUrl]:
    rows = conn.execute(_SOURCE_URLS, {"source_id": source_id}).mappings()
    return [_stored_url(row) for row in rows]


# Built once: every poll reads its source's URLs.
_SOURCE_URLS = sa.select(t.notice_urls).where(
    t.notice_urls.c.source_id == sa.bindparam("source_id")
)


def known_urls(conn: Connection, source_id: str) -> frozenset[str]:
    rows = conn.execute(
        sa.select(t.notice_urls.c.url).where(t.notice_urls.c.source_id == source_id)
    ).scalars()
    return frozenset(rows)


def _stored_url(row: Any) -> StoredUrl:
    return StoredUrl(
        url=row["url"],
        doc_key=row["doc_key"],
        published=row["published"],
        content_hash=row["content_hash"],
        missing_polls=row["missing_polls"],
    )


def insert_notice(conn: Connection, notice: Notice, *, now: datetime) -> None:
    conn.execute(
        _INSERT_NOTICE,
        {**_notice_values(notice), "version": 1, "first_seen_at": now, "last_seen_at": now},
    )
    insert_version(conn, notice, version=1, now=now)


def replace_notice(conn: Connection, notice: Notice, *, version: int, now: datetime) -> None:
    """A new current version of a known notice (revised text, or a better language)."""
    conn.execute(
        sa.update(t.notices)
        .where(t.notices.c.doc_key == notice.doc_key)
        .values(**_notice_values(notice), version=version, last_seen_at=now, withdrawn_at=None)
    )
    insert_version(conn, notice, version=version, now=now)


def _notice_values(notice: Notice) -> dict[str, Any]:
    return {
        "doc_key": notice.doc_key,
        "doc_number": notice.doc_number,
        "title": notice.title,
        "url": notice.url,
        "source_id": notice.source_id,
        "language": notice.language,
        "published": notice.published,
        "kind": notice.facts.kind.value,
        "relevant": notice.verdict.relevant,
        "facts": facts_to_json(notice.facts),
        "verdict": verdict_to_json(notice.verdict),
        "attachments": attachments_to_json(notice.attachments),
        "items": items_to_json(notice.items),
        "content_hash": notice.content_hash,
        "status": notice.status.value,
        "title_en": notice.title_en,
    }


def insert_version(conn: Connection, notice: Notice, *, version: int, now: datetime) -> None:
    conn.execute(
        _INSERT_VERSION,
        {
            "doc_key": notice.doc_key,
            "version": version,
            "content_hash": notice.content_hash,
            "title": notice.title,
            "text": notice.text,
            "url": notice.url,
            "seen_at": now,
            "items": items_to_json(notice.items),
        },
    )


def touch_notice(conn: Connection, doc_key: str, *, now: datetime) -> None:
    conn.execute(
        sa.update(t.notices)
        .where(t.notices.c.doc_key == doc_key)
        .values(last_seen_at=now, withdrawn_at=None)
    )


def set_title_en(conn: Connection, doc_key: str, title_en: str) -> None:
    conn.execute(
        sa.update(t.notices).where(t.notices.c.doc_key == doc_key).values(title_en=title_en)
    )


def mark_withdrawn(conn: Connection, doc_key: str, *, now: datetime) -> None:
    conn.execute(
        sa.update(t.notices).where(t.notices.c.doc_key == doc_key).values(withdrawn_at=now)
    )


def add_url(
    conn: Connection,
    *,
    url: str,
    doc_key: str,
    source_id: str,
    language: str,
    published: date | None,
    content_hash: str | None,
    now: datetime,
) -> None:
    conn.execute(
        _INSERT_URL,
        {
            "url": url,
            "doc_key": doc_key,
            "source_id": source_id,
            "language": language,
            "published": published,
            "content_hash": content_hash,
            "missing_polls": 0,
            "first_seen_at": now,
        },
    )


def update_url(conn: Connection, url: str, **values: Any) -> None:
    conn.execute(sa.update(t.notice_urls).where(t.notice_urls.c.url == url).values(**values))


def reset_missing(conn: Connection, urls: Sequence[str]) -> None:
    if urls:
        conn.execute(
            sa.update(t.notice_urls)
            .where(t.notice_urls.c.url.in_(list(urls)), t.notice_urls.c.missing_polls > 0)
            .values(missing_polls=0)
        )


def event_exists(conn: Connection, event_id: str) -> bool:
    found = conn.execute(sa.select(t.events.c.seq).where(t.events.c.id == event_id)).first()
    return found is not None


def insert_event(
    conn: Connection,
    event: Event,
    item: dict[str, Any],
    names: Sequence[str],
    deliveries: Sequence[Delivery],
) -> bool:
    """Store an event with its recipients and outbox rows; False when it was already there."""
    if conn.dialect.name == "postgresql":
        # Event transactions take turns until commit, so `seq` follows commit order and a
        # feed reader paging with ?since never skips an event that committed late.
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_SEQ_LOCK})
    if event_exists(conn, event.id):
        return False
    conn.execute(
        sa.insert(t.events).values(
            id=event.id,
            kind=event.kind.value,
            doc_key=event.notice.doc_key,
            source_id=event.source_id,
            detected_at=event.detected_at,
            relevant=event.relevant,
            item=item,
        )
    )
    if names:
        conn.execute(
            sa.insert(t.recipients), [{"event_id": event.id, "subscriber": n} for n in names]
        )
    if deliveries:
        conn.execute(
            sa.insert(t.outbox),
            [
                {
                    "event_id": event.id,
                    "subscriber": d.subscriber,
                    "channel": d.channel.value,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": event.detected_at,
                    "next_attempt_at": event.detected_at,
                }
                for d in deliveries
            ],
        )
    return True
