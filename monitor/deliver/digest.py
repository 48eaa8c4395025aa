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
from enum import StrEnum

from monitor import metrics
from monitor.clock import Clock, utc
from monitor.config import Settings, Subscriber
from monitor.deliver.channels import Channels, MailSender, read_alert
from monitor.deliver.channels.email import message_id, render_digest
from monitor.deliver.outbox import RowOutcome, notify_operator, retry_delay
from monitor.errors import DeliveryError, UsageError
from monitor.failpoints import AFTER_SEND_BEFORE_MARK, failpoint
from monitor.models import Channel, DigestStatus
from monitor.store import Store
from monitor.store.digests import (
    PendingEmail,
    claim_digest,
    digest_attempts,
    digest_status,
    email_backlog,
    mark_digest_dead,
    mark_digest_sent,
    release_digest,
    reschedule_digest,
)

__all__ = [
    "DigestOutcome",
    "DigestResult",
    "describe",
    "due_dates",
    "latest_due_date",
    "message_id",
    "render_digest",
    "send_digest",
    "send_due_digests",
]
log = logging.getLogger(__name__)


class DigestResult(StrEnum):
    SENT = "sent"
    EMPTY = "empty"  # nothing to send for that day
    ALREADY_SENT = "already_sent"
    BUSY = "busy"  # another process holds the claim, or a retry waits out its backoff
    RETRY = "retry"
    DEAD = "dead"


# The digest's stored status → what a caller that finds it so is told.
_FOUND = {
    DigestStatus.SENT: DigestResult.ALREADY_SENT,
    DigestStatus.DEAD: DigestResult.DEAD,
    DigestStatus.SENDING: DigestResult.BUSY,
}


@dataclass(frozen=True)
class DigestOutcome:
    subscriber: str
    local_date: date
    status: DigestResult
    events: int = 0
    message_id: str = ""
    error: str | None = None


# ---------------------------------------------------------------------------------------
# Which rows


@dataclass(frozen=True)
class _Pending:
    local_date: date  # the subscriber's day the event was detected on
    email: PendingEmail


def _day_start(day: date, subscriber: Subscriber) -> datetime:
    return datetime.combine(day, time(0), subscriber.tz)


def _backlog(
    store: Store, subscriber: Subscriber, last_day: date
) -> tuple[list[_Pending], frozenset[date]]:
    """The subscriber's waiting rows of events detected up to the end of `last_day` (local
    time), and the days whose digest is closed."""
    backlog = email_backlog(
        store, subscriber.name, before=_day_start(last_day + timedelta(days=1), subscriber)
    )
    rows = [_Pending(p.detected_at.astimezone(subscriber.tz).date(), p) for p in backlog.pending]
    return rows, backlog.closed


def _collect(store: Store, subscriber: Subscriber, local_date: date) -> list[_Pending]:
    """This day's undelivered rows, plus late ones of days whose digest already went out."""
    rows, closed = _backlog(store, subscriber, local_date)
    return [r for r in rows if r.local_date == local_date or r.local_date in closed]


def _due_at(subscriber: Subscriber, local_date: date) -> datetime:
    return datetime.combine(local_date + timedelta(days=1), subscriber.digest_at, subscriber.tz)


