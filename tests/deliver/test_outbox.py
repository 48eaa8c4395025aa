from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
import sqlalchemy as sa

from monitor import metrics
from monitor.clock import FixedClock
from monitor.config import DeliverySettings
from monitor.deliver import outbox as deliver_module
from monitor.deliver.channels import Alert, Channels
from monitor.deliver.channels.slack import SlackChannel
from monitor.deliver.outbox import deliver_due, notify_operator, retry_delay
from monitor.errors import DeliveryError
from monitor.failpoints import AFTER_SEND_BEFORE_MARK
from monitor.replay.slack import SlackStandIn
from monitor.store import Store
from monitor.store.outbox import outbox_counts
from monitor.store.tables import outbox
from tests.support.delivery import (
    SLACK_TOKEN_ENV,
    add_event,
    item_18_revised,
    item_61_suspension_ended,
    item_62,
    item_70,
    make_settings,
    outbox_rows,
)
from tests.support.feed_schema import assert_valid_item

T0 = datetime(2025, 10, 9, 2, 31, tzinfo=UTC)
TOKEN = "xoxb-4242-regwatch-delivery-token"
SUBSCRIBERS = [
    {"name": "magnets", "slack_channel": "#ree-alerts", "console": True},
    {"name": "traders", "slack_channel": "#trade-desk"},
]


@dataclass
class FakeChannel:
    """Records deliveries; raises the queued errors first."""

    name: str = "slack"
    errors: list[DeliveryError] = field(default_factory=list)
    sent: list[tuple[str, str]] = field(default_factory=list)  # (event id, destination)
    notes: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, alert: Alert, destination: str) -> None:
        with self.lock:
            if self.errors:
                raise self.errors.pop(0)
            self.sent.append((alert.event_id, destination))

    def send_text(self, destination: str, text: str) -> None:
        self.notes.append((destination, text))


@dataclass
class FakeMail:
    sent: list[EmailMessage] = field(default_factory=list)

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


def settings(**kwargs: Any) -> Any:
    kwargs.setdefault("slack_api_url", "http://127.0.0.1:9/api/")
    kwargs.setdefault("subscribers", SUBSCRIBERS)
    return make_settings(**kwargs)


def three_events(store: Store) -> list[str]:
    items = [
        item_62(T0),
        item_70(T0 + timedelta(minutes=1)),
        item_18_revised(T0 + timedelta(minutes=2)),
    ]
    for item in items:
        add_event(store, item, [("magnets", "slack"), ("traders", "slack")])
    return [i["id"] for i in items]


def test_due_rows_are_sent_oldest_first_and_marked_sent(store: Store) -> None:
    ids = three_events(store)
    slack = FakeChannel()
    clock = FixedClock(T0 + timedelta(minutes=3))
    report = deliver_due(store, settings(), clock, Channels(slack=slack))
    assert (report.sent, report.retried, report.dead) == (6, 0, 0)
    assert [event for event, _ in slack.sent] == [ids[0], ids[0], ids[1], ids[1], ids[2], ids[2]]
    assert {dest for _, dest in slack.sent} == {"#ree-alerts", "#trade-desk"}
    rows = outbox_rows(store)
    assert {r["status"] for r in rows} == {"sent"}
    assert all(
        r["attempts"] == 1 and r["sent_at"] == clock.now() and r["claimed_by"] is None for r in rows
    )
    again = deliver_due(store, settings(), clock, Channels(slack=slack))
    assert again.sent == 0 and len(slack.sent) == 6  # nothing doubled


def test_alerts_carry_the_notice_page_when_public_url_is_set(store: Store) -> None:
    three_events(store)

    @dataclass
    class Pages(FakeChannel):
        pages: list[str] = field(default_factory=list)

        def send(self, alert: Alert, destination: str) -> None:
            self.pages.append(alert.page_url)

    slack = Pages()
    config = settings()
    config = replace(config, server=replace(config.server, public_url="https://rw.example.com"))
    deliver_due(store, config, FixedClock(T0 + timedelta(minutes=3)), Channels(slack=slack))
    assert slack.pages[0] == "https://rw.example.com/notices/MOFCOM-2025-62"
    assert len(slack.pages) == 6 and all(
        p.startswith("https://rw.example.com/") for p in slack.pages
    )


def test_rows_not_yet_due_and_email_rows_wait(store: Store) -> None:
    add_event(store, item_62(T0), [("magnets", "slack"), ("magnets", "email")])
    slack = FakeChannel()
    report = deliver_due(
        store, settings(), FixedClock(T0 - timedelta(seconds=1)), Channels(slack=slack)
    )
    assert report.sent == 0 and slack.sent == []
    report = deliver_due(store, settings(), FixedClock(T0), Channels(slack=slack))
    assert report.sent == 1
    assert [(r["channel"], r["status"]) for r in outbox_rows(store)] == [
        ("slack", "sent"),
        ("email", "pending"),
    ]


