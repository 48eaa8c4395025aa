"""`regwatch sources`: each source with its health, and the outbox at a glance."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa

from monitor import store as t
from monitor.models import SourceDef
from monitor.store import Store


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%SZ") if moment else "never"


def render_sources(store: Store, catalog: Mapping[str, SourceDef]) -> str:
    with store.connect() as conn:
        rows = {r["id"]: r for r in conn.execute(sa.select(t.sources)).mappings()}
        outbox: dict[str, int] = dict(
            conn.execute(sa.select(t.outbox.c.status, sa.func.count()).group_by(t.outbox.c.status))
            .tuples()
            .all()
        )
    lines = [f"{'SOURCE':<24} {'KIND':<14} {'LAST SUCCESS':<21} {'FAILS':>5}  LAST ERROR"]
    for source_id, source in sorted(catalog.items()):
        row = rows.get(source_id)
        success = _when(row["last_success_at"]) if row else "never"
        fails = row["consecutive_failures"] if row else 0
        error = (row["last_error"] or "-") if row else "-"
        lines.append(f"{source_id:<24} {source.kind:<14} {success:<21} {fails:>5}  {error[:120]}")
    lines.append(
        f"outbox: {outbox.get('pending', 0)} pending, {outbox.get('sent', 0)} sent, "
        f"{outbox.get('dead', 0)} dead"
        + ("  <- dead deliveries need attention" if outbox.get("dead") else "")
    )
    return "\n".join(lines)
