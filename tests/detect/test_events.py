from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from monitor.config import Subscriber, Watch
from monitor.detect.events import change_event, event_id, measure_event, recipients
from monitor.models import Change, Channel, EventKind, Notice, NoticeFacts, TextDiff, Verdict

NOTICE = Notice(
    doc_key="MOFCOM-2025-62",
    title="商务部公告2025年第62号",
    url="https://www.mofcom.gov.cn/x.html",
    text="稀土相关技术",
    source_id="mofcom-zcfb",
    content_hash="h2",
    facts=NoticeFacts(),
    verdict=Verdict(
        relevant=True, elements=("Dy",), control_codes=("1E902.a",), matched=("code 1E902.a",)
    ),
)
T1 = datetime(2025, 10, 9, 2, tzinfo=UTC)
T2 = datetime(2025, 10, 9, 3, tzinfo=UTC)


def test_event_ids_depend_on_what_changed_not_when() -> None:
    new1 = change_event(Change(EventKind.NOTICE_NEW, NOTICE), detected_at=T1)
    new2 = change_event(Change(EventKind.NOTICE_NEW, NOTICE), detected_at=T2)
    assert new1.id == new2.id and new1.id.startswith("notice-new-")
    rev = Change(EventKind.NOTICE_REVISED, NOTICE, previous_hash="h1", diff=TextDiff((), (), ""))
    rev_again = Change(
        EventKind.NOTICE_REVISED, replace(NOTICE, content_hash="h3"), previous_hash="h2"
    )
    assert change_event(rev, detected_at=T1).id != change_event(rev_again, detected_at=T1).id
    assert event_id(EventKind.NOTICE_NEW, "a") != event_id(EventKind.NOTICE_WITHDRAWN, "a")


def test_measure_events_are_one_per_measure_and_date() -> None:
    a = measure_event(
        EventKind.MEASURE_SUSPENSION_ENDED,
        NOTICE,
        due=date(2026, 11, 11),
        cause_doc_key="MOFCOM-2025-70",
        scope=None,
        detected_at=T1,
    )
    b = measure_event(
        EventKind.MEASURE_SUSPENSION_ENDED,
        NOTICE,
        due=date(2026, 11, 11),
        cause_doc_key="MOFCOM-2025-70",
        scope=None,
        detected_at=T2,
    )
    assert a.id == b.id and a.notice.doc_key == "MOFCOM-2025-62"


def test_recipients_and_channels() -> None:
    event = change_event(Change(EventKind.NOTICE_NEW, NOTICE), detected_at=T1)
    subscribers = [
        Subscriber(name="all", slack_channel="#ree", email=("a@example.com",)),
        Subscriber(name="holmium", slack_channel="#ho", watch=Watch(elements=("Ho",))),
        Subscriber(name="console", console=True),
    ]
    names, deliveries = recipients(event, subscribers)
    assert "all" in names and "console" in names
    assert {(d.subscriber, d.channel) for d in deliveries} >= {
        ("all", Channel.SLACK),
        ("all", Channel.EMAIL),
        ("console", Channel.CONSOLE),
    }


def test_irrelevant_events_reach_nobody() -> None:
    event = change_event(
        Change(EventKind.NOTICE_NEW, replace(NOTICE, verdict=Verdict(relevant=False))),
        detected_at=T1,
    )
    assert recipients(event, [Subscriber(name="all", console=True)]) == ([], [])


def test_a_withdrawal_is_one_event_per_version_withdrawn() -> None:
    gone = change_event(Change(EventKind.NOTICE_WITHDRAWN, NOTICE), detected_at=T1)
    gone_again = change_event(Change(EventKind.NOTICE_WITHDRAWN, NOTICE), detected_at=T2)
    other_text = change_event(
        Change(EventKind.NOTICE_WITHDRAWN, replace(NOTICE, content_hash="h3")), detected_at=T1
    )
    assert gone.id == gone_again.id and gone.id.startswith("notice-withdrawn-")
    assert other_text.id != gone.id
    assert gone.relevant and gone.diff is None
