"""Daily digest emails: one per subscriber per local day that had events for them.

When: at ``digest_at`` on local day D (the subscriber's ``timezone``), the digest for day
D-1 is due — the events *detected* during D-1, local time. A day is thus complete before
its digest goes out. After downtime, `send_due_digests` also sends every earlier day that
still has undelivered events, oldest first. An event detected during a day whose digest
was already sent (possible only when ``regwatch digest`` sent the current day early) is
not lost: it joins the next digest sent to that subscriber, listed as "earlier".

Never twice: the ``digests`` row (subscriber, local_date) is claimed before sending —
inserted, or taken over once an earlier claim expired — so two replicas, or a repeated
``regwatch digest``, never both send it; it is marked sent, together with its outbox
rows, only after the SMTP server accepted the message. A crash in between re-sends it
after the claim expires, with the same Message-ID. A failure that retrying can help is
retried (not before the backoff, kept in ``claimed_until``) until ``delivery.max_age``
after the digest was due; then, or on a permanent failure, the digest and its rows are
``dead`` and the operator is told.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from email.utils import format_datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from monitor import metrics
from monitor.clock import Clock, utc
from monitor.config import Settings, Subscriber
from monitor.deliver.channels import Channels, MailSender
from monitor.deliver.channels.email import message_id, render_digest
from monitor.deliver.outbox import MAX_ERROR_CHARS, notify_operator, retry_delay
from monitor.errors import DeliveryError, UsageError
from monitor.failpoints import AFTER_SEND_BEFORE_MARK, failpoint
from monitor.store import Store
from monitor.store.tables import digests, events, outbox

__all__ = [
    "DigestOutcome",
    "describe",
    "due_dates",
    "latest_due_date",
    "message_id",
    "render_digest",
    "send_digest",
    "send_due_digests",
]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DigestOutcome:
    subscriber: str
    local_date: date
    status: str  # sent | empty | already_sent | busy | retry | dead
    events: int = 0
    message_id: str = ""
    error: str | None = None


# ---------------------------------------------------------------------------------------
# Store


@dataclass(frozen=True)
class _Pending:
    outbox_id: int
    local_date: date
    item: dict[str, Any]


def _pending_rows(conn: Connection, subscriber: Subscriber, before: datetime) -> list[_Pending]:
    rows = conn.execute(
        sa.select(outbox.c.id, events.c.detected_at, events.c.item)
        .join(events, events.c.id == outbox.c.event_id)
        .where(
            outbox.c.subscriber == subscriber.name,
            outbox.c.channel == "email",
            outbox.c.status == "pending",
            events.c.detected_at < before,
        )
        .order_by(events.c.seq, outbox.c.id)
    ).all()
    return [
        _Pending(r.id, utc(r.detected_at).astimezone(subscriber.tz).date(), r.item) for r in rows
    ]


def _closed_dates(conn: Connection, name: str) -> set[date]:
    rows = conn.execute(
        sa.select(digests.c.local_date).where(
            digests.c.subscriber == name, digests.c.status.in_(("sent", "dead"))
        )
    ).scalars()
    return set(rows)


def _day_start(day: date, subscriber: Subscriber) -> datetime:
    return datetime.combine(day, time(0), subscriber.tz)


def _collect(conn: Connection, subscriber: Subscriber, local_date: date) -> list[_Pending]:
    """This day's undelivered rows, plus late ones of days whose digest already went out."""
    rows = _pending_rows(conn, subscriber, _day_start(local_date + timedelta(days=1), subscriber))
    closed = _closed_dates(conn, subscriber.name)
    return [r for r in rows if r.local_date == local_date or r.local_date in closed]


def _insert_ignore(conn: Connection) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(digests).on_conflict_do_nothing(
        index_elements=["subscriber", "local_date"]
    )


def _claim(
    store: Store,
    name: str,
    local_date: date,
    *,
    worker: str,
    now: datetime,
    lease_s: float,
    ident: str,
    count: int,
) -> str:
    """'claimed', or why not: 'already_sent', 'dead', 'busy'."""
    until = now + timedelta(seconds=lease_s)
    key = (digests.c.subscriber == name, digests.c.local_date == local_date)
    with store.begin() as conn:
        inserted = conn.execute(
            _insert_ignore(conn)
            .values(
                subscriber=name,
                local_date=local_date,
                status="sending",
                message_id=ident,
                event_count=count,
                attempts=0,
                claimed_by=worker,
                claimed_until=until,
            )
            # RETURNING, not rowcount: psycopg reports -1 for INSERT … ON CONFLICT.
            .returning(digests.c.subscriber)
        ).first()
        if inserted is not None:
            return "claimed"
        taken = conn.execute(
            sa.update(digests)
            .where(
                *key,
                digests.c.status == "sending",
                sa.or_(digests.c.claimed_until.is_(None), digests.c.claimed_until <= now),
            )
            .values(claimed_by=worker, claimed_until=until, event_count=count)
        ).rowcount
        if taken == 1:
            return "claimed"
        status = conn.execute(sa.select(digests.c.status).where(*key)).scalar_one_or_none()
    return {"sent": "already_sent", "dead": "dead"}.get(str(status), "busy")


