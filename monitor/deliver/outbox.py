"""The outbox: due rows → channel → sent, retried later, or dead. Rows are never deleted.

The poll's transaction wrote one ``outbox`` row per event × subscriber × channel. Here,
for the channels that deliver one alert at a time (Slack, console):

1. claim the oldest due row (``status = pending``, ``next_attempt_at <= now``, no live
   claim) in a short transaction, so that replicas never send the same row. PostgreSQL:
   ``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING``; SQLite runs
   one writer at a time, so the same conditional UPDATE is atomic on its own;
2. send it outside any transaction;
3. mark it ``sent`` only after the channel succeeded. A crash between 2 and 3 leaves the
   claim to expire and the row is sent again: at-least-once, the duplicate recognisable by
   its Slack metadata (event_id).

A failure that retrying can help (timeout, connection, 5xx, 429) reschedules the row with
exponential backoff and jitter (a 429 waits at least its Retry-After); any other failure,
or a row pending longer than ``delivery.max_age``, makes it ``dead``: counted in
`outbox_summary`, logged as an error and told to the operator channel once.
Email rows are not sent here: they wait for their subscriber's daily digest (digest.py).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa

from monitor import metrics
from monitor.clock import Clock, utc
from monitor.config import DeliverySettings, Settings, Subscriber
from monitor.deliver.channels import AlertChannel, Channels
from monitor.errors import DeliveryError
from monitor.failpoints import AFTER_SEND_BEFORE_MARK, failpoint
from monitor.store import Store
from monitor.store.tables import events, outbox

log = logging.getLogger(__name__)

ALERT_CHANNELS = ("slack", "console")
STATUSES = ("pending", "sent", "dead")
MAX_ERROR_CHARS = 1000


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0


@dataclass(frozen=True)
class ClaimedRow:
    id: int
    event_id: str
    subscriber: str
    channel: str
    attempts: int
    created_at: datetime
    item: Mapping[str, Any]


def retry_delay(
    attempts: int,
    delivery: DeliverySettings,
    *,
    retry_after_s: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next try after `attempts` failed ones: base·2^(attempts-1) capped
    at the maximum, the upper half jittered so rows failed together spread out; never less
    than the server's Retry-After."""
    exponent = max(0, attempts - 1)
    ceiling = min(delivery.backoff_max_s, delivery.backoff_base_s * (2.0 ** min(exponent, 32)))
    delay = ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
    return max(delay, retry_after_s or 0.0)


def deliver_due(
    store: Store,
    settings: Settings,
    clock: Clock,
    channels: Channels,
    *,
    worker: str = "local",
    limit: int | None = None,
    rng: random.Random | None = None,
) -> DeliveryReport:
    """Send every due Slack/console row (at most `limit`, default ``delivery.batch``)."""
    budget = limit if limit is not None else settings.delivery.batch
    lease = timedelta(seconds=settings.schedule.lease_s)
    usable = [c for c in ALERT_CHANNELS if channels.for_outbox(c) is not None]
    sent = retried = dead = 0
    while budget > 0 and usable:
        now = utc(clock.now())
        row = claim_next(store, worker=worker, now=now, lease=lease, channels=usable)
        if row is None:
            break
        budget -= 1
        outcome = _deliver_one(store, settings, channels, row, now=now, rng=rng)
        if outcome == "sent":
            sent += 1
        elif outcome == "dead":
            dead += 1
        else:
            retried += 1
            if outcome == "retry":
                # The channel is down or throttling: the rest of its rows wait for next time.
                usable.remove(row.channel)
    update_depth_gauge(store)
    return DeliveryReport(sent=sent, retried=retried, dead=dead)


