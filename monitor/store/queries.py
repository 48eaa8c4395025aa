"""Read-only views over the store: the controls state's inputs."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from monitor.clock import beijing_date
from monitor.codec import facts_from_json, items_from_json, verdict_from_json
from monitor.models import MeasureRecord
from monitor.store import tables as t


def measure_records(conn: Connection) -> list[MeasureRecord]:
    rows = conn.execute(
        sa.select(
            t.notices.c.doc_key,
            t.notices.c.doc_number,
            t.notices.c.title,
            t.notices.c.url,
            t.notices.c.published,
            t.notices.c.facts,
            t.notices.c.verdict,
            t.notices.c.first_seen_at,
            t.notices.c["items"],
        ).where(t.notices.c.withdrawn_at.is_(None))
    ).mappings()
    return [
        MeasureRecord(
            doc_key=row["doc_key"],
            doc_number=row["doc_number"],
            title=row["title"],
            url=row["url"],
            published=row["published"],
            facts=facts_from_json(row["facts"]),
            relevant=verdict_from_json(row["verdict"]).relevant,
            first_seen=beijing_date(row["first_seen_at"]),
            items=items_from_json(row["items"] or []),
        )
        for row in rows
    ]


def notices_version(conn: Connection) -> tuple[int, int]:
    """Changes whenever a notice is added, gets a new version, is withdrawn or comes back:
    what the controls state is computed from (a cheap aggregate, no rows read)."""
    n = t.notices.c
    row = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(n.version), 0),
            sa.func.count(n.withdrawn_at),
        )
    ).one()
    return int(row[0]), int(row[1]) * 1_000_000 + int(row[2])
