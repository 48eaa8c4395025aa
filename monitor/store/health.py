"""The health columns of the `sources` rows, and the flag that remembers what the
operator was told last (`health_alerted`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from monitor.clock import utc
from monitor.store.engine import Store
from monitor.store.tables import sources


@dataclass(frozen=True)
class SourceHealthRow:
    """One source's poll record as `pipeline` keeps it; times are aware UTC."""

    id: str
    kind: str
    name: str
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    last_error_reason: str | None
    consecutive_failures: int
    health_alerted: bool


def source_health(store: Store, source_ids: Collection[str] | None = None) -> list[SourceHealthRow]:
    """The health of every source (or of `source_ids`), by id."""
    query = sa.select(
        sources.c.id,
        sources.c.kind,
        sources.c.name,
        sources.c.last_success_at,
        sources.c.last_attempt_at,
        sources.c.last_error,
        sources.c.last_error_reason,
        sources.c.consecutive_failures,
        sources.c.health_alerted,
    ).order_by(sources.c.id)
    if source_ids is not None:
        query = query.where(sources.c.id.in_(list(source_ids)))
    with store.connect() as conn:
        return [
            SourceHealthRow(
                id=row.id,
                kind=row.kind,
                name=row.name,
                last_success_at=_aware(row.last_success_at),
                last_attempt_at=_aware(row.last_attempt_at),
                last_error=row.last_error,
                last_error_reason=row.last_error_reason,
                consecutive_failures=row.consecutive_failures or 0,
                health_alerted=bool(row.health_alerted),
            )
            for row in conn.execute(query)
        ]


def _aware(moment: datetime | None) -> datetime | None:
    return utc(moment) if moment is not None else None


def set_health_alerted(store: Store, source_id: str, *, alerted: bool) -> bool:
    """Set `health_alerted` to `alerted` if it was not already; True if this call flipped
    it (of several replicas, exactly one gets True)."""
    statement = (
        sa.update(sources)
        .where(sources.c.id == source_id, sources.c.health_alerted.is_(not alerted))
        .values(health_alerted=alerted)
    )
    with store.begin() as conn:
        return conn.execute(statement).rowcount == 1
