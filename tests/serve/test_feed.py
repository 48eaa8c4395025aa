from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from monitor.detect.feed_item import item_for_event
from monitor.errors import UsageError
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
from monitor.serve.feed import JSONFEED_VERSION, FeedQuery, feed_document
from monitor.store import Store
from monitor.store.tables import events, recipients
from tests.support.feed_schema import assert_valid_feed, assert_valid_item

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


# --- items -----------------------------------------------------------------------------


def test_new_notice_item_has_the_contract_shape() -> None:
    item = item_for_event(by_id("evt-62-new"))
    assert_valid_item(item)
    assert item["id"] == "evt-62-new"
    assert item["url"] == NO_62.url
    assert item["title"] == "商务部公告2025年第62号 公布对稀土相关技术实施出口管制的决定"
    assert item["date_published"] == "2025-10-09T03:15:00Z"
    assert item["tags"] == ["rare-earth", "1E902.a", "1E902.b", "notice.new"]
    assert item["_regwatch"] == {
        "schema": 1,
        "event": "notice.new",
        "source": "mofcom-zcfb",
        "detected_at": "2025-10-09T03:15:00Z",
        "notice": {
            "doc_key": "MOFCOM-2025-62",
            "doc_number": "商务部公告2025年第62号",
            "title": "公布对稀土相关技术实施出口管制的决定",
            "issuers": ["商务部"],
            "published": "2025-10-09",
            "kind": "control",
            "url": NO_62.url,
            "urls": [NO_62.url, NO_62.urls[0]],
            "effective": [{"from": "2025-10-09", "scope": "whole notice"}],
        },
        "rare_earth": {
            "relevant": True,
            "elements": ["Sm", "Dy"],
            "control_codes": ["1E902.a", "1E902.b"],
            "hs_codes": [],
            "matched": ["control code 1E902.a", "control code 1E902.b", "keyword 稀土"],
        },
        "affects": [],
    }
    text = item["content_text"]
    for part in (
        "New notice",
        "商务部公告2025年第62号",
        "MOFCOM-2025-62",
        "Sm, Dy",
        "1E902.a, 1E902.b",
        "2025-10-09",
    ):
        assert part in text


def test_suspension_item_lists_what_it_suspends_and_until_when() -> None:
    item = item_for_event(by_id("evt-70-new"))
    assert_valid_item(item)
    assert item["title"] == (
        "商务部 海关总署公告2025年第70号 关于暂停实施商务部公告2025年第55号等公告的公告"
    )
    assert item["_regwatch"]["notice"]["issuers"] == ["商务部", "海关总署"]
    assert item["_regwatch"]["notice"]["kind"] == "suspension"
    assert item["_regwatch"]["affects"] == [
        {"doc_key": key, "action": "suspend", "until": "2026-11-10", "scope": None}
        for key in SUSPENDED
    ]
    assert item["tags"] == ["rare-earth", "notice.new"]
    assert "Suspends MOFCOM-2025-55, MOFCOM-2025-56" in item["content_text"]
    assert "MOFCOM-2025-62 until 2026-11-10." in item["content_text"]
    assert "Rare-earth relevant: suspends rare-earth measure MOFCOM-2025-61" in item["content_text"]


def test_revised_item_carries_the_diff_and_counts_passages() -> None:
    item = item_for_event(by_id("evt-62-rev"))
    assert_valid_item(item)
    assert item["_regwatch"]["diff"] == {
        "added": list(REVISION.added),
        "removed": list(REVISION.removed),
        "patch": REVISION.patch,
        "major_rewrite": False,
    }
    assert "2 passages added, 1 removed" in item["content_text"]
    assert "diff" not in item_for_event(by_id("evt-62-new"))["_regwatch"]


