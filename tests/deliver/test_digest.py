from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from monitor.clock import FixedClock
from monitor.config import Subscriber
from monitor.deliver import digest as digest_module
from monitor.deliver.channels import Channels, read_alert
from monitor.deliver.channels.email import SmtpSender
from monitor.deliver.digest import (
    DigestOutcome,
    due_dates,
    latest_due_date,
    message_id,
    render_digest,
    send_digest,
    send_due_digests,
)
from monitor.errors import DeliveryError
from monitor.failpoints import AFTER_SEND_BEFORE_MARK
from monitor.store import Store
from monitor.store.tables import digests
from tests.support.delivery import (
    add_event,
    item_18_revised,
    item_61_suspension_ended,
    item_62,
    item_70,
    make_settings,
    outbox_rows,
)
from tests.support.smtp import SmtpServer

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2025, 10, 9)


def at(day: date, hour: int, minute: int = 0, tz: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.combine(day, time(hour, minute), tz)


MAGNETS = {
    "name": "magnets",
    "email": ["magnets-team@example.test", "cto@example.test"],
    "digest_at": "08:00",
    "timezone": "Asia/Shanghai",
}


def settings(
    port: int = 2525, subscribers: list[dict[str, Any]] | None = None, **kwargs: Any
) -> Any:
    return make_settings(smtp=("127.0.0.1", port), subscribers=subscribers or [MAGNETS], **kwargs)


@dataclass
class FakeMail:
    errors: list[DeliveryError] = field(default_factory=list)
    sent: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, message: EmailMessage) -> None:
        with self.lock:
            if self.errors:
                raise self.errors.pop(0)
            self.sent.append(message)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def a_day_of_events(store: Store) -> list[dict[str, Any]]:
    """Four events on 2025-10-09 (Beijing) for magnets, one each side of the day."""
    on_day = [
        item_62(at(DAY, 0, 1)),
        item_70(at(DAY, 10, 30)),
        item_61_suspension_ended(at(DAY, 12, 0)),
        item_18_revised(at(DAY, 23, 59)),
    ]
    for item in on_day:
        add_event(store, item, [("magnets", "email"), ("magnets", "slack")])
    add_event(
        store,
        item_62(at(DAY, 0, 0) - timedelta(seconds=1), event_id="the-day-before"),
        [("magnets", "email")],
    )
    add_event(
        store,
        item_62(at(DAY + timedelta(days=1), 0, 0), event_id="the-day-after"),
        [("magnets", "email")],
    )
    return on_day


# -- rendering (pure) -----------------------------------------------------------------------


def test_message_id_is_stable_per_subscriber_and_date() -> None:
    assert message_id("magnets", DAY) == "<digest.2025-10-09.magnets@regwatch>"
    assert message_id("magnets", DAY) == message_id("magnets", DAY)
    assert message_id("Magnets Team", DAY) != message_id("magnets-team", DAY)
    assert message_id("Magnets Team", DAY).startswith("<digest.2025-10-09.magnets-team-")


def test_digest_is_multipart_text_and_html_grouped_by_kind_of_change() -> None:
    subscriber = Subscriber(name="magnets", email=("a@example.test", "b@example.test"))
    items = [
        item_62(at(DAY, 9)),
        item_70(at(DAY, 10)),
        item_18_revised(at(DAY, 11)),
        item_61_suspension_ended(at(DAY, 12)),
    ]
    mail = render_digest(
        subscriber, DAY, [read_alert(i) for i in items], sender="regwatch@example.test"
    )
    assert mail.get_content_type() == "multipart/alternative"
    assert mail["Subject"] == "regwatch digest 2025-10-09: 4 rare-earth changes"
    assert mail["Message-ID"] == "<digest.2025-10-09.magnets@regwatch>"
    assert mail["To"] == "a@example.test, b@example.test"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    headings = [
        "== Suspensions (1) ==",
        "== New notices (1) ==",
        "== Revised notices (1) ==",
        "== Suspensions ended (1) ==",
    ]
    assert [text.index(h) for h in headings] == sorted(text.index(h) for h in headings)
    for expected in (
        "商务部公告2025年第62号 — new rare-earth notice",
        "商务部 海关总署公告2025年第70号 — suspends MOFCOM-2025-55",
        "商务部 海关总署公告2025年第18号 — text revised",
        "商务部公告2025年第61号 — suspension by MOFCOM-2025-70 ended",
    ):
        assert expected in text
    for item in items:
        assert item["url"] in text and f'href="{item["url"]}"' in html
        assert item["_regwatch"]["notice"]["doc_number"] in html
    assert 'style="' in html and "<style" not in html  # inline styles only


