"""Reads of a notice's stored versions (for /notices/<doc_key>.json)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from monitor.store import tables as t


@dataclass(frozen=True)
class VersionRecord:
    version: int
    seen_at: datetime
    content_hash: str
    url: str


def notice_versions(conn: Connection, doc_key: str) -> list[VersionRecord]:
    """Every stored version of a notice, oldest first."""
    rows = conn.execute(
        sa.select(t.versions.c.version, t.versions.c.seen_at, t.versions.c.content_hash,
                  t.versions.c.url)
        .where(t.versions.c.doc_key == doc_key)
        .order_by(t.versions.c.version)
    ).mappings()  # fmt: skip
    return [VersionRecord(r["version"], r["seen_at"], r["content_hash"], r["url"]) for r in rows]
