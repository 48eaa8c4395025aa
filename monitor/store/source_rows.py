"""The `sources` row of each source: baseline flag, list validators, health counters."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from monitor.adapters.base import SourceState
from monitor.adapters.recheck import DEFAULT_RECHECK_ALL, due_urls
from monitor.config import parse_duration
from monitor.detect.decide import StoredUrl
from monitor.models import SourceDef, Validators
from monitor.store import tables as t
from monitor.store.repository import known_urls

DEFAULT_RECHECK = "1h"


_SOURCE_ROW = sa.select(t.sources).where(t.sources.c.id == sa.bindparam("id"))  # every poll


def ensure_source(conn: Connection, source: SourceDef) -> dict[str, Any]:
    row = conn.execute(_SOURCE_ROW, {"id": source.id}).mappings().first()
    if row is None:
        conn.execute(sa.insert(t.sources).values(id=source.id, kind=source.kind, name=source.name))
        row = conn.execute(sa.select(t.sources).where(t.sources.c.id == source.id)).mappings().one()
    elif row["kind"] != source.kind or row["name"] != source.name:
        conn.execute(
            sa.update(t.sources)
            .where(t.sources.c.id == source.id)
            .values(kind=source.kind, name=source.name)
        )
    return dict(row)


def source_state(
    conn: Connection,
    source: SourceDef,
    row: dict[str, Any],
    now: datetime,
    *,
    known: Iterable[StoredUrl] | None = None,
) -> SourceState:
    """What the adapter gets; `known`: the source's URLs when the caller has read them."""
    recheck = parse_duration(source.options.get("recheck", DEFAULT_RECHECK), "recheck")
    last_recheck = row["last_recheck_at"]
    first_run = row["baseline_at"] is None
    recheck_due = not first_run and (
        last_recheck is None or last_recheck + timedelta(seconds=recheck) <= now
    )
    period = parse_duration(source.options.get("recheck_all", DEFAULT_RECHECK_ALL), "recheck_all")
    return SourceState(
        first_run=first_run,
        known_urls=known_urls(conn, source.id)
        if known is None
        else frozenset(u.url for u in known),
        list_validators=Validators(
            etag=row["list_etag"],
            last_modified=row["list_last_modified"],
            sha256=row["list_sha256"],
        )
        if not first_run
        else Validators(),
        recheck_due=recheck_due,
        recheck_urls=due_urls(relevant_urls(conn, source.id), last_recheck, now, period)
        if recheck_due
        else frozenset(),
    )


def relevant_urls(conn: Connection, source_id: str) -> list[str]:
    """This source's URLs of stored rare-earth-relevant notices that are not withdrawn."""
    query = (
        sa.select(t.notice_urls.c.url)
        .join(t.notices, t.notices.c.doc_key == t.notice_urls.c.doc_key)
        .where(
            t.notice_urls.c.source_id == source_id,
            t.notices.c.relevant.is_(True),
            t.notices.c.withdrawn_at.is_(None),
        )
    )
    return list(conn.execute(query).scalars())


def record_success(
    conn: Connection,
    source_id: str,
    *,
    now: datetime,
    validators: Validators | None,
    listed_count: int | None,
    rechecked: bool,
    baseline: bool,
) -> None:
    values: dict[str, Any] = {
        "last_attempt_at": now,
        "last_success_at": now,
        "consecutive_failures": 0,
        "last_error": None,
        "last_error_reason": None,
        "polls": t.sources.c.polls + 1,
    }
    if validators is not None:
        values.update(
            list_etag=validators.etag,
            list_last_modified=validators.last_modified,
            list_sha256=validators.sha256,
        )
    if listed_count is not None:
        values["last_listed_count"] = listed_count
    if rechecked:
        values["last_recheck_at"] = now
    if baseline:
        values["baseline_at"] = now
    conn.execute(sa.update(t.sources).where(t.sources.c.id == source_id).values(**values))


def record_failure(
    conn: Connection, source_id: str, *, now: datetime, reason: str, message: str
) -> None:
    conn.execute(
        sa.update(t.sources)
        .where(t.sources.c.id == source_id)
        .values(
            last_attempt_at=now,
            last_error=message[:2000],
            last_error_reason=reason,
            consecutive_failures=t.sources.c.consecutive_failures + 1,
            polls=t.sources.c.polls + 1,
        )
    )
