"""Outbox rows: claim the next due one, then mark it sent, rescheduled or dead; counts.

Claiming is one short transaction so that replicas never send the same row: PostgreSQL
runs ``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING``; SQLite
runs one writer at a time, so the same conditional UPDATE is atomic on its own. Every
later write applies only while the row is still pending. When to retry and when to give
up is decided by the caller (`monitor.deliver.outbox`); this module only records it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from monitor.clock import utc
from monitor.models import Channel, OutboxStatus
from monitor.store.engine import Store
from monitor.store.tables import events, outbox

MAX_ERROR_CHARS = 1000


@dataclass(frozen=True)
class ClaimedRow:
    """One outbox row this worker holds until its claim expires, with its event's item."""

    id: int
    event_id: str
    subscriber: str
    channel: Channel
    attempts: int
    created_at: datetime
    item: Mapping[str, Any]  # the stored JSON Feed item


def clip_error(error: str) -> str:
    """An error message as stored: at most `MAX_ERROR_CHARS` characters."""
    return error[:MAX_ERROR_CHARS]


def claim_next(
    store: Store,
    *,
    worker: str,
    now: datetime,
    until: datetime,
    channels: Collection[Channel],
) -> ClaimedRow | None:
    """Claim the oldest due, unclaimed row of `channels` for `worker` until `until`; None
    when no row is due."""
    unclaimed = sa.or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until <= now)
    candidate = (
        sa.select(outbox.c.id)
        .join(events, events.c.id == outbox.c.event_id)
        .where(
            outbox.c.status == OutboxStatus.PENDING,
            outbox.c.channel.in_([str(c) for c in channels]),
            outbox.c.next_attempt_at <= now,
            unclaimed,
        )
        .order_by(events.c.seq, outbox.c.id)
        .limit(1)
        .with_for_update(of=outbox, skip_locked=True)  # PostgreSQL only; SQLite ignores it
    )
    claim = (
        sa.update(outbox)
        .where(
            outbox.c.id == candidate.scalar_subquery(),
            # Re-checked by the UPDATE itself, so a row claimed meanwhile is left alone.
            outbox.c.status == OutboxStatus.PENDING,
            unclaimed,
        )
        .values(claimed_by=worker, claimed_until=until)
        .returning(
            outbox.c.id,
            outbox.c.event_id,
            outbox.c.subscriber,
            outbox.c.channel,
            outbox.c.attempts,
            outbox.c.created_at,
        )
    )
    with store.begin() as conn:
        claimed = conn.execute(claim).first()
        if claimed is None:
            return None
        item = conn.execute(
            sa.select(events.c.item).where(events.c.id == claimed.event_id)
        ).scalar_one()
    return ClaimedRow(
        id=claimed.id,
        event_id=claimed.event_id,
        subscriber=claimed.subscriber,
        channel=Channel(claimed.channel),
        attempts=claimed.attempts,
        created_at=utc(claimed.created_at),
        item=item,
    )


def mark_sent(store: Store, row_id: int, *, now: datetime) -> None:
    """The channel accepted the row: sent, one more attempt, claim released."""
    with store.begin() as conn:
        settle_pending(
            conn,
            [row_id],
            status=OutboxStatus.SENT,
            sent_at=now,
            attempts=outbox.c.attempts + 1,
            last_error=None,
            claimed_by=None,
            claimed_until=None,
        )


def reschedule(
    store: Store, row_id: int, *, attempts: int, next_attempt_at: datetime, error: str
) -> None:
    """A failed try to repeat at `next_attempt_at`; the claim is released."""
    with store.begin() as conn:
        settle_pending(
            conn,
            [row_id],
            attempts=attempts,
            next_attempt_at=next_attempt_at,
            last_error=clip_error(error),
            claimed_by=None,
            claimed_until=None,
        )


def mark_dead(store: Store, row_id: int, *, error: str) -> bool:
    """Give the row up; True if this call did (False: it was no longer pending)."""
    with store.begin() as conn:
        changed = settle_pending(
            conn,
            [row_id],
            status=OutboxStatus.DEAD,
            attempts=outbox.c.attempts + 1,
            last_error=clip_error(error),
            claimed_by=None,
            claimed_until=None,
        )
    return changed == 1


def settle_pending(conn: Connection, row_ids: Collection[int], **values: Any) -> int:
    """Set `values` on those of `row_ids` that are still pending, in the caller's
    transaction; the number of rows changed."""
    result = conn.execute(
        sa.update(outbox)
        .where(outbox.c.id.in_(list(row_ids)), outbox.c.status == OutboxStatus.PENDING)
        .values(**values)
    )
    return int(result.rowcount)


def outbox_counts(store: Store) -> dict[str, int]:
    """Outbox rows by status: every `OutboxStatus` (zero when no row has it), and any other
    status found kept as written (a newer version's, during a rolling upgrade)."""
    with store.connect() as conn:
        rows = conn.execute(
            sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status)
        ).all()
    counts: dict[str, int] = dict.fromkeys(OutboxStatus, 0)
    counts.update({_known(str(status)): int(count) for status, count in rows})
    return counts


def _known(status: str) -> str:
    try:
        return OutboxStatus(status)
    except ValueError:
        return status