def test_measure_items_name_the_date_that_arrived() -> None:
    effective = item_for_event(by_id("evt-61-eff"))
    lapsed = item_for_event(by_id("evt-61-lapse"))
    for item in (effective, lapsed):
        assert_valid_item(item)
        assert item["_regwatch"]["notice"]["doc_key"] == "MOFCOM-2025-61"
    assert effective["_regwatch"]["due_date"] == "2025-12-01"
    assert "takes effect on 2025-12-01 (第一款、第二款)" in effective["content_text"]
    assert lapsed["_regwatch"]["event"] == "measure.suspension_ended"
    assert lapsed["_regwatch"]["cause"] == "MOFCOM-2025-70"
    assert "applies again from 2026-11-11" in lapsed["content_text"]
    assert "by MOFCOM-2025-70" in lapsed["content_text"]


def test_measure_event_without_due_date_is_refused() -> None:
    with pytest.raises(ValueError, match="due_date"):
        item_for_event(replace(by_id("evt-61-eff"), due_date=None))


def test_irrelevant_item_has_no_rare_earth_tag() -> None:
    item = item_for_event(by_id("evt-58-new"))
    assert_valid_item(item)
    assert item["tags"] == ["notice.new"]
    assert item["_regwatch"]["rare_earth"]["relevant"] is False
    assert "Not rare-earth relevant." in item["content_text"]


def test_title_does_not_repeat_a_number_the_title_already_has() -> None:
    notice = replace(NO_62, title="商务部公告 2025年第62号 公布对稀土相关技术实施出口管制的决定")
    item = item_for_event(replace(by_id("evt-62-new"), notice=notice))
    assert item["title"] == notice.title
    assert "New notice 商务部公告2025年第62号 (MOFCOM-2025-62): 公布对稀土" in item["content_text"]


def test_notice_without_number_is_titled_and_keyed_by_itself() -> None:
    url = "https://www.mofcom.gov.cn/syxwfb/art/2025/art_1a2b3c.html"
    notice = replace(
        NO_62,
        doc_key=url,
        doc_number=None,
        url=url,
        urls=(),
        title="商务部新闻发言人答记者问",
        facts=replace(NO_62.facts, doc_number=None, doc_key=None, kind=NoticeKind.COMMENTARY),
    )
    item = item_for_event(replace(by_id("evt-62-new"), notice=notice))
    assert_valid_item(item)
    assert item["title"] == "商务部新闻发言人答记者问"
    assert item["_regwatch"]["notice"]["doc_number"] is None
    assert item["_regwatch"]["notice"]["kind"] == "commentary"


def test_detected_at_is_rendered_in_utc() -> None:
    beijing = timezone(timedelta(hours=8))
    event = replace(by_id("evt-62-new"), detected_at=datetime(2025, 10, 9, 11, 15, tzinfo=beijing))
    assert item_for_event(event)["date_published"] == "2025-10-09T03:15:00Z"


def test_schema_rejects_a_broken_item() -> None:
    item = item_for_event(by_id("evt-62-new"))
    item["_regwatch"]["event"] = "notice.deleted"
    with pytest.raises(AssertionError, match=r"notice\.deleted"):
        assert_valid_item(item)
    revised_without_diff = item_for_event(by_id("evt-62-rev"))
    del revised_without_diff["_regwatch"]["diff"]
    with pytest.raises(AssertionError, match="diff"):
        assert_valid_item(revised_without_diff)


# --- documents -------------------------------------------------------------------------


@pytest.fixture
def filled(store: Store) -> Store:
    insert_events(
        store,
        sample_events(),
        {
            "evt-62-new": ["magnets", "tech"],
            "evt-70-new": ["magnets"],
            "evt-61-lapse": ["tech"],
        },
    )
    return store


def test_default_feed_is_relevant_events_newest_first(filled: Store) -> None:
    doc = feed_document(filled, base_url=BASE)
    assert_valid_feed(doc)
    assert doc["version"] == JSONFEED_VERSION
    assert doc["feed_url"] == f"{BASE}/feed.json"
    assert doc["home_page_url"] == f"{BASE}/"
    assert ids(doc) == ["evt-61-lapse", "evt-70-new", "evt-61-eff", "evt-62-rev", "evt-62-new"]
    assert "next_url" not in doc
    assert doc["items"][-1] == item_for_event(by_id("evt-62-new"))


