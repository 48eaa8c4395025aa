"""Read-only views over the store: the controls state's inputs and documents."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from monitor import store as t
from monitor.clock import beijing_date
from monitor.codec import facts_from_json, verdict_from_json
from monitor.controls import MeasureRecord, controls_state
from monitor.store import Store


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
        )
        for row in rows
    ]


def controls_document(store: Store, as_of: date) -> dict[str, Any]:
    with store.connect() as conn:
        return controls_state(measure_records(conn), as_of)
