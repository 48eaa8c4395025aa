"""Daily digests: the email rows waiting for one, and the `digests` row that is claimed
before sending and marked sent (or dead) together with its outbox rows.

The ``digests`` row (subscriber, local_date) is the claim: inserted, or taken over once an
earlier claim expired, so two replicas never both send one digest. When to send, retry or
give up is decided by `monitor.deliver.digest`; this module only records it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from monitor.clock import utc
from monitor.models import Channel, DigestStatus, OutboxStatus
from monitor.store.engine import Store
from monitor.store.outbox import clip_error, settle_pending
from monitor.store.tables import digests, events, outbox


@dataclass(frozen=True)
class PendingEmail:
    """An email outbox row still waiting for a digest, with its event's stored item."""

    outbox_id: int
    detected_at: datetime
    item: Mapping[str, Any]


@dataclass(frozen=True)
class EmailBacklog:
    """A subscriber's waiting email rows (oldest event first) and the days whose digest
    is closed (sent or dead), read together."""

    pending: tuple[PendingEmail, ...]
    closed: frozenset[date]


def email_backlog(store: Store, subscriber: str, *, before: datetime) -> EmailBacklog:
    """`subscriber`'s pending email rows of events detected before `before`."""
    with store.connect() as conn:
        rows = conn.execute(
            sa.select(outbox.c.id, events.c.detected_at, events.c.item)
            .join(events, events.c.id == outbox.c.event_id)
            .where(
                outbox.c.subscriber == subscriber,
                outbox.c.channel == Channel.EMAIL,
                outbox.c.status == OutboxStatus.PENDING,
                events.c.detected_at < before,
            )
            .order_by(events.c.seq, outbox.c.id)
        ).all()
        closed = conn.execute(
            sa.select(digests.c.local_date).where(
                digests.c.subscriber == subscriber,
                digests.c.status.in_([DigestStatus.SENT, DigestStatus.DEAD]),
            )
        ).scalars()
        return EmailBacklog(
            pending=tuple(PendingEmail(r.id, utc(r.detected_at), r.item) for r in rows),
            closed=frozenset(closed),
        )


def digest_status(store: Store, subscriber: str, local_date: date) -> DigestStatus | None:
    """The stored status of that digest; None when it was never claimed."""
    with store.connect() as conn:
        return _status(conn, subscriber, local_date)


def _key(subscriber: str, local_date: date) -> tuple[sa.ColumnElement[bool], ...]:
    return (digests.c.subscriber == subscriber, digests.c.local_date == local_date)


def _status(conn: Connection, subscriber: str, local_date: date) -> DigestStatus | None:
    status = conn.execute(
        sa.select(digests.c.status).where(*_key(subscriber, local_date))
    ).scalar_one_or_none()
    if status is None:
        return None
    try:
        return DigestStatus(status)
    except ValueError:  # a newer version's status: that version's business, left alone
        return DigestStatus.SENDING


def _insert_ignore(conn: Connection) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(digests).on_conflict_do_nothing(
        index_elements=["subscriber", "local_date"]
    )


def claim_digest(
    store: Store,
    subscriber: str,
    local_date: date,
    *,
    worker: str,
    now: datetime,
    until: datetime,
    message_id: str,
    event_count: int,
) -> DigestStatus | None:
    """Claim the digest for `worker` until `until`: None when this call holds it now,
    else the status that keeps it out (`SENDING`: another live claim, or a retry's wait)."""
    with store.begin() as conn:
        inserted = conn.execute(
            _insert_ignore(conn)
            .values(
                subscriber=subscriber,
                local_date=local_date,
                status=DigestStatus.SENDING,
                message_id=message_id,
                event_count=event_count,
                attempts=0,
                claimed_by=worker,
                claimed_until=until,
            )
            # RETURNING, not rowcount: psycopg reports -1 for INSERT … ON CONFLICT.
            .returning(digests.c.subscriber)
        ).first()
        if inserted is not None:
            return None
        taken = conn.execute(
            sa.update(digests)
            .where(
                *_key(subscriber, local_date),
                digests.c.status == DigestStatus.SENDING,
                sa.or_(digests.c.claimed_until.is_(None), digests.c.claimed_until <= now),
            )
            .values(claimed_by=worker, claimed_until=until, event_count=event_count)
        ).rowcount
        if taken == 1:
            return None
        return _status(conn, subscriber, local_date) or DigestStatus.SENDING


def release_digest(store: Store, subscriber: str, local_date: date) -> None:
    """Drop a claim that had nothing to send, so the next look may claim it at once."""
    with store.begin() as conn:
        conn.execute(
            sa.update(digests)
            .where(*_key(subscriber, local_date), digests.c.status == DigestStatus.SENDING)
            .values(claimed_by=None, claimed_until=None)
        )


def mark_digest_sent(
    store: Store,
    subscriber: str,
    local_date: date,
    outbox_ids: Collection[int],
    *,
    now: datetime,
    message_id: str,
) -> None:
    """The mail server accepted the digest: it and its outbox rows are sent."""
    with store.begin() as conn:
        conn.execute(
            sa.update(digests)
            .where(*_key(subscriber, local_date))
            .values(
                status=DigestStatus.SENT,
                sent_at=now,
                event_count=len(outbox_ids),
                message_id=message_id,
                attempts=digests.c.attempts + 1,
                last_error=None,
                claimed_by=None,
                claimed_until=None,
            )
        )
        settle_pending(
            conn,
            outbox_ids,
            status=OutboxStatus.SENT,
            sent_at=now,
            attempts=outbox.c.attempts + 1,
            last_error=None,
        )


def digest_attempts(store: Store, subscriber: str, local_date: date) -> int:
    """How often that digest was tried so far."""
    with store.connect() as conn:
        return int(
            conn.execute(
                sa.select(digests.c.attempts).where(*_key(subscriber, local_date))
            ).scalar_one()
        )


def reschedule_digest(
    store: Store,
    subscriber: str,
    local_date: date,
    outbox_ids: Collection[int],
    *,
    attempts: int,
    not_before: datetime,
    error: str,
) -> None:
    """A failed try: the claim is released but kept closed until `not_before` (the
    backoff), and the outbox rows wait as long."""
    with store.begin() as conn:
        conn.execute(
            sa.update(digests)
            .where(*_key(subscriber, local_date))
            .values(
                attempts=attempts,
                last_error=clip_error(error),
                claimed_by=None,
                claimed_until=not_before,
            )
        )
        settle_pending(
            conn,
            outbox_ids,
            attempts=outbox.c.attempts + 1,
            last_error=clip_error(error),
            next_attempt_at=not_before,
        )


def mark_digest_dead(
    store: Store, subscriber: str, local_date: date, outbox_ids: Collection[int], *, error: str
) -> None:
    """Give the digest up, and its outbox rows with it."""
    with store.begin() as conn:
        conn.execute(
            sa.update(digests)
            .where(*_key(subscriber, local_date))
            .values(
                status=DigestStatus.DEAD,
                attempts=digests.c.attempts + 1,
                event_count=len(outbox_ids),
                last_error=clip_error(error),
                claimed_by=None,
                claimed_until=None,
            )
        )
        settle_pending(
            conn,
            outbox_ids,
            status=OutboxStatus.DEAD,
            attempts=outbox.c.attempts + 1,
            last_error=clip_error(error),
        )
