"""The outbox: due rows → channel → sent, retried later, or dead. Rows are never deleted.

The poll's transaction wrote one ``outbox`` row per event × subscriber × channel. Here,
for the channels that deliver one alert at a time (Slack, console):

1. claim the oldest due row in a short transaction (`monitor.store.outbox.claim_next`), so
   that replicas never send the same row;
2. send it outside any transaction;
3. mark it sent only after the channel succeeded. A crash between 2 and 3 leaves the
   claim to expire and the row is sent again: at-least-once, the duplicate recognisable by
   its Slack metadata (event_id).

A failure that retrying can help (timeout, connection, 5xx, 429) reschedules the row with
exponential backoff and jitter (a 429 waits at least its Retry-After); any other failure,
or a row pending longer than ``delivery.max_age``, makes it dead: counted in
`monitor.store.outbox.outbox_counts`, logged as an error and told to the operator once.
Email rows are not sent here: they wait for their subscriber's daily digest (digest.py).
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from enum import StrEnum

from monitor import metrics
from monitor.clock import Clock, utc
from monitor.config import DeliverySettings, Settings, Subscriber
from monitor.deliver.channels import Alert, AlertChannel, Channels, read_alert
from monitor.errors import DeliveryError
from monitor.failpoints import AFTER_SEND_BEFORE_MARK, failpoint
from monitor.models import Channel, OutboxStatus
from monitor.store import Store
from monitor.store.outbox import (
    ClaimedRow,
    claim_next,
    mark_dead,
    mark_sent,
    outbox_counts,
    reschedule,
)

log = logging.getLogger(__name__)

ALERT_CHANNELS = (Channel.SLACK, Channel.CONSOLE)


class RowOutcome(StrEnum):
    """What became of one claimed row; the first three are also the metric's outcomes."""

    SENT = "sent"
    RETRY = "retry"  # the channel failed in a way retrying can help: it pauses this pass
    DEAD = "dead"
    ROW_ERROR = "row_error"  # a bug with this row: retried, but the channel may be fine


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0


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
    lease = timedelta(seconds=settings.schedule.send_claim_s)
    usable = [c for c in ALERT_CHANNELS if channels.for_outbox(c) is not None]
    sent = retried = dead = 0
    while budget > 0 and usable:
        now = utc(clock.now())
        row = claim_next(store, worker=worker, now=now, until=now + lease, channels=usable)
        if row is None:
            break
        budget -= 1
        outcome = _deliver_one(store, settings, channels, row, now=now, rng=rng)
        if outcome is RowOutcome.SENT:
            sent += 1
        elif outcome is RowOutcome.DEAD:
            dead += 1
        else:
            retried += 1
            if outcome is RowOutcome.RETRY:
                # The channel is down or throttling: the rest of its rows wait for next time.
                usable.remove(row.channel)
    update_depth_gauge(store)
    return DeliveryReport(sent=sent, retried=retried, dead=dead)


def _destination(subscriber: Subscriber | None, channel: Channel) -> str | None:
    if subscriber is None:
        return None
    if channel is Channel.SLACK:
        return subscriber.slack_channel
    if channel is Channel.CONSOLE and subscriber.console:
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
) -> RowOutcome:
    context = {"event_id": row.event_id, "subscriber": row.subscriber, "channel": row.channel}
    alert = read_alert(row.item, public_url=settings.server.public_url)
    if (now - row.created_at).total_seconds() > settings.delivery.max_age_s:
        return _dead(
            store,
            settings,
            channels,
            row,
            alert,
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
            alert,
            error=f"subscriber {row.subscriber!r} no longer has a {row.channel} destination",
        )
    started = time.perf_counter()
    try:
        channel.send(alert, destination)
    except DeliveryError as exc:
        metrics.DELIVERY_SECONDS.labels(channel=row.channel).observe(time.perf_counter() - started)
        if not exc.retryable:
            return _dead(store, settings, channels, row, alert, error=str(exc))
        _retry(
            store, settings, row, now=now, error=str(exc), retry_after_s=exc.retry_after_s, rng=rng
        )
        return RowOutcome.RETRY
    except Exception as exc:  # a bug in one row must not stop the others; retried, then dead
        log.exception("unexpected error delivering %s", row.event_id, extra=context)
        error = f"{type(exc).__name__}: {exc}"
        _retry(store, settings, row, now=now, error=error, retry_after_s=None, rng=rng)
        return RowOutcome.ROW_ERROR
    metrics.DELIVERY_SECONDS.labels(channel=row.channel).observe(time.perf_counter() - started)
    failpoint(AFTER_SEND_BEFORE_MARK)
    mark_sent(store, row.id, now=now)
    metrics.DELIVERIES.labels(channel=row.channel, outcome=RowOutcome.SENT).inc()
    log.info("delivered %s to %s via %s", row.event_id, row.subscriber, row.channel, extra=context)
    return RowOutcome.SENT


def _retry(
    store: Store,
    settings: Settings,
    row: ClaimedRow,
    *,
    now: datetime,
    error: str,
    retry_after_s: float | None,
    rng: random.Random | None,
) -> None:
    attempts = row.attempts + 1
    delay = retry_delay(attempts, settings.delivery, retry_after_s=retry_after_s, rng=rng)
    reschedule(
        store,
        row.id,
        attempts=attempts,
        next_attempt_at=now + timedelta(seconds=delay),
        error=error,
    )
    metrics.DELIVERIES.labels(channel=row.channel, outcome=RowOutcome.RETRY).inc()
    log.warning(
        "delivery of %s failed (attempt %d), retrying in %.0f s: %s",
        row.event_id,
        attempts,
        delay,
        error,
        extra={"event_id": row.event_id, "subscriber": row.subscriber, "channel": row.channel},
    )


def _dead(
    store: Store,
    settings: Settings,
    channels: Channels,
    row: ClaimedRow,
    alert: Alert,
    *,
    error: str,
) -> RowOutcome:
    changed = mark_dead(store, row.id, error=error)
    metrics.DELIVERIES.labels(channel=row.channel, outcome=RowOutcome.DEAD).inc()
    log.error(
        "giving up on %s for %s via %s: %s",
        row.event_id,
        row.subscriber,
        row.channel,
        error,
        extra={"event_id": row.event_id, "subscriber": row.subscriber, "channel": row.channel},
    )
    if changed:  # this process made it dead: tell the operator exactly once
        notify_operator(
            settings,
            channels,
            f"regwatch could not deliver an alert ({row.channel})",
            f"The {row.channel} alert for {alert.label or 'an event'} to subscriber "
            f"{row.subscriber!r} was given up after {row.attempts + 1} attempt(s): {error}\n"
            f"Event {row.event_id}; the row stays in the outbox with status {OutboxStatus.DEAD}.",
        )
    return RowOutcome.DEAD


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


def update_depth_gauge(store: Store) -> dict[str, int]:
    counts = outbox_counts(store)
    for status, count in counts.items():
        metrics.OUTBOX_DEPTH.labels(status=status).set(count)
    return counts