def test_all_includes_events_that_are_not_relevant(filled: Store) -> None:
    doc = feed_document(filled, base_url=BASE, all_events=True)
    assert_valid_feed(doc)
    assert ids(doc) == [e.id for e in reversed(sample_events())]
    assert doc["feed_url"] == f"{BASE}/feed.json?all=1"


def test_subscriber_feed_has_only_their_events(filled: Store) -> None:
    magnets = feed_document(filled, base_url=BASE, subscriber="magnets")
    tech = feed_document(filled, base_url=BASE, subscriber="tech")
    nobody = feed_document(filled, base_url=BASE, subscriber="nobody")
    for doc in (magnets, tech, nobody):
        assert_valid_feed(doc)
    assert ids(magnets) == ["evt-70-new", "evt-62-new"]
    assert ids(tech) == ["evt-61-lapse", "evt-62-new"]
    assert ids(nobody) == []
    assert magnets["feed_url"] == f"{BASE}/feed.json?subscriber=magnets"


def test_since_gives_only_later_events(filled: Store) -> None:
    doc = feed_document(filled, base_url=BASE, since="evt-62-rev")
    assert_valid_feed(doc)
    assert ids(doc) == ["evt-61-lapse", "evt-70-new", "evt-61-eff"]
    newest = feed_document(filled, base_url=BASE, since="evt-61-lapse")
    # the since event itself need not be in the filtered feed
    magnets = feed_document(filled, base_url=BASE, since="evt-58-new", subscriber="magnets")
    for checked in (newest, magnets):
        assert_valid_feed(checked)
    assert ids(newest) == []
    assert ids(magnets) == ["evt-70-new"]


def test_unknown_since_is_a_usage_error(filled: Store) -> None:
    with pytest.raises(UsageError, match="no-such-event"):
        feed_document(filled, base_url=BASE, since="no-such-event")


@pytest.mark.parametrize(
    "kwargs", [{"limit": 0}, {"limit": 501}, {"before_seq": 0}, {"subscriber": ""}, {"since": ""}]
)
def test_bad_arguments_are_usage_errors(store: Store, kwargs: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        feed_document(store, base_url=BASE, **kwargs)


def _follow(store: Store, doc: dict[str, Any]) -> dict[str, Any]:
    query = parse_qs(urlsplit(doc["next_url"]).query)
    one = {k: v[0] for k, v in query.items()}
    return feed_document(
        store,
        base_url=BASE,
        subscriber=one.get("subscriber"),
        since=one.get("since"),
        all_events=one.get("all") == "1",
        limit=int(one.get("limit", 50)),
        before_seq=int(one["before"]),
    )


def test_paging_walks_every_event_once_and_keeps_the_filters(filled: Store) -> None:
    doc = feed_document(filled, base_url=BASE, all_events=True, since="evt-58-new", limit=2)
    pages = [doc]
    while "next_url" in pages[-1]:
        assert_valid_feed(pages[-1])
        query = parse_qs(urlsplit(pages[-1]["next_url"]).query)
        assert query["all"] == ["1"]
        assert query["since"] == ["evt-58-new"]
        assert query["limit"] == ["2"]
        pages.append(_follow(filled, pages[-1]))
    walked = [event_id for page in pages for event_id in ids(page)]
    assert walked == ["evt-61-lapse", "evt-70-new", "evt-61-eff", "evt-62-rev"]
    assert [len(ids(p)) for p in pages] == [2, 2]


def test_empty_store_gives_an_empty_feed(store: Store) -> None:
    doc = feed_document(store, base_url=BASE)
    assert_valid_feed(doc)
    assert doc["items"] == []
    assert "next_url" not in doc


def test_feed_query_url_is_the_cursor_format() -> None:
    query = FeedQuery(subscriber="magnets", since="evt-1", limit=10)
    assert query.url(BASE) == f"{BASE}/feed.json?subscriber=magnets"
    assert query.url(BASE + "/", before_seq=7) == (
        f"{BASE}/feed.json?subscriber=magnets&since=evt-1&limit=10&before=7"
    )