def claim_next(
    store: Store, *, worker: str, now: datetime, lease: timedelta, channels: list[str]
) -> ClaimedRow | None:
    """Claim the oldest due, unclaimed row of `channels` for `worker`; None when none is due."""
    candidate = (
        sa.select(outbox.c.id)
        .join(events, events.c.id == outbox.c.event_id)
        .where(
            outbox.c.status == "pending",
            outbox.c.channel.in_(channels),
            outbox.c.next_attempt_at <= now,
            sa.or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until <= now),
        )
        .order_by(events.c.seq, outbox.c.id)
        .limit(1)
        .with_for_update(of=outbox, skip_locked=True)  # PostgreSQL only; SQLite ignores it
    )
    claim = (
        sa.update(outbox)
        .where(
            outbox.c.id == candidate.scalar_subquery(),
            # Re-checked by the UPDATE itself, so a row claimed meanwhile is left alone.
            outbox.c.status == "pending",
            sa.or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until <= now),
        )
        .values(claimed_by=worker, claimed_until=now + lease)
        .returning(
            outbox.c.id,
            outbox.c.event_id,
            outbox.c.subscriber,
            outbox.c.channel,
            outbox.c.attempts,
            outbox.c.created_at,
        )
    )
    with store.begin() as conn:
        claimed = conn.execute(claim).first()
        if claimed is None:
            return None
        item = conn.execute(
            sa.select(events.c.item).where(events.c.id == claimed.event_id)
        ).scalar_one()
    return ClaimedRow(
        id=claimed.id,
        event_id=claimed.event_id,
        subscriber=claimed.subscriber,
        channel=claimed.channel,
        attempts=claimed.attempts,
        created_at=utc(claimed.created_at),
        item=item,
    )


def _destination(subscriber: Subscriber | None, channel: str) -> str | None:
    if subscriber is None:
        return None
    if channel == "slack":
        return subscriber.slack_channel
    if channel == "console" and subscriber.console:
        return subscriber.name
    return None


def _deliver_one(
    store: Store,
    settings: Settings,
    channels: Channels,
    row: ClaimedRow,
    *,
    now: datetime,
    rng: random.Random | None,
) -> str:
    context = {"event_id": row.event_id, "subscriber": row.subscriber, "channel": row.channel}
    if (now - row.created_at).total_seconds() > settings.delivery.max_age_s:
        return _dead(
            store,
            settings,
            channels,
            row,
            now=now,
            error=f"still undelivered after {settings.delivery.max_age_s / 3600:g} h "
            "(delivery.max_age)",
        )
    destination = _destination(settings.subscriber(row.subscriber), row.channel)
    channel: AlertChannel | None = channels.for_outbox(row.channel)
    if destination is None or channel is None:
        return _dead(
            store,
            settings,
            channels,
            row,
            now=now,
            error=f"subscriber {row.subscriber!r} no longer has a {row.channel} destination",
        )
    started = time.perf_counter()
    try:
        channel.send(row.item, destination)
    except DeliveryError as exc:
        metrics.DELIVERY_SECONDS.labels(channel=row.channel).observe(time.perf_counter() - started)
        if not exc.retryable:
            return _dead(store, settings, channels, row, now=now, error=str(exc))
        return _retry(
            store, settings, row, now=now, error=str(exc), retry_after_s=exc.retry_after_s, rng=rng
        )
    except Exception as exc:  # a bug in one row must not stop the others; retried, then dead
        log.exception("unexpected error delivering %s", row.event_id, extra=context)
        _retry(
            store,
            settings,
            row,
            now=now,
            error=f"{type(exc).__name__}: {exc}",
            retry_after_s=None,
            rng=rng,
        )
        return "row_error"  # retried like any failure, but the channel itself may be fine
    metrics.DELIVERY_SECONDS.labels(channel=row.channel).observe(time.perf_counter() - started)
    failpoint(AFTER_SEND_BEFORE_MARK)
    with store.begin() as conn:
        conn.execute(
            sa.update(outbox)
            .where(outbox.c.id == row.id, outbox.c.status == "pending")
            .values(
                status="sent",
                sent_at=now,
                attempts=outbox.c.attempts + 1,
                last_error=None,
                claimed_by=None,
                claimed_until=None,
            )
        )
    metrics.DELIVERIES.labels(channel=row.channel, outcome="sent").inc()
    log.info("delivered %s to %s via %s", row.event_id, row.subscriber, row.channel, extra=context)
    return "sent"