def test_with_a_public_url_the_digest_links_each_notice_page() -> None:
    subscriber = Subscriber(name="magnets", email=("a@example.test",))
    alerts = [read_alert(item_62(at(DAY, 9)), public_url="https://regwatch.example.com")]
    mail = render_digest(subscriber, DAY, alerts, sender="regwatch@example.test")
    page = "https://regwatch.example.com/notices/MOFCOM-2025-62"
    assert f"In regwatch: {page}" in mail.get_body(("plain",)).get_content()
    assert f'href="{page}"' in mail.get_body(("html",)).get_content()
    plain = render_digest(
        subscriber, DAY, [read_alert(item_62(at(DAY, 9)))], sender="regwatch@example.test"
    )
    assert "In regwatch" not in plain.get_body(("plain",)).get_content()


def test_html_escapes_what_the_source_wrote() -> None:
    item = item_62(at(DAY, 9))
    item["_regwatch"]["notice"]["title"] = "商务部公告2025年第62号 <script>alert(1)</script>"
    mail = render_digest(
        Subscriber(name="m", email=("a@example.test",)),
        DAY,
        [read_alert(item)],
        sender="r@example.test",
    )
    html = mail.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert mail["Subject"] == "regwatch digest 2025-10-09: 1 rare-earth change"


# -- when ------------------------------------------------------------------------------------


def test_the_previous_day_is_due_once_digest_at_has_passed() -> None:
    magnets = Subscriber(name="magnets", email=("a@example.test",), digest_at=time(8, 0))
    assert latest_due_date(magnets, at(date(2025, 10, 10), 7, 59)) == date(2025, 10, 8)
    assert latest_due_date(magnets, at(date(2025, 10, 10), 8, 0)) == DAY
    new_york = Subscriber(
        name="ny", email=("a@example.test",), timezone="America/New_York", digest_at=time(7, 30)
    )
    # 2025-10-10 12:00 Beijing is 00:00 in New York: before 07:30 there.
    assert latest_due_date(new_york, at(date(2025, 10, 10), 12)) == date(2025, 10, 8)
    assert latest_due_date(new_york, at(date(2025, 10, 10), 19, 30)) == DAY


# -- sending with a real SMTP server ---------------------------------------------------------


def test_a_day_s_digest_lists_every_event_of_that_local_day(store: Store, smtp: SmtpServer) -> None:
    on_day = a_day_of_events(store)
    config = settings(smtp.port)
    now = at(DAY + timedelta(days=1), 8)
    magnets = config.subscriber("magnets")
    outcome = send_digest(store, config, FixedClock(now), SmtpSender(config.email), magnets, DAY)
    assert outcome == DigestOutcome(
        "magnets", DAY, "sent", 4, "<digest.2025-10-09.magnets@regwatch>"
    )
    [mail] = smtp.mails
    assert set(mail.rcpt_tos) == {"magnets-team@example.test", "cto@example.test"}
    received = mail.message
    assert received.get_content_type() == "multipart/alternative"
    assert received["Subject"] == "regwatch digest 2025-10-09: 4 rare-earth changes"
    assert received["Message-ID"] == "<digest.2025-10-09.magnets@regwatch>"
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    for item in on_day:
        number = item["_regwatch"]["notice"]["doc_number"]
        assert number in text and number in html and item["url"] in text and item["url"] in html
    rows = {(r["event_id"], r["channel"]): r for r in outbox_rows(store)}
    assert all(rows[(i["id"], "email")]["status"] == "sent" for i in on_day)
    assert rows[("the-day-before", "email")]["status"] == "pending"
    assert rows[("the-day-after", "email")]["status"] == "pending"
    assert all(rows[(i["id"], "slack")]["status"] == "pending" for i in on_day)  # not ours
    with store.connect() as conn:
        row = conn.execute(sa.select(digests)).mappings().one()
    assert (row["status"], row["event_count"], row["sent_at"]) == ("sent", 4, now)


