"""Changes → events, and events → recipients and outbox rows (pure).

An event id is a hash of what changed, never of when it was seen: the same change found
by a second poll, after a restart or by another replica gets the same id, and the unique
keys in the store turn the second sighting into a no-op.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from monitor.config import Subscriber
from monitor.detect.classify import watch_matches
from monitor.models import Change, Channel, Event, EventKind, Notice, Verdict


def event_id(kind: EventKind, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join((kind.value, *parts)).encode("utf-8")).hexdigest()
    return f"{kind.value.replace('.', '-')}-{digest[:20]}"


def change_event(change: Change, *, detected_at: datetime) -> Event:
    notice = change.notice
    if change.kind in (EventKind.NOTICE_NEW, EventKind.NOTICE_REPORTED):
        ident = event_id(change.kind, notice.doc_key)
    elif change.kind is EventKind.NOTICE_REVISED:
        ident = event_id(
            change.kind, notice.doc_key, change.previous_hash or "", notice.content_hash
        )
    else:
        ident = event_id(change.kind, notice.doc_key, notice.content_hash)
    return Event(
        id=ident,
        kind=change.kind,
        source_id=notice.source_id,
        detected_at=detected_at,
        notice=notice,
        relevant=notice.verdict.relevant,
        diff=change.diff,
        items_diff=change.items_diff,
    )


def measure_event(
    kind: EventKind,
    measure: Notice,
    *,
    due: date,
    cause_doc_key: str,
    scope: str | None,
    detected_at: datetime,
) -> Event:
    ident = event_id(kind, measure.doc_key, due.isoformat(), cause_doc_key, scope or "")
    return Event(
        id=ident,
        kind=kind,
        source_id=measure.source_id,
        detected_at=detected_at,
        notice=measure,
        relevant=measure.verdict.relevant,
        due_date=due,
        cause_doc_key=cause_doc_key,
    )


@dataclass(frozen=True)
class Delivery:
    subscriber: str
    channel: Channel


def recipients(
    event: Event,
    subscribers: Sequence[Subscriber],
    *,
    acted_on_texts: Sequence[str] = (),
    verdict: Verdict | None = None,
) -> tuple[list[str], list[Delivery]]:
    """Subscribers who hear about `event`, and one delivery per subscriber × channel."""
    judged = verdict or event.notice.verdict
    texts = [event.notice.title, event.notice.text, *acted_on_texts]
    names: list[str] = []
    deliveries: list[Delivery] = []
    for subscriber in subscribers:
        if not watch_matches(subscriber.watch, judged, texts):
            continue
        names.append(subscriber.name)
        if subscriber.slack_channel:
            deliveries.append(Delivery(subscriber.name, Channel.SLACK))
        if subscriber.email:
            deliveries.append(Delivery(subscriber.name, Channel.EMAIL))
        if subscriber.console:
            deliveries.append(Delivery(subscriber.name, Channel.CONSOLE))
    return names, deliveries
