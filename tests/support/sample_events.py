"""Sample events (the 2025 notices Nos. 58, 61, 62, 70 and their dates) and a way to store
them as the pipeline does; shared by the feed item, feed document, HTTP and store tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from monitor.detect.feed_item import item_for_event
from monitor.models import (
    Affect,
    AffectAction,
    Effective,
    Event,
    EventKind,
    Notice,
    NoticeFacts,
    NoticeKind,
    TextDiff,
    Verdict,
)
from monitor.store import Store
from monitor.store.tables import events, recipients

BASE = "http://127.0.0.1:8080"
DETECTED = datetime(2025, 10, 9, 3, 15, tzinfo=UTC)
SUSPENDED = (
    "MOFCOM-2025-55",
    "MOFCOM-2025-56",
    "MOFCOM-2025-57",
    "MOFCOM-2025-58",
    "MOFCOM-2025-61",
    "MOFCOM-2025-62",
)


def _url(slug: str) -> str:
    return f"https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_{slug}.html"


NO_62 = Notice(
    doc_key="MOFCOM-2025-62",
    doc_number="商务部公告2025年第62号",
    title="公布对稀土相关技术实施出口管制的决定",
    url=_url("62a0c1d2e3f4a5b6c7d8e9f0a1b2c3d4"),
    urls=("https://english.mofcom.gov.cn/Policies/GeneralPolicies/art/2025/art_62en.html",),
    text="根据《中华人民共和国出口管制法》……\n稀土开采、冶炼分离、金属冶炼、磁材制造……",
    source_id="mofcom-zcfb",
    content_hash="a" * 64,
    published=date(2025, 10, 9),
    facts=NoticeFacts(
        doc_number="商务部公告2025年第62号",
        doc_key="MOFCOM-2025-62",
        issuers=("商务部",),
        published=date(2025, 10, 9),
        effective=(Effective(date(2025, 10, 9), "whole notice"),),
        control_codes=("1E902.a", "1E902.b"),
        elements=("Sm", "Dy"),
        kind=NoticeKind.CONTROL,
    ),
    verdict=Verdict(
        relevant=True,
        elements=("Sm", "Dy"),
        control_codes=("1E902.a", "1E902.b"),
        matched=("control code 1E902.a", "control code 1E902.b", "keyword 稀土"),
    ),
)

NO_61 = replace(
    NO_62,
    doc_key="MOFCOM-2025-61",
    doc_number="商务部公告2025年第61号",
    title="公布对境外相关稀土物项实施出口管制的决定",
    url=_url("61b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4"),
    urls=(),
    facts=replace(
        NO_62.facts,
        doc_number="商务部公告2025年第61号",
        doc_key="MOFCOM-2025-61",
        effective=(
            Effective(date(2025, 10, 9), "第三款"),
            Effective(date(2025, 12, 1), "第一款、第二款"),
        ),
        control_codes=(),
        elements=("Sm", "Dy", "Gd", "Tb", "Lu", "Sc", "Y"),
    ),
    verdict=Verdict(
        relevant=True,
        elements=("Sm", "Dy", "Gd", "Tb", "Lu", "Sc", "Y"),
        matched=("keyword 稀土", "element 镝"),
    ),
)

NO_70 = Notice(
    doc_key="MOFCOM-2025-70",
    doc_number="商务部 海关总署公告2025年第70号",
    title="关于暂停实施商务部公告2025年第55号等公告的公告",
    url=_url("70c0c1d2e3f4a5b6c7d8e9f0a1b2c3d4"),
    text="自即日起至2026年11月10日暂停实施……",
    source_id="mofcom-zcfb",
    content_hash="c" * 64,
    published=date(2025, 11, 7),
    facts=NoticeFacts(
        doc_number="商务部 海关总署公告2025年第70号",
        doc_key="MOFCOM-2025-70",
        issuers=("商务部", "海关总署"),
        published=date(2025, 11, 7),
        effective=(Effective(date(2025, 11, 7), "whole notice"),),
        kind=NoticeKind.SUSPENSION,
        affects=tuple(
            Affect(key, AffectAction.SUSPEND, until=date(2026, 11, 10)) for key in SUSPENDED
        ),
    ),
    verdict=Verdict(
        relevant=True,
        matched=(
            "suspends rare-earth measure MOFCOM-2025-61",
            "suspends rare-earth measure MOFCOM-2025-62",
        ),
    ),
)

NO_58 = Notice(
    doc_key="MOFCOM-2025-58",
    doc_number="商务部 海关总署公告2025年第58号",
    title="关于对部分锂电池和人造石墨负极材料相关物项实施出口管制的决定",
    url=_url("58d0c1d2e3f4a5b6c7d8e9f0a1b2c3d4"),
    text="锂离子电池……",
    source_id="mofcom-zcfb",
    content_hash="d" * 64,
    published=date(2025, 10, 9),
    facts=NoticeFacts(
        doc_number="商务部 海关总署公告2025年第58号",
        doc_key="MOFCOM-2025-58",
        issuers=("商务部", "海关总署"),
        published=date(2025, 10, 9),
        effective=(Effective(date(2025, 11, 8), "whole notice"),),
        control_codes=("3A001", "3E901"),
        hs_codes=("85076000",),
        kind=NoticeKind.CONTROL,
    ),
    verdict=Verdict(relevant=False),
)

REVISION = TextDiff(
    added=("二、本公告自公布之日起正式实施。", "附件：稀土相关技术清单（修订）"),
    removed=("二、本公告自公布之日起实施。",),
    patch="@@ -1,12 +1,14 @@\n 二、本公告自公布之日起\n+正式\n 实施。\n",
)


def sample_events() -> list[Event]:
    """Oldest first, the order the pipeline would have stored them in."""
    return [
        Event("evt-62-new", EventKind.NOTICE_NEW, "mofcom-zcfb", DETECTED, NO_62, True),
        Event("evt-58-new", EventKind.NOTICE_NEW, "mofcom-zcfb", DETECTED, NO_58, False),
        Event(
            "evt-62-rev",
            EventKind.NOTICE_REVISED,
            "mofcom-zcfb",
            DETECTED + timedelta(days=2),
            NO_62,
            True,
            diff=REVISION,
        ),
        Event(
            "evt-61-eff",
            EventKind.MEASURE_EFFECTIVE,
            "mofcom-zcfb",
            datetime(2025, 11, 30, 16, 0, 5, tzinfo=UTC),
            NO_61,
            True,
            due_date=date(2025, 12, 1),
            cause_doc_key="MOFCOM-2025-61",
        ),
        Event(
            "evt-70-new",
            EventKind.NOTICE_NEW,
            "mofcom-zcfb",
            datetime(2025, 11, 7, 12, 40, tzinfo=UTC),
            NO_70,
            True,
        ),
        Event(
            "evt-61-lapse",
            EventKind.MEASURE_SUSPENSION_ENDED,
            "mofcom-zcfb",
            datetime(2026, 11, 10, 16, 0, 5, tzinfo=UTC),
            NO_61,
            True,
            due_date=date(2026, 11, 11),
            cause_doc_key="MOFCOM-2025-70",
        ),
    ]


def insert_events(
    store: Store, batch: Iterable[Event], recipients_of: Mapping[str, Sequence[str]] | None = None
) -> None:
    """Store events the way the pipeline does: one row each, item frozen, plus recipients."""
    recipients_of = recipients_of or {}
    with store.begin() as connection:
        for event in batch:
            connection.execute(
                events.insert().values(
                    id=event.id,
                    kind=event.kind.value,
                    doc_key=event.notice.doc_key,
                    source_id=event.source_id,
                    detected_at=event.detected_at,
                    relevant=event.relevant,
                    item=item_for_event(event),
                )
            )
            for name in recipients_of.get(event.id, ()):
                connection.execute(recipients.insert().values(event_id=event.id, subscriber=name))


def ids(doc: dict[str, Any]) -> list[str]:
    return [item["id"] for item in doc["items"]]


def by_id(event_id: str) -> Event:
    return next(e for e in sample_events() if e.id == event_id)