def test_sending_the_same_date_twice_sends_one_email(store: Store, smtp: SmtpServer) -> None:
    a_day_of_events(store)
    config = settings(smtp.port)
    sender = SmtpSender(config.email)
    clock = FixedClock(at(DAY + timedelta(days=1), 8))
    first = send_digest(store, config, clock, sender, config.subscriber("magnets"), DAY)
    clock.advance(timedelta(hours=3))
    second = send_digest(store, config, clock, sender, config.subscriber("magnets"), DAY)
    assert (first.status, second.status) == ("sent", "already_sent")
    assert len(smtp.mails) == 1


def test_a_day_without_events_sends_nothing(store: Store) -> None:
    add_event(store, item_62(at(DAY, 9)), [("magnets", "email")])
    mail = FakeMail()
    config = settings()
    outcome = send_digest(
        store,
        config,
        FixedClock(at(DAY, 9)),
        mail,
        config.subscriber("magnets"),
        DAY - timedelta(days=1),
    )
    assert outcome.status == "empty" and mail.sent == []
    with store.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(digests)).scalar_one() == 0


def test_a_temporary_failure_retries_after_the_backoff(store: Store) -> None:
    a_day_of_events(store)
    mail = FakeMail(errors=[DeliveryError("smtp: 451 try later", retryable=True)])
    config = settings(delivery={"backoff_base": "60s"})
    magnets = config.subscriber("magnets")
    clock = FixedClock(at(DAY + timedelta(days=1), 8))
    assert send_digest(store, config, clock, mail, magnets, DAY).status == "retry"
    clock.advance(timedelta(seconds=29))
    assert (
        send_digest(store, config, clock, mail, magnets, DAY).status == "busy"
    )  # not before backoff
    clock.advance(timedelta(seconds=31))
    assert send_digest(store, config, clock, mail, magnets, DAY).status == "sent"
    assert len(mail.sent) == 1
    with store.connect() as conn:
        row = conn.execute(sa.select(digests)).mappings().one()
    assert row["attempts"] == 2 and row["last_error"] is None


def test_a_rejected_address_makes_the_digest_dead_and_tells_the_operator(store: Store) -> None:
    on_day = a_day_of_events(store)
    mail = FakeMail(errors=[DeliveryError("550 mailbox unavailable", retryable=False)])
    ops = FakeMail()
    config = settings(operator={"email": ["ops@example.test"]})
    outcome = send_digest(
        store,
        config,
        FixedClock(at(DAY + timedelta(days=1), 8)),
        mail,
        config.subscriber("magnets"),
        DAY,
        channels=Channels(email=ops),
    )
    assert outcome.status == "dead" and "550" in (outcome.error or "")
    rows = {(r["event_id"], r["channel"]): r for r in outbox_rows(store)}
    assert all(rows[(i["id"], "email")]["status"] == "dead" for i in on_day)
    [alert] = ops.sent
    assert "2025-10-09" in alert.get_content() and "magnets" in alert.get_content()
    again = send_digest(
        store,
        config,
        FixedClock(at(DAY + timedelta(days=2), 8)),
        mail,
        config.subscriber("magnets"),
        DAY,
    )
    assert again.status == "dead" and mail.sent == []


def test_retrying_stops_after_max_age(store: Store) -> None:
    a_day_of_events(store)
    mail = FakeMail(errors=[DeliveryError("connection refused", retryable=True)])
    config = settings(delivery={"max_age": "24h"})
    late = at(DAY + timedelta(days=2), 8, 1)  # due at 2025-10-10 08:00, now 24 h + 1 min later
    outcome = send_digest(store, config, FixedClock(late), mail, config.subscriber("magnets"), DAY)
    assert outcome.status == "dead" and "max_age" in (outcome.error or "")


# -- claims (never twice, also across replicas) ----------------------------------------------