def _retry(
    store: Store,
    settings: Settings,
    row: ClaimedRow,
    *,
    now: datetime,
    error: str,
    retry_after_s: float | None,
    rng: random.Random | None,
) -> str:
    attempts = row.attempts + 1
    delay = retry_delay(attempts, settings.delivery, retry_after_s=retry_after_s, rng=rng)
    with store.begin() as conn:
        conn.execute(
            sa.update(outbox)
            .where(outbox.c.id == row.id, outbox.c.status == "pending")
            .values(
                attempts=attempts,
                next_attempt_at=now + timedelta(seconds=delay),
                last_error=error[:MAX_ERROR_CHARS],
                claimed_by=None,
                claimed_until=None,
            )
        )
    metrics.DELIVERIES.labels(channel=row.channel, outcome="retry").inc()
    log.warning(
        "delivery of %s failed (attempt %d), retrying in %.0f s: %s",
        row.event_id,
        attempts,
        delay,
        error,
        extra={"event_id": row.event_id, "subscriber": row.subscriber, "channel": row.channel},
    )
    return "retry"


def _dead(
    store: Store,
    settings: Settings,
    channels: Channels,
    row: ClaimedRow,
    *,
    now: datetime,
    error: str,
) -> str:
    with store.begin() as conn:
        changed = conn.execute(
            sa.update(outbox)
            .where(outbox.c.id == row.id, outbox.c.status == "pending")
            .values(
                status="dead",
                attempts=outbox.c.attempts + 1,
                last_error=error[:MAX_ERROR_CHARS],
                claimed_by=None,
                claimed_until=None,
            )
        ).rowcount
    metrics.DELIVERIES.labels(channel=row.channel, outcome="dead").inc()
    log.error(
        "giving up on %s for %s via %s: %s",
        row.event_id,
        row.subscriber,
        row.channel,
        error,
        extra={"event_id": row.event_id, "subscriber": row.subscriber, "channel": row.channel},
    )
    if changed == 1:  # this process made it dead: tell the operator exactly once
        label = _label(row.item)
        notify_operator(
            settings,
            channels,
            f"regwatch could not deliver an alert ({row.channel})",
            f"The {row.channel} alert for {label} to subscriber {row.subscriber!r} was given up "
            f"after {row.attempts + 1} attempt(s): {error}\nEvent {row.event_id}; "
            "the row stays in the outbox with status dead.",
        )
    return "dead"


def _label(item: Mapping[str, Any]) -> str:
    notice = item.get("_regwatch", {}).get("notice", {}) if isinstance(item, Mapping) else {}
    return str(notice.get("doc_number") or item.get("title") or notice.get("doc_key") or "an event")


def notify_operator(settings: Settings, channels: Channels, subject: str, text: str) -> None:
    """Tell the operator (``[operator]`` Slack channel and/or email). Never raises: an
    operator alert that cannot be sent is logged, and the outbox/health state stays visible."""
    operator = settings.operator
    if operator is None:
        log.warning("no [operator] configured to tell: %s", subject)
        return
    if operator.slack_channel:
        if channels.slack is None:
            log.error("operator Slack channel configured but Slack is not: %s", subject)
        else:
            try:
                channels.slack.send_text(operator.slack_channel, f"*{subject}*\n{text}")
            except Exception as exc:
                log.error("could not alert the operator on Slack (%s): %s", exc, subject)
    if operator.email:
        if channels.email is None or settings.email is None:
            log.error("operator email configured but email is not: %s", subject)
            return
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = settings.email.sender
        message["To"] = ", ".join(operator.email)
        message.set_content(text)
        try:
            channels.email.send(message)
        except Exception as exc:
            log.error("could not alert the operator by email (%s): %s", exc, subject)


def outbox_summary(store: Store) -> dict[str, int]:
    """Outbox rows by status; always has pending, sent and dead."""
    with store.connect() as conn:
        rows = conn.execute(
            sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status)
        ).all()
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({str(status): int(count) for status, count in rows})
    return counts


def update_depth_gauge(store: Store) -> dict[str, int]:
    counts = outbox_summary(store)
    for status, count in counts.items():
        metrics.OUTBOX_DEPTH.labels(status=status).set(count)
    return counts
