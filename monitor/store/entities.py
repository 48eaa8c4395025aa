"""Reads and writes of the parties designation notices name (table `entity_rows`)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from monitor.clock import beijing_date
from monitor.codec import facts_from_json
from monitor.models import EntityAction, EntityList, EntityRecord, EntityRow, Notice
from monitor.store import tables as t


def save_entity_rows(conn: Connection, notice: Notice) -> None:
    """Make the stored rows of `notice` what its current version names (none: no rows)."""
    conn.execute(sa.delete(t.entity_rows).where(t.entity_rows.c.doc_key == notice.doc_key))
    rows = notice.facts.entities
    if rows:
        conn.execute(
            sa.insert(t.entity_rows),
            [
                {
                    "doc_key": notice.doc_key,
                    "position": position,
                    "name": row.name,
                    "name_en": row.name_en,
                    "list": row.list_.value,
                    "action": row.action.value,
                    "country": row.country,
                    "alt_names": list(row.alt_names),
                    "addresses": list(row.addresses),
                    "until": row.until,
                }
                for position, row in enumerate(rows)
            ],
        )


def entity_records(conn: Connection) -> list[EntityRecord]:
    """Every stored party row of a notice that is not withdrawn, with its notice's dates."""
    e, n = t.entity_rows, t.notices
    rows = conn.execute(
        sa.select(
            e,
            n.c.doc_number,
            n.c.url,
            n.c.published,
            n.c.facts,
            n.c.first_seen_at,
        )
        .join(n, n.c.doc_key == e.c.doc_key)
        .where(n.c.withdrawn_at.is_(None))
        .order_by(e.c.doc_key, e.c.position)
    ).mappings()
    return [
        EntityRecord(
            doc_key=row["doc_key"],
            doc_number=row["doc_number"],
            url=row["url"],
            published=row["published"],
            effective=facts_from_json(row["facts"]).effective,
            row=EntityRow(
                name=row["name"],
                name_en=row["name_en"],
                list_=EntityList(row["list"]),
                action=EntityAction(row["action"]),
                country=row["country"],
                alt_names=tuple(row["alt_names"]),
                addresses=tuple(row["addresses"]),
                until=row["until"],
            ),
            position=row["position"],
            first_seen=beijing_date(row["first_seen_at"]),
        )
        for row in rows
    ]
