"""feed_item.py: the item text a reader sees for each kind of event (pure).

The item's full contract shape is checked against the feed schema in tests/serve/test_feed.py;
these tests read the sentences and titles one case at a time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from monitor.detect.feed_item import display_title, item_for_event, rfc3339, summary_text
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

NO_62 = Notice(
    doc_key="MOFCOM-2025-62",
    title="公布对稀土相关技术实施出口管制的决定",
    url="https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_62.html",
    text="一、对稀土相关技术实施出口管制。",
    source_id="mofcom-zcfb",
    content_hash="h62",
    facts=NoticeFacts(
        doc_number="商务部公告2025年第62号",
        doc_key="MOFCOM-2025-62",
        issuers=("商务部",),
        published=date(2025, 10, 9),
        effective=(Effective(date(2025, 10, 9), "whole notice"),),
        kind=NoticeKind.CONTROL,
    ),
    verdict=Verdict(relevant=True, matched=("keyword 稀土",)),
    doc_number="商务部公告2025年第62号",
)
AT = datetime(2025, 10, 9, 3, 15, tzinfo=UTC)


def event(kind: EventKind, notice: Notice = NO_62, **changes: Any) -> Event:
    base = Event(f"evt-{kind.value}", kind, notice.source_id, AT, notice, notice.verdict.relevant)
    return replace(base, **changes)


def test_new_notice_names_number_key_date_issuer_and_start() -> None:
    assert summary_text(event(EventKind.NOTICE_NEW)) == (
        "New notice 商务部公告2025年第62号 (MOFCOM-2025-62): 公布对稀土相关技术实施出口管制的决定, "
        "published 2025-10-09 by 商务部. Effective 2025-10-09 (whole notice). "
        "Rare-earth relevant: keyword 稀土."
    )


def test_new_notice_without_date_issuers_or_start_says_only_what_it_knows() -> None:
    url = "https://www.mofcom.gov.cn/xwfb/art/2025/art_1.html"
    news = replace(
        NO_62,
        doc_key=url,
        doc_number=None,
        title="商务部新闻发言人答记者问",
        facts=NoticeFacts(kind=NoticeKind.COMMENTARY),
        verdict=Verdict(relevant=False),
    )
    assert summary_text(event(EventKind.NOTICE_NEW, news)) == (
        f"New notice {url}: 商务部新闻发言人答记者问. Not rare-earth relevant."
    )


def test_affects_are_grouped_by_action_and_end_date() -> None:
    facts = replace(
        NO_62.facts,
        effective=(),
        affects=(
            Affect("MOFCOM-2025-61", AffectAction.SUSPEND, date(2026, 11, 10)),
            Affect("MOFCOM-2025-62", AffectAction.SUSPEND, date(2026, 11, 10)),
            Affect("MOFCOM-2024-46", AffectAction.SUSPEND, date(2026, 11, 27), "第二款"),
            Affect("MOFCOM-2023-23", AffectAction.REPEAL),
        ),
    )
    text = summary_text(event(EventKind.NOTICE_NEW, replace(NO_62, facts=facts)))
    assert "Suspends MOFCOM-2025-61, MOFCOM-2025-62 until 2026-11-10." in text
    assert "Suspends MOFCOM-2024-46 第二款 until 2026-11-27." in text
    assert "Repeals MOFCOM-2023-23." in text


def test_revision_counts_passages_and_flags_a_rewrite() -> None:
    one = TextDiff(added=("新增一段。",), removed=(), patch="", major_rewrite=True)
    assert summary_text(event(EventKind.NOTICE_REVISED, diff=one)).startswith(
        "Text of 商务部公告2025年第62号 (MOFCOM-2025-62) revised: 1 passage added, 0 removed. "
        "Major rewrite."
    )
    item = item_for_event(event(EventKind.NOTICE_REVISED))  # no diff stored: an empty one
    assert item["_regwatch"]["diff"] == {
        "added": [],
        "removed": [],
        "patch": "",
        "major_rewrite": False,
    }
    assert "0 passages added, 0 removed." in item["content_text"]


def test_only_revisions_carry_a_diff_and_only_measures_a_due_date() -> None:
    new = item_for_event(event(EventKind.NOTICE_NEW))["_regwatch"]
    assert "diff" not in new and "due_date" not in new and "cause" not in new
    lapse = event(
        EventKind.MEASURE_SUSPENSION_ENDED,
        due_date=date(2026, 11, 11),
        cause_doc_key="MOFCOM-2025-70",
    )
    regwatch = item_for_event(lapse)["_regwatch"]
    assert (regwatch["due_date"], regwatch["cause"]) == ("2026-11-11", "MOFCOM-2025-70")
    with pytest.raises(ValueError, match="due_date"):
        item_for_event(replace(lapse, due_date=None))


def test_withdrawal_names_the_source() -> None:
    assert summary_text(event(EventKind.NOTICE_WITHDRAWN)).startswith(
        "商务部公告2025年第62号 (MOFCOM-2025-62) is no longer listed by source mofcom-zcfb "
        "(withdrawn)."
    )


def test_measure_effective_without_a_scope_for_that_date() -> None:
    text = summary_text(event(EventKind.MEASURE_EFFECTIVE, due_date=date(2025, 12, 1)))
    assert text.startswith(
        "Measure 商务部公告2025年第62号 (MOFCOM-2025-62) takes effect on 2025-12-01: "
    )


def test_lapse_without_a_cause() -> None:
    text = summary_text(event(EventKind.MEASURE_SUSPENSION_ENDED, due_date=date(2026, 11, 11)))
    assert text.startswith("Suspension of 商务部公告2025年第62号 (MOFCOM-2025-62) has lapsed")


def test_an_events_own_summary_is_added_once() -> None:
    note = "Reported by a news item first."
    assert summary_text(event(EventKind.NOTICE_NEW, summary=note)).endswith("keyword 稀土. " + note)


def test_relevance_names_what_the_verdict_found() -> None:
    verdict = Verdict(
        relevant=True, elements=("Dy",), control_codes=("1C905",), hs_codes=("28053019",)
    )
    text = summary_text(event(EventKind.NOTICE_NEW, replace(NO_62, verdict=verdict)))
    assert text.endswith(
        "Rare-earth relevant: elements Dy; control codes 1C905; HS codes 28053019."
    )
    bare = summary_text(event(EventKind.NOTICE_NEW, replace(NO_62, verdict=Verdict(True))))
    assert bare.endswith("Rare-earth relevant.")


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("公布对稀土相关技术实施出口管制的决定", "商务部公告2025年第62号 公布对稀土相关技术实施出口管制的决定"),
        ("商务部公告 2025年第62号 公布…", "商务部公告 2025年第62号 公布…"),  # already numbered
        ("商务部公告2025年第62号", "商务部公告2025年第62号"),  # the number is the whole title
    ],
)  # fmt: skip
def test_display_title_numbers_a_title_once(title: str, shown: str) -> None:
    assert display_title(replace(NO_62, title=title)) == shown


def test_summary_leaves_out_a_number_the_title_starts_with() -> None:
    notice = replace(NO_62, title="商务部公告 2025年第62号  公布对稀土相关技术实施出口管制的决定")
    assert summary_text(event(EventKind.NOTICE_NEW, notice)).startswith(
        "New notice 商务部公告2025年第62号 (MOFCOM-2025-62): 公布对稀土相关技术实施出口管制的决定,"
    )


def test_a_title_that_is_only_the_number_is_summarised_as_it_is() -> None:
    notice = replace(NO_62, title="商务部公告2025年第62号")
    assert summary_text(event(EventKind.NOTICE_NEW, notice)).startswith(
        "New notice 商务部公告2025年第62号 (MOFCOM-2025-62): 商务部公告2025年第62号, published"
    )


def test_an_untitled_unnumbered_notice_shows_its_url() -> None:
    notice = replace(NO_62, title=" ", doc_number=None, facts=NoticeFacts())
    assert display_title(notice) == NO_62.url


def test_rfc3339_takes_a_naive_time_as_utc() -> None:
    assert rfc3339(datetime(2025, 10, 9, 3, 15, 0, 999)) == "2025-10-09T03:15:00Z"
    assert rfc3339(AT) == "2025-10-09T03:15:00Z"


def test_a_reported_notice_says_it_is_known_only_from_reports() -> None:
    from monitor.models import NoticeStatus

    news = replace(
        NO_62,
        url="https://news.example.invalid/a.html",
        doc_number=None,
        title="China puts rare-earth technology under licence",
        facts=NoticeFacts(kind=NoticeKind.COMMENTARY, reports="MOFCOM-2025-62"),
        status=NoticeStatus.REPORTED,
    )
    reported = event(EventKind.NOTICE_REPORTED, news)
    assert summary_text(reported) == (
        "Notice MOFCOM-2025-62 reported (China puts rare-earth technology under licence), "
        "not yet seen at an official source. Rare-earth relevant: keyword 稀土."
    )
    item = item_for_event(reported)
    assert item["_regwatch"]["event"] == "notice.reported"
    assert item["_regwatch"]["notice"]["status"] == "reported"
    assert item["_regwatch"]["notice"]["reports"] == "MOFCOM-2025-62"