def _status(conn: Connection, name: str, local_date: date) -> str | None:
    status = conn.execute(
        sa.select(digests.c.status).where(
            digests.c.subscriber == name, digests.c.local_date == local_date
        )
    ).scalar_one_or_none()
    return None if status is None else str(status)


def _due_at(subscriber: Subscriber, local_date: date) -> datetime:
    return datetime.combine(local_date + timedelta(days=1), subscriber.digest_at, subscriber.tz)


def send_digest(  # noqa: PLR0917 - the positional order is the documented API
    store: Store,
    settings: Settings,
    clock: Clock,
    sender: MailSender,
    subscriber: Subscriber,
    local_date: date,
    *,
    channels: Channels | None = None,
    worker: str = "local",
    rng: random.Random | None = None,
) -> DigestOutcome:
    """Send `subscriber`'s digest for `local_date` unless it was sent already or is empty.

    `channels`, when given, is used to tell the operator about a digest given up on."""
    if settings.email is None:
        raise UsageError("digests need an [email] section in the configuration")
    now = utc(clock.now())
    ident = message_id(subscriber.name, local_date)
    outcome = DigestOutcome(subscriber.name, local_date, "empty", message_id=ident)
    with store.connect() as conn:
        status = _status(conn, subscriber.name, local_date)
        if status in ("sent", "dead"):
            return _replace(outcome, status="already_sent" if status == "sent" else "dead")
        if not _collect(conn, subscriber, local_date):
            # Another replica may have sent it (and drained the rows) since the first look.
            if _status(conn, subscriber.name, local_date) == "sent":
                return _replace(outcome, status="already_sent")
            return outcome
    claim = _claim(
        store,
        subscriber.name,
        local_date,
        worker=worker,
        now=now,
        lease_s=settings.schedule.lease_s,
        ident=ident,
        count=0,
    )
    if claim != "claimed":
        return _replace(outcome, status=claim)
    with store.connect() as conn:
        rows = _collect(conn, subscriber, local_date)  # authoritative, now that we hold the claim
    if not rows:
        _release(store, subscriber.name, local_date)
        return outcome
    ids = [r.outbox_id for r in rows]
    message = render_digest(
        subscriber, local_date, [r.item for r in rows], sender=settings.email.sender
    )
    message["Date"] = format_datetime(now)
    context = {"subscriber": subscriber.name, "channel": "email"}
    try:
        sender.send(message)
    except DeliveryError as exc:
        too_old = (
            now - _due_at(subscriber, local_date)
        ).total_seconds() > settings.delivery.max_age_s
        if exc.retryable and not too_old:
            return _failed(
                store,
                settings,
                outcome,
                ids,
                now=now,
                error=str(exc),
                retry_after_s=exc.retry_after_s,
                rng=rng,
            )
        error = str(exc) if not exc.retryable else f"{exc} (gave up: delivery.max_age passed)"
        result = _dead(store, outcome, ids, now=now, error=error)
        if channels is not None:
            notify_operator(
                settings,
                channels,
                "regwatch could not deliver a digest",
                f"The digest of {local_date} for subscriber {subscriber.name!r} "
                f"({len(ids)} change(s)) was given up: {error}",
            )
        return result
    failpoint(AFTER_SEND_BEFORE_MARK)
    with store.begin() as conn:
        conn.execute(
            sa.update(digests)
            .where(digests.c.subscriber == subscriber.name, digests.c.local_date == local_date)
            .values(
                status="sent",
                sent_at=now,
                event_count=len(ids),
                message_id=ident,
                attempts=digests.c.attempts + 1,
                last_error=None,
                claimed_by=None,
                claimed_until=None,
            )
        )
        conn.execute(
            sa.update(outbox)
            .where(outbox.c.id.in_(ids), outbox.c.status == "pending")
            .values(status="sent", sent_at=now, attempts=outbox.c.attempts + 1, last_error=None)
        )
    metrics.DELIVERIES.labels(channel="email", outcome="sent").inc()
    log.info(
        "digest %s sent to %s with %d change(s)",
        local_date,
        subscriber.name,
        len(ids),
        extra=context,
    )
    return _replace(outcome, status="sent", events=len(ids))


def _replace(outcome: DigestOutcome, **changes: Any) -> DigestOutcome:
    return replace(outcome, **changes)


def _release(store: Store, name: str, local_date: date) -> None:
    with store.begin() as conn:
        conn.execute(
            sa.update(digests)
            .where(
                digests.c.subscriber == name,
                digests.c.local_date == local_date,
                digests.c.status == "sending",
            )
            .values(claimed_by=None, claimed_until=None)
        )


