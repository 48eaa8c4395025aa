"""Small read-only summaries of the store: counts and the newest events.

What `regwatch demo` shows between its steps (how many notices, which events, what is still
waiting in the outbox).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from monitor.models import Channel, OutboxStatus
from monitor.store.engine import Store
from monitor.store.tables import events, notices, outbox


@dataclass(frozen=True)
class EventSummary:
    seq: int
    kind: str  # an EventKind value
    relevant: bool


def events_after(store: Store, seq: int) -> list[EventSummary]:
    """Stored events with a seq above `seq`, in seq order."""
    query = (
        sa.select(events.c.seq, events.c.kind, events.c.relevant)
        .where(events.c.seq > seq)
        .order_by(events.c.seq)
    )
    with store.connect() as conn:
        rows = conn.execute(query).all()
    return [EventSummary(int(row.seq), str(row.kind), bool(row.relevant)) for row in rows]


def pending_outbox_rows(store: Store, *, email: bool) -> int:
    """Outbox rows still to send: digest rows (`email`) or alerts (every other channel)."""
    channel = outbox.c.channel == Channel.EMAIL if email else outbox.c.channel != Channel.EMAIL
    query = sa.select(sa.func.count()).where(outbox.c.status == OutboxStatus.PENDING, channel)
    with store.connect() as conn:
        return int(conn.execute(query).scalar_one())


def notice_count(store: Store) -> int:
    with store.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(notices)).scalar_one())
