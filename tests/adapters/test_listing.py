"""The paging and reading rules every list-reading kind shares."""

from __future__ import annotations

import datetime as dt

import pytest

from monitor.adapters.base import ListedItem, SourceState
from monitor.adapters.listing import (
    is_mojibake,
    need_choice,
    need_count,
    need_text,
    need_texts,
    parse_date,
    to_read,
    wanted_notices,
    wants_next_page,
    window_start,
)
from monitor.errors import ConfigError
from monitor.models import RawNotice
from tests.adapters.sources_support import source

SOURCE = source("html-list", "https://example.gov/list.html", first_run_pages=2, max_pages=3)
OLD = ListedItem("https://example.gov/a.html", "a", dt.date(2025, 4, 4))
NEW = ListedItem("https://example.gov/b.html", "b", dt.date(2025, 10, 9))
KNOWN = SourceState(first_run=False, known_urls=frozenset({OLD.url}))


def test_paging_rules() -> None:
    first = SourceState(first_run=True)
    assert wants_next_page(SOURCE, first, [NEW], read=1, since=None, more=True)
    assert not wants_next_page(SOURCE, first, [NEW], read=2, since=None, more=True)
    assert not wants_next_page(SOURCE, first, [NEW], read=1, since=None, more=False)
    assert not wants_next_page(SOURCE, first, [], read=1, since=None, more=True)
    # back to `since` on a backfill, whatever the baseline says
    assert wants_next_page(SOURCE, KNOWN, [NEW], read=9, since=dt.date(2025, 1, 1), more=True)
    assert not wants_next_page(SOURCE, KNOWN, [OLD], read=1, since=dt.date(2025, 5, 1), more=True)
    # incremental: while everything is new, up to max_pages
    assert wants_next_page(SOURCE, KNOWN, [NEW], read=2, since=None, more=True)
    assert not wants_next_page(SOURCE, KNOWN, [NEW, OLD], read=1, since=None, more=True)
    assert not wants_next_page(SOURCE, KNOWN, [NEW], read=3, since=None, more=True)


def test_what_is_read() -> None:
    assert to_read([NEW, OLD, NEW], KNOWN, None) == [NEW]
    assert to_read([NEW, OLD], KNOWN, dt.date(2025, 11, 1)) == []
    recheck = SourceState(first_run=False, known_urls=KNOWN.known_urls, recheck_due=True)
    assert to_read([NEW, OLD], recheck, None) == [NEW, OLD]
    notices = [RawNotice("s", item.url, item.title, item.title, published=item.published)
               for item in (NEW, OLD)]  # fmt: skip
    assert [n.url for n in wanted_notices(notices, KNOWN, None)] == [NEW.url]
    assert wanted_notices(notices, KNOWN, dt.date(2025, 11, 1)) == ()


def test_dates_and_windows() -> None:
    assert parse_date("[2025-10-09]") == dt.date(2025, 10, 9)
    assert parse_date("2025.4.4") == dt.date(2025, 4, 4)
    assert parse_date("2025年10月9日") == dt.date(2025, 10, 9)
    assert parse_date("2025-02-30") is None and parse_date("no date") is None
    assert window_start([NEW, OLD], complete=True) == dt.date(2025, 4, 4)
    assert window_start([NEW, OLD], complete=False) == dt.date(2025, 4, 5)
    assert window_start([ListedItem("u", "t", None)], complete=True) is None


def test_mojibake_is_question_marks_where_chinese_was() -> None:
    assert is_mojibake("??????2025??61?")
    assert not is_mojibake("What changes? MOFCOM Announcement No. 61 of 2025")
    assert not is_mojibake("商务部公告??")


@pytest.mark.parametrize(
    ("check", "options", "key"),
    [
        (lambda o: need_text(o, "q", required=True), {}, "q"),
        (lambda o: need_texts(o, "t", required=True), {}, "t"),
        (lambda o: need_texts(o, "t"), {"t": []}, "t"),
        (lambda o: need_count(o, "n"), {"n": 1.5}, "n"),
        (lambda o: need_choice(o, "c", ("a", "b")), {"c": "z"}, "c"),
    ],
)
def test_option_checks_name_the_key(check: object, options: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check(options)  # type: ignore[operator]
    assert caught.value.key == key