def _failed(
    store: Store,
    settings: Settings,
    outcome: DigestOutcome,
    ids: list[int],
    *,
    now: datetime,
    error: str,
    retry_after_s: float | None,
    rng: random.Random | None,
) -> DigestOutcome:
    key = (digests.c.subscriber == outcome.subscriber, digests.c.local_date == outcome.local_date)
    with store.begin() as conn:
        attempts = conn.execute(sa.select(digests.c.attempts).where(*key)).scalar_one() + 1
        not_before = now + timedelta(
            seconds=retry_delay(attempts, settings.delivery, retry_after_s=retry_after_s, rng=rng)
        )
        conn.execute(
            sa.update(digests)
            .where(*key)
            .values(
                attempts=attempts,
                last_error=error[:MAX_ERROR_CHARS],
                claimed_by=None,
                claimed_until=not_before,
            )
        )
        conn.execute(
            sa.update(outbox)
            .where(outbox.c.id.in_(ids), outbox.c.status == "pending")
            .values(
                attempts=outbox.c.attempts + 1,
                last_error=error[:MAX_ERROR_CHARS],
                next_attempt_at=not_before,
            )
        )
    metrics.DELIVERIES.labels(channel="email", outcome="retry").inc()
    log.warning(
        "digest %s for %s failed (attempt %d), retrying after %s: %s",
        outcome.local_date,
        outcome.subscriber,
        attempts,
        not_before.isoformat(timespec="seconds"),
        error,
        extra={"subscriber": outcome.subscriber, "channel": "email"},
    )
    return _replace(outcome, status="retry", events=len(ids), error=error)


def _dead(
    store: Store, outcome: DigestOutcome, ids: list[int], *, now: datetime, error: str
) -> DigestOutcome:
    key = (digests.c.subscriber == outcome.subscriber, digests.c.local_date == outcome.local_date)
    with store.begin() as conn:
        conn.execute(
            sa.update(digests)
            .where(*key)
            .values(
                status="dead",
                attempts=digests.c.attempts + 1,
                event_count=len(ids),
                last_error=error[:MAX_ERROR_CHARS],
                claimed_by=None,
                claimed_until=None,
            )
        )
        conn.execute(
            sa.update(outbox)
            .where(outbox.c.id.in_(ids), outbox.c.status == "pending")
            .values(
                status="dead", attempts=outbox.c.attempts + 1, last_error=error[:MAX_ERROR_CHARS]
            )
        )
    metrics.DELIVERIES.labels(channel="email", outcome="dead").inc()
    log.error(
        "giving up on the digest %s for %s: %s",
        outcome.local_date,
        outcome.subscriber,
        error,
        extra={"subscriber": outcome.subscriber, "channel": "email"},
    )
    return _replace(outcome, status="dead", events=len(ids), error=error)


# ---------------------------------------------------------------------------------------
# When


def latest_due_date(subscriber: Subscriber, now: datetime) -> date:
    """The most recent local day whose digest is due: yesterday once ``digest_at`` passed."""
    local = utc(now).astimezone(subscriber.tz)
    back = 1 if local.time().replace(tzinfo=None) >= subscriber.digest_at else 2
    return local.date() - timedelta(days=back)


def due_dates(store: Store, subscriber: Subscriber, now: datetime) -> list[date]:
    """Days to send now, oldest first: the latest due day, and any earlier day that still
    has undelivered events and no digest sent (catch-up after downtime)."""
    latest = latest_due_date(subscriber, now)
    with store.connect() as conn:
        rows = _pending_rows(conn, subscriber, _day_start(latest + timedelta(days=1), subscriber))
        closed = _closed_dates(conn, subscriber.name)
    return sorted({r.local_date for r in rows if r.local_date not in closed} | {latest})


def send_due_digests(
    store: Store,
    settings: Settings,
    clock: Clock,
    sender: MailSender,
    *,
    channels: Channels | None = None,
    worker: str = "local",
) -> list[DigestOutcome]:
    """Send every digest that is due now; returns the ones sent, retried or given up."""
    now = utc(clock.now())
    outcomes: list[DigestOutcome] = []
    for subscriber in settings.subscribers:
        if not subscriber.email:
            continue
        for day in due_dates(store, subscriber, now):
            outcome = send_digest(
                store, settings, clock, sender, subscriber, day, channels=channels, worker=worker
            )
            if outcome.status in ("sent", "retry", "dead"):
                outcomes.append(outcome)
    return outcomes


def describe(outcome: DigestOutcome) -> str:
    head = f"{outcome.subscriber} {outcome.local_date.isoformat()}:"
    match outcome.status:
        case "sent":
            return f"{head} sent {outcome.events} change(s), Message-ID {outcome.message_id}"
        case "empty":
            return f"{head} nothing to send"
        case "already_sent":
            return f"{head} already sent, nothing new sent"
        case "busy":
            return f"{head} being sent by another process, or waiting to retry"
        case "retry":
            return f"{head} failed, will retry: {outcome.error}"
        case _:
            return f"{head} given up: {outcome.error or 'see the log'}"