def test_limit_bounds_one_pass(store: Store) -> None:
    three_events(store)
    slack = FakeChannel()
    assert (
        deliver_due(
            store, settings(), FixedClock(T0 + timedelta(hours=1)), Channels(slack=slack), limit=4
        ).sent
        == 4
    )
    assert outbox_counts(store) == {"pending": 2, "sent": 4, "dead": 0}


def test_console_rows_go_to_the_console_channel(store: Store) -> None:
    add_event(store, item_62(T0), [("magnets", "console")])
    console = FakeChannel(name="console")
    deliver_due(store, settings(), FixedClock(T0), Channels(console=console))
    assert console.sent == [(item_62(T0)["id"], "magnets")]


def test_a_retryable_failure_backs_off_and_pauses_the_channel(store: Store) -> None:
    three_events(store)
    slack = FakeChannel(errors=[DeliveryError("slack unreachable: timed out", retryable=True)])
    now = T0 + timedelta(minutes=5)
    report = deliver_due(
        store, settings(delivery={"backoff_base": "30s"}), FixedClock(now), Channels(slack=slack)
    )
    assert (report.sent, report.retried, report.dead) == (0, 1, 0)
    assert slack.sent == []  # the other rows were not tried against a failing channel
    first = outbox_rows(store)[0]
    assert first["status"] == "pending" and first["attempts"] == 1
    assert first["last_error"] == "slack unreachable: timed out"
    assert now + timedelta(seconds=15) <= first["next_attempt_at"] <= now + timedelta(seconds=30)
    assert first["claimed_by"] is None and first["claimed_until"] is None
    later = deliver_due(
        store, settings(), FixedClock(now + timedelta(minutes=1)), Channels(slack=slack)
    )
    assert later.sent == 6


def test_a_429_waits_at_least_retry_after(store: Store) -> None:
    add_event(store, item_62(T0), [("magnets", "slack")])
    slack = FakeChannel(errors=[DeliveryError("rate limited", retryable=True, retry_after_s=600)])
    deliver_due(store, settings(), FixedClock(T0), Channels(slack=slack))
    assert outbox_rows(store)[0]["next_attempt_at"] >= T0 + timedelta(seconds=600)


