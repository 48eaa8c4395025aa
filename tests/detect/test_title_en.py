"""title_en.py: an English headline for every notice, from the English copy or the facts."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.detect.title_en import title_en
from monitor.models import (
    Affect,
    AffectAction,
    Effective,
    Notice,
    NoticeFacts,
    NoticeKind,
    Verdict,
)


def _notice(key: str, facts: NoticeFacts, *, relevant: bool = True, **kw: str) -> Notice:
    verdict = Verdict(relevant=relevant, elements=facts.elements)
    return Notice(doc_key=key, title=kw.get("title", "标题"), url="https://x.invalid/a", text="",
                  source_id="s", content_hash="h", facts=facts, verdict=verdict,
                  language=kw.get("language", "zh-Hans"))  # fmt: skip


def test_composed_from_the_facts() -> None:
    facts = NoticeFacts(kind=NoticeKind.CONTROL, elements=("Sm", "Dy"),
                        effective=(Effective(date(2025, 12, 1), "whole notice"),))  # fmt: skip
    assert title_en(_notice("MOFCOM-2025-61", facts)) == (
        "MOFCOM Announcement No. 61 of 2025: export controls (rare earths) (Sm, Dy), "
        "effective 2025-12-01"
    )


def test_an_english_copy_keeps_its_own_title() -> None:
    notice = _notice("MOFCOM-2025-61", NoticeFacts(), language="en", title=" MOFCOM  No. 61 ")
    assert title_en(notice) == "MOFCOM No. 61"


@pytest.mark.parametrize(
    ("key", "facts", "relevant", "expected"),
    [
        ("MOFCOM-2025-70",
         NoticeFacts(kind=NoticeKind.SUSPENSION,
                     affects=(Affect("MOFCOM-2025-61", AffectAction.SUSPEND),)),
         True, "MOFCOM Announcement No. 70 of 2025: suspension, rare-earth related of MOFCOM-2025-61"),
        ("STATECOUNCIL-785", NoticeFacts(), False, "State Council Decree No. 785: notice"),
        ("MOFCOM-ORDER-2024-1", NoticeFacts(), False, "MOFCOM Order No. 1 of 2024: notice"),
        ("UEL-2025-1", NoticeFacts(kind=NoticeKind.UNRELIABLE_ENTITY), False,
         "Unreliable Entity List Working Mechanism Announcement No. 1 of 2025: "
         "Unreliable Entity List decision"),
        ("https://news.invalid/a", NoticeFacts(kind=NoticeKind.COMMENTARY), True,
         "Report: commentary"),
        ("XYZ", NoticeFacts(), False, "XYZ: notice"),
    ],
)  # fmt: skip
def test_every_key_and_kind(key: str, facts: NoticeFacts, relevant: bool, expected: str) -> None:
    assert title_en(_notice(key, facts, relevant=relevant)) == expected


def test_a_stored_english_copy_title_wins() -> None:
    notice = _notice("MOFCOM-2025-61", NoticeFacts(kind=NoticeKind.CONTROL))
    notice = Notice(**{**notice.__dict__, "title_en": "Announcement No. 61 (English copy)"})
    assert title_en(notice) == "Announcement No. 61 (English copy)"