def test_a_live_claim_by_another_replica_is_respected_and_an_expired_one_taken_over(
    store: Store,
) -> None:
    a_day_of_events(store)
    config = settings()
    now = at(DAY + timedelta(days=1), 8)
    with store.begin() as conn:
        conn.execute(
            sa.insert(digests).values(
                subscriber="magnets",
                local_date=DAY,
                status="sending",
                message_id=message_id("magnets", DAY),
                event_count=4,
                attempts=0,
                claimed_by="replica-b",
                claimed_until=now + timedelta(minutes=5),
            )
        )
    mail = FakeMail()
    magnets = config.subscriber("magnets")
    assert (
        send_digest(store, config, FixedClock(now), mail, magnets, DAY, worker="replica-a").status
        == "busy"
    )
    assert mail.sent == []
    later = FixedClock(now + timedelta(minutes=5))
    assert (
        send_digest(store, config, later, mail, magnets, DAY, worker="replica-a").status == "sent"
    )
    assert len(mail.sent) == 1


class Crash(BaseException):
    """Stands in for SIGKILL at a failpoint."""


def test_a_crash_after_smtp_accepted_resends_with_the_same_message_id(
    store: Store, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_day_of_events(store)
    config = settings(smtp.port)
    magnets = config.subscriber("magnets")
    now = at(DAY + timedelta(days=1), 8)

    def die(name: str) -> None:
        if name == AFTER_SEND_BEFORE_MARK:
            raise Crash

    monkeypatch.setattr(digest_module, "failpoint", die)
    with pytest.raises(Crash):
        send_digest(store, config, FixedClock(now), SmtpSender(config.email), magnets, DAY)
    monkeypatch.setattr(digest_module, "failpoint", lambda name: None)
    lease = timedelta(seconds=config.schedule.send_claim_s)
    sender = SmtpSender(config.email)
    assert (
        send_digest(store, config, FixedClock(now + lease / 2), sender, magnets, DAY).status
        == "busy"
    )
    assert (
        send_digest(store, config, FixedClock(now + lease), sender, magnets, DAY).status == "sent"
    )
    assert (
        send_digest(store, config, FixedClock(now + 2 * lease), sender, magnets, DAY).status
        == "already_sent"
    )
    assert [m.message["Message-ID"] for m in smtp.mails] == [
        "<digest.2025-10-09.magnets@regwatch>"
    ] * 2


def test_two_replicas_at_once_send_one_digest(store: Store) -> None:
    a_day_of_events(store)
    config = settings()
    mail = FakeMail()
    clock = FixedClock(at(DAY + timedelta(days=1), 8))
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def replica(name: str) -> None:
        start.wait()
        outcomes.append(
            send_digest(
                store, config, clock, mail, config.subscriber("magnets"), DAY, worker=name
            ).status
        )

    threads = [threading.Thread(target=replica, args=(f"replica-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(mail.sent) == 1
    assert sorted(outcomes).count("sent") == 1
    assert set(outcomes) <= {"sent", "busy", "already_sent"}


# -- the schedule ------------------------------------------------------------------------------


def test_due_digests_go_out_at_digest_at_for_the_previous_day(store: Store) -> None:
    a_day_of_events(store)
    config = settings()
    mail = FakeMail()
    before = send_due_digests(store, config, FixedClock(at(DAY + timedelta(days=1), 7, 59)), mail)
    # At 07:59 on the 10th only the 8th is due: it holds "the-day-before".
    assert [(o.local_date, o.status, o.events) for o in before] == [
        (DAY - timedelta(days=1), "sent", 1)
    ]
    at_eight = send_due_digests(store, config, FixedClock(at(DAY + timedelta(days=1), 8)), mail)
    assert [(o.local_date, o.status, o.events) for o in at_eight] == [(DAY, "sent", 4)]
    assert send_due_digests(store, config, FixedClock(at(DAY + timedelta(days=1), 9)), mail) == []
    assert [m["Message-ID"] for m in mail.sent] == [
        message_id("magnets", DAY - timedelta(days=1)),
        message_id("magnets", DAY),
    ]


def test_after_downtime_every_missed_day_is_sent_oldest_first(store: Store) -> None:
    for offset in (0, 2, 3):
        add_event(
            store,
            item_62(at(DAY + timedelta(days=offset), 12), event_id=f"e-{offset}"),
            [("magnets", "email")],
        )
    mail = FakeMail()
    outcomes = send_due_digests(store, settings(), FixedClock(at(DAY + timedelta(days=5), 9)), mail)
    assert [o.local_date for o in outcomes] == [
        DAY,
        DAY + timedelta(days=2),
        DAY + timedelta(days=3),
    ]
    assert due_dates(store, settings().subscriber("magnets"), at(DAY + timedelta(days=5), 9)) == [
        DAY + timedelta(days=4)
    ]


def test_an_event_after_its_day_was_sent_joins_the_next_digest(store: Store) -> None:
    add_event(store, item_62(at(DAY, 9)), [("magnets", "email")])
    config = settings()
    mail = FakeMail()
    magnets = config.subscriber("magnets")
    # `regwatch digest --date` for the current day, sent early...
    assert send_digest(store, config, FixedClock(at(DAY, 18)), mail, magnets, DAY).status == "sent"
    # ...then one more event that day: not lost, listed under "earlier" in the next digest.
    add_event(store, item_70(at(DAY, 20)), [("magnets", "email")])
    add_event(store, item_18_revised(at(DAY + timedelta(days=1), 9)), [("magnets", "email")])
    [outcome] = send_due_digests(store, config, FixedClock(at(DAY + timedelta(days=2), 8)), mail)
    assert (outcome.local_date, outcome.events) == (DAY + timedelta(days=1), 2)
    text = mail.sent[-1].get_body(("plain",)).get_content()
    assert "== Earlier, not in a previous digest (1) ==" in text and "第70号" in text
    assert {r["status"] for r in outbox_rows(store)} == {"sent"}


def test_subscribers_without_email_get_no_digest(store: Store) -> None:
    add_event(store, item_62(at(DAY, 9)), [("magnets", "email")])
    config = settings(
        subscribers=[MAGNETS, {"name": "slack-only", "slack_channel": "#x"}],
        slack_api_url="http://127.0.0.1:9/api/",
    )
    mail = FakeMail()
    outcomes = send_due_digests(store, config, FixedClock(at(DAY + timedelta(days=1), 8)), mail)
    assert [o.subscriber for o in outcomes] == ["magnets"]


def test_digest_logs_never_show_the_smtp_password(
    store: Store, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = "digest-smtp-secret-9"
    monkeypatch.setenv("REGWATCH_TEST_SMTP_USER", "regwatch")
    monkeypatch.setenv("REGWATCH_TEST_SMTP_PASSWORD", password)
    caplog.set_level(logging.DEBUG)
    a_day_of_events(store)
    config = settings(
        email={
            "username_env": "REGWATCH_TEST_SMTP_USER",
            "password_env": "REGWATCH_TEST_SMTP_PASSWORD",
        }
    )
    with SmtpServer(credentials=("regwatch", "not-the-same")) as server:
        config = settings(
            server.port,
            email={
                "username_env": "REGWATCH_TEST_SMTP_USER",
                "password_env": "REGWATCH_TEST_SMTP_PASSWORD",
            },
        )
        outcome = send_digest(
            store,
            config,
            FixedClock(at(DAY + timedelta(days=1), 8)),
            SmtpSender(config.email),
            config.subscriber("magnets"),
            DAY,
        )
    assert outcome.status == "dead" and "535" in (outcome.error or "")
    assert password not in caplog.text and password not in (outcome.error or "")


def test_digest_shows_title_en_beside_the_chinese_title() -> None:
    item = item_62(at(DAY, 9))
    english = "MOFCOM Announcement No. 62 of 2025: export controls (rare earths)"
    item["_regwatch"]["notice"]["title_en"] = english
    mail = render_digest(
        Subscriber(name="m", email=("a@example.test",)),
        DAY,
        [read_alert(item)],
        sender="regwatch@example.test",
    )
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert f"公布对稀土相关技术实施出口管制的决定\n  {english}\n" in text
    assert '<div lang="en"' in html and english in html