def test_retry_delay_grows_exponentially_with_jitter_and_a_cap() -> None:
    policy = DeliverySettings(backoff_base_s=30, backoff_max_s=3600)
    rng = random.Random(7)
    for attempts, ceiling in [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (40, 3600)]:
        delays = [retry_delay(attempts, policy, rng=rng) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > ceiling / 4  # jittered, not a fixed step
    assert retry_delay(1, policy, retry_after_s=900, rng=rng) == 900


def test_a_permanent_failure_is_dead_and_told_to_the_operator_once(store: Store) -> None:
    add_event(store, item_62(T0), [("magnets", "slack")])
    slack = FakeChannel(
        errors=[DeliveryError("slack error channel_not_found (HTTP 200)", retryable=False)]
    )
    mail = FakeMail()
    config = settings(
        smtp=("127.0.0.1", 2525),
        operator={"slack_channel": "#regwatch-ops", "email": ["ops@example.test"]},
    )
    report = deliver_due(store, config, FixedClock(T0), Channels(slack=slack, email=mail))
    assert report.dead == 1
    [row] = outbox_rows(store)
    assert row["status"] == "dead" and "channel_not_found" in row["last_error"]
    assert [dest for dest, _ in slack.notes] == ["#regwatch-ops"]
    assert (
        "商务部公告2025年第62号" in slack.notes[0][1] and "channel_not_found" in slack.notes[0][1]
    )
    assert [m["To"] for m in mail.sent] == ["ops@example.test"]
    deliver_due(
        store, config, FixedClock(T0 + timedelta(days=1)), Channels(slack=slack, email=mail)
    )
    assert len(slack.notes) == 1 and len(mail.sent) == 1
    assert outbox_counts(store) == {"pending": 0, "sent": 0, "dead": 1}


def test_rows_pending_longer_than_max_age_die_without_sending(store: Store) -> None:
    add_event(store, item_62(T0), [("magnets", "slack")])
    slack = FakeChannel()
    report = deliver_due(
        store,
        settings(delivery={"max_age": "48h"}),
        FixedClock(T0 + timedelta(hours=48, seconds=1)),
        Channels(slack=slack),
    )
    assert report.dead == 1 and slack.sent == []
    assert "max_age" in outbox_rows(store)[0]["last_error"]


def test_a_row_for_a_removed_subscriber_is_dead_not_stuck(store: Store) -> None:
    add_event(store, item_62(T0), [("left-the-company", "slack")])
    report = deliver_due(store, settings(), FixedClock(T0), Channels(slack=FakeChannel()))
    assert report.dead == 1


def test_an_unexpected_error_is_retried_and_the_rest_still_go(store: Store) -> None:
    three_events(store)

    class Broken(FakeChannel):
        def send(self, alert: Alert, destination: str) -> None:
            if destination == "#trade-desk":
                raise KeyError("boom")
            super().send(alert, destination)

    slack = Broken()
    report = deliver_due(
        store, settings(), FixedClock(T0 + timedelta(hours=1)), Channels(slack=slack)
    )
    assert (report.sent, report.retried) == (3, 3)  # magnets got all three, not paused
    assert any("KeyError" in (r["last_error"] or "") for r in outbox_rows(store))


# -- claims ---------------------------------------------------------------------------------


def test_a_row_claimed_by_another_worker_is_skipped_until_the_claim_expires(store: Store) -> None:
    [row_id] = add_event(store, item_62(T0), [("magnets", "slack")])
    with store.begin() as conn:
        conn.execute(
            sa.update(outbox)
            .where(outbox.c.id == row_id)
            .values(claimed_by="replica-b", claimed_until=T0 + timedelta(minutes=5))
        )
    slack = FakeChannel()
    assert (
        deliver_due(
            store,
            settings(),
            FixedClock(T0 + timedelta(minutes=4)),
            Channels(slack=slack),
            worker="replica-a",
        ).sent
        == 0
    )
    assert (
        deliver_due(
            store,
            settings(),
            FixedClock(T0 + timedelta(minutes=5)),
            Channels(slack=slack),
            worker="replica-a",
        ).sent
        == 1
    )


class Crash(BaseException):
    """Stands in for SIGKILL at a failpoint."""


def test_a_crash_after_sending_resends_once_with_the_same_event_id(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_event(store, item_62(T0), [("magnets", "slack")])
    slack = FakeChannel()

    def die(name: str) -> None:
        if name == AFTER_SEND_BEFORE_MARK:
            raise Crash

    monkeypatch.setattr(deliver_module, "failpoint", die)
    with pytest.raises(Crash):
        deliver_due(store, settings(), FixedClock(T0), Channels(slack=slack), worker="replica-a")
    [row] = outbox_rows(store)
    assert row["status"] == "pending" and row["claimed_by"] == "replica-a"
    monkeypatch.setattr(deliver_module, "failpoint", lambda name: None)
    lease = settings().schedule.send_claim_s
    # While the dead worker's claim lasts nobody sends; afterwards exactly one more send.
    assert (
        deliver_due(
            store,
            settings(),
            FixedClock(T0 + timedelta(seconds=lease - 1)),
            Channels(slack=slack),
            worker="replica-b",
        ).sent
        == 0
    )
    assert (
        deliver_due(
            store,
            settings(),
            FixedClock(T0 + timedelta(seconds=lease)),
            Channels(slack=slack),
            worker="replica-b",
        ).sent
        == 1
    )
    assert [event for event, _ in slack.sent] == [item_62(T0)["id"]] * 2
    assert outbox_rows(store)[0]["status"] == "sent"


def test_concurrent_workers_never_send_a_row_twice(store: Store) -> None:
    for n in range(15):
        add_event(
            store,
            item_62(T0 + timedelta(seconds=n), event_id=f"notice-new-{n:04d}"),
            [("magnets", "slack"), ("traders", "slack")],
        )
    slack = FakeChannel()
    config = settings()
    clock = FixedClock(T0 + timedelta(hours=1))
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def work(worker: str) -> None:
        try:
            start.wait()
            deliver_due(store, config, clock, Channels(slack=slack), worker=worker)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(f"replica-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(slack.sent) == 30 and len(set(slack.sent)) == 30
    assert outbox_counts(store) == {"pending": 0, "sent": 30, "dead": 0}


# -- metrics and operator ------------------------------------------------------------------


def _sample(name: str, labels: dict[str, str]) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_count_outcomes_and_outbox_depth(sqlite_store: Store) -> None:
    add_event(sqlite_store, item_62(T0), [("magnets", "slack"), ("traders", "slack")])
    add_event(sqlite_store, item_70(T0), [("magnets", "slack")])
    before = {
        o: _sample("regwatch_deliveries_total", {"channel": "slack", "outcome": o})
        for o in ("sent", "retry", "dead")
    }
    slack = FakeChannel(errors=[DeliveryError("gone", retryable=False)])
    deliver_due(sqlite_store, settings(), FixedClock(T0), Channels(slack=slack))
    after = {
        o: _sample("regwatch_deliveries_total", {"channel": "slack", "outcome": o})
        for o in ("sent", "retry", "dead")
    }
    assert after["dead"] - before["dead"] == 1 and after["sent"] - before["sent"] == 2
    assert _sample("regwatch_outbox_depth", {"status": "sent"}) == 2
    assert _sample("regwatch_outbox_depth", {"status": "dead"}) == 1
    assert _sample("regwatch_delivery_seconds_count", {"channel": "slack"}) >= 3


def test_notify_operator_never_raises() -> None:
    failing = FakeChannel()

    def refuse(destination: str, text: str) -> None:
        raise DeliveryError("invalid_auth", retryable=False)

    failing.send_text = refuse  # type: ignore[method-assign]
    config = settings(operator={"slack_channel": "#ops"})
    notify_operator(config, Channels(slack=failing), "source down", "mofcom-zcfb failed 3 times")
    notify_operator(settings(), Channels(), "no operator configured", "nothing to do")


# -- with slack-sdk's WebClient against the Slack stand-in ----------------------------------


@pytest.fixture
def slack_standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(TOKEN) as standin:
        yield standin


def real_slack(
    standin: SlackStandIn, token: str = TOKEN, sleeps: list[float] | None = None
) -> SlackChannel:
    config = settings(slack_api_url=standin.api_url)
    return SlackChannel(config.slack, token, sleep=(sleeps if sleeps is not None else []).append)


def test_slack_429_is_waited_out_and_delivered_once(
    store: Store, slack_standin: SlackStandIn
) -> None:
    item = item_62(T0)
    add_event(store, item, [("magnets", "slack")])
    slack_standin.fail_next(1, status=429, retry_after=1)
    sleeps: list[float] = []
    config = settings(slack_api_url=slack_standin.api_url)
    report = deliver_due(
        store, config, FixedClock(T0), Channels(slack=real_slack(slack_standin, sleeps=sleeps))
    )
    assert report.sent == 1 and len(sleeps) == 1 and sleeps[0] >= 1
    [posted] = slack_standin.messages
    assert posted.channel == "#ree-alerts"
    assert posted.metadata == {
        "event_type": "regwatch_event",
        "event_payload": {"event_id": item["id"], "doc_key": "MOFCOM-2025-62"},
    }


def test_slack_500_is_retried_on_a_later_pass(store: Store, slack_standin: SlackStandIn) -> None:
    add_event(store, item_61_suspension_ended(T0), [("magnets", "slack")])
    slack_standin.fail_next(1, status=500)
    config = settings(slack_api_url=slack_standin.api_url)
    channels = Channels(slack=real_slack(slack_standin))
    first = deliver_due(store, config, FixedClock(T0), channels)
    assert first.retried == 1 and slack_standin.messages == []
    assert "HTTP 500" in outbox_rows(store)[0]["last_error"]
    second = deliver_due(store, config, FixedClock(T0 + timedelta(hours=1)), channels)
    assert second.sent == 1
    [posted] = slack_standin.messages
    assert posted.text is not None and posted.text.startswith(
        "商务部公告2025年第61号 — suspension by MOFCOM-2025-70 ended"
    )
    assert (
        posted.metadata is not None
        and posted.metadata["event_payload"]["doc_key"] == "MOFCOM-2025-61"
    )


def test_an_invalid_token_makes_the_row_dead_alerts_the_operator_and_leaks_nothing(
    store: Store,
    slack_standin: SlackStandIn,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = "xoxb-7777-revoked-secret-token"
    monkeypatch.setenv(SLACK_TOKEN_ENV, wrong)
    caplog.set_level(logging.DEBUG)
    add_event(store, item_62(T0), [("magnets", "slack")])
    mail = FakeMail()
    config = settings(
        slack_api_url=slack_standin.api_url,
        smtp=("127.0.0.1", 2525),
        operator={"slack_channel": "#regwatch-ops", "email": ["ops@example.test"]},
    )
    report = deliver_due(
        store, config, FixedClock(T0), Channels(slack=real_slack(slack_standin, wrong), email=mail)
    )
    assert report.dead == 1
    [row] = outbox_rows(store)
    assert row["status"] == "dead" and "invalid_auth" in row["last_error"]
    # The Slack operator alert fails with the same token; the email one arrives.
    [alert] = mail.sent
    assert "invalid_auth" in alert.get_content() and "magnets" in alert.get_content()
    assert slack_standin.messages == []
    assert (
        wrong not in caplog.text
        and wrong not in row["last_error"]
        and wrong not in alert.as_string()
    )


def test_the_sample_items_are_valid_feed_items() -> None:
    # Delivery tests render hand-written items; they must stay in the feed's real shape.
    moment = datetime(2025, 10, 9, 2, tzinfo=UTC)
    for build in (item_62, item_70, item_61_suspension_ended, item_18_revised):
        assert_valid_item(build(moment))