# ---------------------------------------------------------------------------------------
# Sending


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
    name = subscriber.name
    ident = message_id(name, local_date)
    outcome = DigestOutcome(name, local_date, DigestResult.EMPTY, message_id=ident)
    status = digest_status(store, name, local_date)
    if status is DigestStatus.SENT or status is DigestStatus.DEAD:
        return replace(outcome, status=_FOUND[status])
    if not _collect(store, subscriber, local_date):
        # Another replica may have sent it (and drained the rows) since the first look.
        if digest_status(store, name, local_date) is DigestStatus.SENT:
            return replace(outcome, status=DigestResult.ALREADY_SENT)
        return outcome
    held_off = claim_digest(
        store,
        name,
        local_date,
        worker=worker,
        now=now,
        until=now + timedelta(seconds=settings.schedule.send_claim_s),
        message_id=ident,
        event_count=0,
    )
    if held_off is not None:
        return replace(outcome, status=_FOUND[held_off])
    rows = _collect(store, subscriber, local_date)  # authoritative, now that we hold the claim
    if not rows:
        release_digest(store, name, local_date)
        return outcome
    ids = [r.email.outbox_id for r in rows]
    message = render_digest(
        subscriber,
        local_date,
        [read_alert(r.email.item, public_url=settings.server.public_url) for r in rows],
        sender=settings.email.sender,
    )
    message["Date"] = format_datetime(now)
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
        result = _dead(store, outcome, ids, error=error)
        if channels is not None:
            notify_operator(
                settings,
                channels,
                "regwatch could not deliver a digest",
                f"The digest of {local_date} for subscriber {name!r} "
                f"({len(ids)} change(s)) was given up: {error}",
            )
        return result
    failpoint(AFTER_SEND_BEFORE_MARK)
    mark_digest_sent(store, name, local_date, ids, now=now, message_id=ident)
    metrics.DELIVERIES.labels(channel=Channel.EMAIL, outcome=RowOutcome.SENT).inc()
    log.info(
        "digest %s sent to %s with %d change(s)",
        local_date,
        name,
        len(ids),
        extra={"subscriber": name, "channel": Channel.EMAIL},
    )
    return replace(outcome, status=DigestResult.SENT, events=len(ids))


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
    name, day = outcome.subscriber, outcome.local_date
    attempts = digest_attempts(store, name, day) + 1
    not_before = now + timedelta(
        seconds=retry_delay(attempts, settings.delivery, retry_after_s=retry_after_s, rng=rng)
    )
    reschedule_digest(store, name, day, ids, attempts=attempts, not_before=not_before, error=error)
    metrics.DELIVERIES.labels(channel=Channel.EMAIL, outcome=RowOutcome.RETRY).inc()
    log.warning(
        "digest %s for %s failed (attempt %d), retrying after %s: %s",
        day,
        name,
        attempts,
        not_before.isoformat(timespec="seconds"),
        error,
        extra={"subscriber": name, "channel": Channel.EMAIL},
    )
    return replace(outcome, status=DigestResult.RETRY, events=len(ids), error=error)


def _dead(store: Store, outcome: DigestOutcome, ids: list[int], *, error: str) -> DigestOutcome:
    mark_digest_dead(store, outcome.subscriber, outcome.local_date, ids, error=error)
    metrics.DELIVERIES.labels(channel=Channel.EMAIL, outcome=RowOutcome.DEAD).inc()
    log.error(
        "giving up on the digest %s for %s: %s",
        outcome.local_date,
        outcome.subscriber,
        error,
        extra={"subscriber": outcome.subscriber, "channel": Channel.EMAIL},
    )
    return replace(outcome, status=DigestResult.DEAD, events=len(ids), error=error)


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
    rows, closed = _backlog(store, subscriber, latest)
    return sorted({r.local_date for r in rows if r.local_date not in closed} | {latest})


# What `send_due_digests` returns: the digests that went out, or failed, this time.
_REPORTED = frozenset({DigestResult.SENT, DigestResult.RETRY, DigestResult.DEAD})


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
            if outcome.status in _REPORTED:
                outcomes.append(outcome)
    return outcomes


def describe(outcome: DigestOutcome) -> str:
    head = f"{outcome.subscriber} {outcome.local_date.isoformat()}:"
    match outcome.status:
        case DigestResult.SENT:
            return f"{head} sent {outcome.events} change(s), Message-ID {outcome.message_id}"
        case DigestResult.EMPTY:
            return f"{head} nothing to send"
        case DigestResult.ALREADY_SENT:
            return f"{head} already sent, nothing new sent"
        case DigestResult.BUSY:
            return f"{head} being sent by another process, or waiting to retry"
        case DigestResult.RETRY:
            return f"{head} failed, will retry: {outcome.error}"
        case _:
            return f"{head} given up: {outcome.error or 'see the log'}"
