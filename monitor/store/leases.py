"""Which replica polls which source: leases on the `sources` rows.

A source is *due* when its ``next_poll_at`` is NULL or has passed, and *free* when it has
no lease or its lease expired (a replica that was killed mid-poll leaves an expired lease
behind; the next claimer takes the source over). Claiming sets ``lease_owner`` and
``lease_until`` in one statement:

- PostgreSQL: ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n) RETURNING``,
  so concurrent claimers skip each other's rows instead of waiting or double-claiming.
- SQLite: the same statement without the locking clause; SQLite runs one writer at a time,
  so the conditional UPDATE is atomic on its own.

`release_and_reschedule` frees the lease and sets the next poll, but only while the caller
still owns the lease: a replica whose lease expired and was taken over must not overwrite
the new owner's schedule. Every time is written in UTC (SQLite keeps no offset).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from monitor.clock import utc
from monitor.models import SourceDef
from monitor.store.engine import Store
from monitor.store.tables import sources as sources_table

log = logging.getLogger(__name__)


def ensure_source_rows(store: Store, defs: Iterable[SourceDef]) -> int:
    """Insert a `sources` row for every definition that has none; returns how many."""
    by_id = {d.id: d for d in defs}
    if not by_id:
        return 0
    with store.begin() as conn:
        query = sa.select(sources_table.c.id).where(sources_table.c.id.in_(list(by_id)))
        present = set(conn.scalars(query))
        missing = [by_id[i] for i in by_id if i not in present]
        if missing:
            conn.execute(
                _insert_ignore(conn),
                [{"id": d.id, "kind": d.kind, "name": d.name} for d in missing],
            )
    return len(missing)


def _insert_ignore(conn: Connection) -> sa.Insert:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(sources_table).on_conflict_do_nothing(index_elements=["id"])
    return sqlite.insert(sources_table).on_conflict_do_nothing(index_elements=["id"])


def claim_due_sources(
    store: Store,
    *,
    worker: str,
    now: datetime,
    sources: Sequence[SourceDef],
    lease_s: float,
    limit: int | None = None,
    exclude: Collection[str] = (),
    ensure_rows: bool = True,
) -> list[SourceDef]:
    """Lease up to `limit` due, free sources of `sources` to `worker`; most overdue first.

    `exclude` names sources this process is polling right now (never claimed again even if
    their lease ran out under an accelerated clock). With `ensure_rows` False the caller
    promises every definition already has a row (the daemon's worker loop, after a tick).
    """
    if limit is not None and limit <= 0:
        return []
    by_id = {d.id: d for d in sources if d.id not in exclude}
    if not by_id:
        return []
    if ensure_rows:
        ensure_source_rows(store, by_id.values())
    now = utc(now)
    table = sources_table
    candidates = (
        sa.select(table.c.id)
        .where(
            table.c.id.in_(list(by_id)),
            sa.or_(table.c.next_poll_at.is_(None), table.c.next_poll_at <= now),
            sa.or_(table.c.lease_until.is_(None), table.c.lease_until <= now),
        )
        .order_by(table.c.next_poll_at.asc().nulls_first(), table.c.id)
        .limit(limit if limit is not None else len(by_id))
        .with_for_update(skip_locked=True)  # PostgreSQL only; SQLite ignores it
    )
    claim = (
        sa.update(table)
        .where(table.c.id.in_(candidates.scalar_subquery()))
        .values(lease_owner=worker, lease_until=now + timedelta(seconds=lease_s))
        .returning(table.c.id, table.c.next_poll_at)
    )
    with store.begin() as conn:
        rows = list(conn.execute(claim))
    # RETURNING order is unspecified: restore "most overdue first".
    floor = datetime.min.replace(tzinfo=UTC)
    rows.sort(key=lambda r: (floor if r.next_poll_at is None else utc(r.next_poll_at), r.id))
    return [by_id[r.id] for r in rows]


class CatalogClaimer:
    """Claims due sources of one catalog without naming the catalog in the statement.

    `claim_due_sources` binds every id of `sources` into its statement, so one claim costs
    O(catalog) and a round in which every poll claims the next source costs O(catalog²)
    (5,000 sources: 25 million bound ids a round). This claimer's statement names only what to
    skip: `exclude` (the polls running here) and the rows of sources missing from the
    catalog (a removed definition, or a replica started with another catalog). Such a row is
    learnt the first time it is claimed and given back at once, its schedule untouched.
    Safe to share between worker threads.
    """

    def __init__(
        self, store: Store, catalog: Iterable[SourceDef], *, worker: str, lease_s: float
    ) -> None:
        self.store = store
        self.catalog = {d.id: d for d in catalog}
        self.worker = worker
        self.lease_s = lease_s
        self.foreign: set[str] = set()
        self._lock = threading.Lock()

    def claim(self, now: datetime, limit: int, exclude: Collection[str] = ()) -> list[SourceDef]:
        """Lease up to `limit` due, free sources of the catalog; most overdue first."""
        now = utc(now)
        until = now + timedelta(seconds=self.lease_s)
        claimed: list[SourceDef] = []
        while len(claimed) < limit:
            with self._lock:
                skip = [*exclude, *self.foreign, *(d.id for d in claimed)]
            params = {"now": now, "n": limit - len(claimed), "skip": skip,
                      "owner": self.worker, "until": until}  # fmt: skip
            with self.store.begin() as conn:
                rows = list(conn.execute(_CLAIM, params))
                strangers = [r.id for r in rows if r.id not in self.catalog]
                if strangers:
                    conn.execute(_GIVE_BACK, {"ids": strangers, "owner": self.worker})
            if strangers:
                log.warning(
                    "sources in the store but not in this catalog are left to others: %s",
                    ", ".join(sorted(strangers)),
                    extra={"worker": self.worker},
                )
                with self._lock:
                    self.foreign.update(strangers)
            known = [r for r in rows if r.id in self.catalog]
            floor = datetime.min.replace(tzinfo=UTC)
            known.sort(
                key=lambda r: (floor if r.next_poll_at is None else utc(r.next_poll_at), r.id)
            )
            claimed.extend(self.catalog[r.id] for r in known)
            if not strangers:
                break  # fewer due than asked for: none is left
        return claimed


_CLAIM = (
    sa.update(sources_table)
    .where(
        sources_table.c.id.in_(
            sa.select(sources_table.c.id)
            .where(
                sa.or_(
                    sources_table.c.next_poll_at.is_(None),
                    sources_table.c.next_poll_at <= sa.bindparam("now"),
                ),
                sa.or_(
                    sources_table.c.lease_until.is_(None),
                    sources_table.c.lease_until <= sa.bindparam("now"),
                ),
                sources_table.c.id.not_in(sa.bindparam("skip", expanding=True)),
            )
            .order_by(sources_table.c.next_poll_at.asc().nulls_first(), sources_table.c.id)
            .limit(sa.bindparam("n"))
            .with_for_update(skip_locked=True)  # PostgreSQL only; SQLite ignores it
            .scalar_subquery()
        )
    )
    .values(lease_owner=sa.bindparam("owner"), lease_until=sa.bindparam("until"))
    .returning(sources_table.c.id, sources_table.c.next_poll_at)
)
_GIVE_BACK = (
    sa.update(sources_table)
    .where(
        sources_table.c.id.in_(sa.bindparam("ids", expanding=True)),
        sources_table.c.lease_owner == sa.bindparam("owner"),
    )
    .values(lease_owner=None, lease_until=None)
)


def release_and_reschedule(
    store: Store, *, worker: str, source_id: str, next_poll_at: datetime
) -> bool:
    """Release `worker`'s lease on `source_id` and set its next poll.

    Returns False (and changes nothing) when the lease was lost meanwhile.
    """
    params = {"source": source_id, "owner": worker, "next": utc(next_poll_at)}
    with store.begin() as conn:
        return conn.execute(_RELEASE_AND_RESCHEDULE, params).rowcount == 1


# Built once: a worker runs it after every poll.
_RELEASE_AND_RESCHEDULE = (
    sa.update(sources_table)
    .where(
        sources_table.c.id == sa.bindparam("source"),
        sources_table.c.lease_owner == sa.bindparam("owner"),
    )
    .values(lease_owner=None, lease_until=None, next_poll_at=sa.bindparam("next"))
)


def renew_leases(
    store: Store, *, worker: str, source_ids: Collection[str], now: datetime, lease_s: float
) -> set[str]:
    """Extend `worker`'s leases on `source_ids` (polls still running); returns the renewed ids."""
    if not source_ids:
        return set()
    statement = (
        sa.update(sources_table)
        .where(sources_table.c.id.in_(list(source_ids)), sources_table.c.lease_owner == worker)
        .values(lease_until=utc(now) + timedelta(seconds=lease_s))
        .returning(sources_table.c.id)
    )
    with store.begin() as conn:
        return set(conn.scalars(statement))


def release_leases(store: Store, *, worker: str, source_ids: Collection[str] | None = None) -> int:
    """Give up `worker`'s leases (all, or on `source_ids`) without rescheduling.

    Used on shutdown for sources that were claimed but not polled, or whose poll did not
    finish in time: another replica may take them at once instead of after the lease ends.
    """
    statement = sa.update(sources_table).where(sources_table.c.lease_owner == worker)
    if source_ids is not None:
        if not source_ids:
            return 0
        statement = statement.where(sources_table.c.id.in_(list(source_ids)))
    with store.begin() as conn:
        return conn.execute(statement.values(lease_owner=None, lease_until=None)).rowcount
