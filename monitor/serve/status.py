"""`regwatch sources`: each source with its health, and the outbox at a glance."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from monitor.config import Settings
from monitor.deliver.health import source_health_rows
from monitor.models import OutboxStatus, SourceDef
from monitor.store import Store
from monitor.store.outbox import outbox_counts


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%SZ") if moment else "never"


def render_sources(
    store: Store, catalog: Mapping[str, SourceDef], settings: Settings, now: datetime
) -> str:
    rows = {r["id"]: r for r in source_health_rows(store, now=now, operator=settings.operator)}
    outbox = outbox_counts(store)
    header = (
        f"{'SOURCE':<24} {'KIND':<14} {'STATE':<8} {'LAST SUCCESS':<21} {'FAILS':>5}  LAST ERROR"
    )
    lines = [header]
    for source_id, source in sorted(catalog.items()):
        row = rows.get(source_id)
        state = row["state"] if row and row["last_attempt_at"] else "new"
        success = _when(row["last_success_at"]) if row else "never"
        fails = row["consecutive_failures"] if row else 0
        error = (row["last_error"] or "-") if row else "-"
        lines.append(
            f"{source_id:<24} {source.kind:<14} {state:<8} {success:<21} {fails:>5}  {error[:120]}"
        )
    pending, sent, dead = (
        outbox[OutboxStatus.PENDING],
        outbox[OutboxStatus.SENT],
        outbox[OutboxStatus.DEAD],
    )
    lines.append(
        f"outbox: {pending} pending, {sent} sent, {dead} dead"
        + ("  <- dead deliveries need attention" if dead else "")
    )
    return "\n".join(lines)
