"""The decision table: what a page and a list mean for the store, with no store at all."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.detect.decide import (
    WITHDRAWN_AFTER,
    Confirm,
    Miss,
    NewNotice,
    NewReported,
    NewUrl,
    Promote,
    Rehash,
    ResetMissing,
    Revise,
    StoredNotice,
    StoredUrl,
    TitleEn,
    Touch,
    Withdraw,
    decide_alias,
    decide_listing,
    decide_page,
    decide_report,
    decide_withdrawals,
    notices_to_check,
)
from monitor.models import Notice, NoticeFacts, NoticeStatus, RawNotice, Verdict

KEY = "MOFCOM-2025-62"
PRIMARY = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_62.html"
MIRROR = "https://aqygzj.mofcom.gov.cn/art/2025/art_62.html"
PUBLISHED = date(2025, 10, 9)
LISTED = date(2025, 10, 10)
SEEN = datetime(2025, 10, 9, 2, tzinfo=UTC)
LANGUAGES = ("zh-Hans", "zh-Hant", "en")


def notice(
    url: str = PRIMARY,
    *,
    text: str = "一、稀土开采技术实施出口管制。",
    language: str = "zh-Hans",
    published: date | None = PUBLISHED,
) -> Notice:
    return Notice(
        doc_key=KEY,
        title="商务部公告2025年第62号",
        url=url,
        text=text,
        source_id="mofcom-zcfb",
        content_hash=f"hash:{text}",
        facts=NoticeFacts(doc_key=KEY),
        verdict=Verdict(relevant=True),
        published=published,
        urls=(url,),
        language=language,
    )


def stored(
    primary: str = PRIMARY, *, language: str = "zh-Hans", version: int = 2, withdrawn: bool = False
) -> StoredNotice:
    return StoredNotice(
        notice=notice(primary, text="旧的正文。", language=language),
        version=version,
        first_seen_at=SEEN,
        withdrawn_at=SEEN if withdrawn else None,
    )


def url_row(
    url: str = PRIMARY,
    *,
    content_hash: str | None = "hash:旧的正文。",
    published: date | None = PUBLISHED,
    missing: int = 0,
    doc_key: str = KEY,
) -> StoredUrl:
    return StoredUrl(
        url=url,
        doc_key=doc_key,
        published=published,
        content_hash=content_hash,
        missing_polls=missing,
    )


# --- a page that is a notice in its own right -------------------------------------------


def test_first_sight_adds_the_url_and_the_notice() -> None:
    seen = notice()
    assert decide_page(seen, stored=None, at_url=None, listed_date=LISTED) == (
        NewUrl(PRIMARY, KEY, "mofcom-zcfb", "zh-Hans", LISTED, seen.content_hash),
        NewNotice(seen),
    )


def test_the_url_keeps_the_notice_date_when_the_list_has_none() -> None:
    (new_url, _) = decide_page(notice(), stored=None, at_url=None, listed_date=None)
    assert isinstance(new_url, NewUrl) and new_url.published == PUBLISHED


def test_a_known_url_of_an_unknown_notice_stores_only_the_notice() -> None:
    seen = notice()
    at_url = url_row(content_hash=seen.content_hash, doc_key="elsewhere")
    assert decide_page(seen, stored=None, at_url=at_url, listed_date=LISTED) == (NewNotice(seen),)


def test_another_address_of_a_known_notice_is_seen_again() -> None:
    seen = notice(MIRROR, text="另一个网址的正文。")
    assert decide_page(seen, stored=stored(), at_url=None, listed_date=None) == (
        NewUrl(MIRROR, KEY, "mofcom-zcfb", "zh-Hans", PUBLISHED, seen.content_hash),
        Touch(KEY),
    )


@pytest.mark.parametrize("was", ["en", "zh-Hant"])
def test_the_simplified_text_after_a_translation_becomes_the_notice(was: str) -> None:
    seen = notice(MIRROR)
    intents = decide_page(
        seen, stored=stored(language=was, version=4), at_url=None, listed_date=None
    )
    assert intents[1:] == (Promote(seen, version=5),)


@pytest.mark.parametrize(("was", "now"), [("zh-Hans", "en"), ("en", "zh-Hant"), ("en", "en")])
def test_no_promotion_unless_simplified_replaces_something_else(was: str, now: str) -> None:
    seen = notice(MIRROR, language=now)
    intents = decide_page(seen, stored=stored(language=was), at_url=None, listed_date=None)
    assert intents[1:] == (Touch(KEY),)


def test_a_translation_at_a_known_url_is_never_promoted() -> None:
    seen = notice(MIRROR)
    at_url = url_row(MIRROR, content_hash=seen.content_hash)
    assert decide_page(seen, stored=stored(language="en"), at_url=at_url, listed_date=None) == (
        Touch(KEY),
    )


def test_the_same_text_again_is_a_touch() -> None:
    seen = notice()
    at_url = url_row(content_hash=seen.content_hash)
    assert decide_page(seen, stored=stored(), at_url=at_url, listed_date=LISTED) == (Touch(KEY),)


def test_other_text_at_the_primary_url_is_a_revision() -> None:
    seen = notice(text="一、稀土开采、冶炼分离技术实施出口管制。")
    before = stored(version=2)
    assert decide_page(seen, stored=before, at_url=url_row(), listed_date=None) == (
        Rehash(PRIMARY, seen.content_hash),
        Revise(seen, version=3, previous=before.notice),
    )


def test_other_text_at_a_secondary_url_is_only_remembered() -> None:
    seen = notice(MIRROR, text="镜像站点改了排版。")
    assert decide_page(seen, stored=stored(), at_url=url_row(MIRROR), listed_date=None) == (
        Rehash(MIRROR, seen.content_hash),
    )


def test_a_page_at_an_alias_url_that_gained_a_number_is_compared_like_any() -> None:
    seen = notice()
    at_url = url_row(content_hash=None)  # stored as a news item reporting on the notice
    assert decide_page(seen, stored=stored(), at_url=at_url, listed_date=None) == (
        Rehash(PRIMARY, seen.content_hash),
        Revise(seen, version=3, previous=stored().notice),
    )


STORED_CASES = [None] + [
    stored(primary, language=language, withdrawn=withdrawn)
    for primary, language, withdrawn in itertools.product(
        (PRIMARY, MIRROR), LANGUAGES, (False, True)
    )
]
AT_URL_CASES = ("none", "same", "other", "alias")


def _at_url(kind: str, seen: Notice) -> StoredUrl | None:
    return {
        "none": None,
        "same": url_row(seen.url, content_hash=seen.content_hash),
        "other": url_row(seen.url, content_hash="hash:something else"),
        "alias": url_row(seen.url, content_hash=None),
    }[kind]


@pytest.mark.parametrize(
    ("before", "at_kind", "language", "url", "listed_date"),
    list(
        itertools.product(STORED_CASES, AT_URL_CASES, LANGUAGES, (PRIMARY, MIRROR), (None, LISTED))
    ),
)
def test_every_combination_follows_the_table(
    before: StoredNotice | None, at_kind: str, language: str, url: str, listed_date: date | None
) -> None:
    seen = notice(url, language=language, text="本次读到的正文。")
    at_url = _at_url(at_kind, seen)
    intents = decide_page(seen, stored=before, at_url=at_url, listed_date=listed_date)
    kinds = [type(i) for i in intents]

    assert (NewUrl in kinds) == (at_url is None)
    if at_url is None:
        assert intents[0] == NewUrl(
            url, KEY, "mofcom-zcfb", language, listed_date or PUBLISHED, seen.content_hash
        )
    assert (NewNotice in kinds) == (before is None)
    if before is None:
        assert intents[-1] == NewNotice(seen) and len(intents) == 1 + (at_url is None)
        return
    promote = at_url is None and before.notice.language != "zh-Hans" and language == "zh-Hans"
    assert (Promote in kinds) == promote
    same = at_url is not None and at_url.content_hash == seen.content_hash
    assert (Touch in kinds) == ((at_url is None and not promote) or same)
    changed = at_url is not None and not same
    assert (Rehash in kinds) == changed
    assert (Revise in kinds) == (changed and url == before.notice.url)
    for intent in intents:
        if isinstance(intent, Promote | Revise):
            assert intent.version == before.version + 1
        if isinstance(intent, Touch):
            assert intent.doc_key == before.notice.doc_key
    # Withdrawn or not, a page seen is decided the same way (touching un-withdraws it).
    assert intents == decide_page(
        seen,
        stored=replace(before, withdrawn_at=None if before.withdrawn_at else SEEN),
        at_url=at_url,
        listed_date=listed_date,
    )


languages = st.sampled_from(LANGUAGES)
texts = st.text(alphabet="稀土管制公告一二三 ", min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(
    text=texts,
    old_text=texts,
    language=languages,
    old_language=languages,
    url=st.sampled_from((PRIMARY, MIRROR)),
    primary=st.sampled_from((PRIMARY, MIRROR)),
    known_url=st.booleans(),
    version=st.integers(1, 50),
)
def test_never_a_revision_without_other_text(
    text: str,
    old_text: str,
    language: str,
    old_language: str,
    url: str,
    primary: str,
    known_url: bool,
    version: int,
) -> None:
    seen = notice(url, text=text, language=language)
    before = StoredNotice(
        notice(primary, text=old_text, language=old_language), version, SEEN, None
    )
    at_url = url_row(url, content_hash=f"hash:{old_text}") if known_url else None
    intents = decide_page(seen, stored=before, at_url=at_url, listed_date=None)
    revisions = [i for i in intents if isinstance(i, Revise)]
    if text == old_text or not known_url:
        assert revisions == []
    for revision in revisions:
        assert revision.previous == before.notice and revision.notice == seen
        assert intents[0] == Rehash(url, seen.content_hash) and url == primary
    assert sum(isinstance(i, NewNotice | Promote | Revise | Touch) for i in intents) <= 1


# --- a page reporting on a known notice ---------------------------------------------------


NEWS = RawNotice(
    source_id="mofcom-news",
    url="https://www.mofcom.gov.cn/xwfb/art_1.html",
    title="商务部新闻发言人就商务部公告2025年第62号答记者问",
    text="问：请介绍。",
    published=date(2025, 10, 11),
    language="zh-Hans",
)


@pytest.mark.parametrize(("listed_date", "published"), [(LISTED, LISTED), (None, NEWS.published)])
def test_an_alias_adds_only_its_url_without_a_hash(
    listed_date: date | None, published: date
) -> None:
    assert decide_alias(NEWS, KEY, at_url=None, listed_date=listed_date) == (
        NewUrl(NEWS.url, KEY, "mofcom-news", "zh-Hans", published, None),
    )


@pytest.mark.parametrize("content_hash", [None, "hash:x"])
def test_an_alias_seen_again_changes_nothing(content_hash: str | None) -> None:
    known = url_row(NEWS.url, content_hash=content_hash)
    assert decide_alias(NEWS, KEY, at_url=known, listed_date=LISTED) == ()


# --- the list: missing URLs and withdrawals -----------------------------------------------


WINDOW = date(2025, 10, 1)


def test_an_unchanged_list_counts_again_what_was_missing() -> None:
    urls = [
        url_row("a", missing=0),
        url_row("b", missing=1),
        url_row("c", missing=4, published=None),
    ]
    assert decide_listing(urls, listed=None, window_start=WINDOW) == (
        Miss("b", KEY, 2),
        Miss("c", KEY, 5),
    )


def test_a_list_without_a_window_only_resets_what_it_shows() -> None:
    urls = [url_row("a", missing=2), url_row("b", missing=0)]
    assert decide_listing(urls, listed={"a"}, window_start=None) == (
        ResetMissing(frozenset({"a"})),
    )


def test_a_read_list_misses_what_its_window_covers_and_it_does_not_show() -> None:
    urls = [
        url_row("listed", missing=2),
        url_row("inside", published=WINDOW + timedelta(days=1), missing=0),
        url_row("on-the-edge", published=WINDOW),
        url_row("older", published=WINDOW - timedelta(days=1)),
        url_row("undated", published=None, missing=1),
        url_row("again", published=date(2025, 11, 1), missing=2),
    ]
    assert decide_listing(urls, listed={"listed", "new"}, window_start=WINDOW) == (
        ResetMissing(frozenset({"listed", "new"})),
        Miss("inside", KEY, 1),
        Miss("again", KEY, 3),
    )


def test_an_empty_store_has_nothing_to_miss() -> None:
    assert decide_listing([], listed=None, window_start=None) == ()
    assert decide_listing([], listed=set(), window_start=WINDOW) == (ResetMissing(frozenset()),)


@pytest.mark.parametrize("count", [1, 2, 4, 5])
def test_only_the_third_miss_can_withdraw(count: int) -> None:
    miss = Miss(PRIMARY, KEY, count)
    assert not miss.decisive and notices_to_check([miss]) == ()
    assert decide_withdrawals([miss], {KEY: stored()}) == ()


def test_the_third_miss_of_the_primary_url_withdraws() -> None:
    miss = Miss(PRIMARY, KEY, WITHDRAWN_AFTER)
    before = stored()
    assert miss.decisive and notices_to_check([miss]) == (KEY,)
    assert decide_withdrawals([miss], {KEY: before}) == (Withdraw(before.notice),)


@pytest.mark.parametrize(
    "before",
    [None, stored(withdrawn=True), stored(MIRROR)],
    ids=["unknown notice", "already withdrawn", "not the primary url"],
)
def test_the_third_miss_withdraws_nothing_else(before: StoredNotice | None) -> None:
    miss = Miss(PRIMARY, KEY, WITHDRAWN_AFTER)
    assert decide_withdrawals([miss], {KEY: before}) == ()
    assert decide_withdrawals([miss], {}) == ()


def test_withdrawals_follow_the_order_of_the_misses() -> None:
    other = replace(stored().notice, doc_key="MOFCOM-2025-61", url="https://x/61")
    notices = {KEY: stored(), "MOFCOM-2025-61": StoredNotice(other, 1, SEEN, None)}
    intents = (
        ResetMissing(frozenset()),
        Miss("https://x/61", "MOFCOM-2025-61", 3),
        Miss(MIRROR, KEY, 3),
        Miss(PRIMARY, KEY, 3),
        Miss("https://x/9", "MOFCOM-2025-9", 2),
    )
    assert notices_to_check(intents) == ("MOFCOM-2025-61", KEY)
    assert decide_withdrawals(intents, notices) == (Withdraw(other), Withdraw(stored().notice))


POLL = st.sampled_from(("listed", "missing", "outside", "unchanged"))


@settings(max_examples=300, deadline=None)
@given(polls=st.lists(POLL, max_size=15), primary=st.booleans())
def test_a_withdrawal_only_at_exactly_the_third_miss_of_the_primary_url(
    polls: list[str], primary: bool
) -> None:
    url = PRIMARY if primary else MIRROR
    row = url_row(url, published=date(2025, 10, 9))
    withdrawn = False
    streak = 0
    for poll in polls:
        listed = {"listed": {url}, "missing": set(), "outside": set(), "unchanged": None}[poll]
        window = date(2025, 10, 20) if poll == "outside" else WINDOW
        intents = decide_listing([row], listed=listed, window_start=window)
        keys = notices_to_check(intents)
        notices = {k: stored(withdrawn=withdrawn) for k in keys}
        withdrawals = decide_withdrawals(intents, notices)

        if poll == "listed":
            streak = 0
        elif poll == "missing" or (poll == "unchanged" and streak > 0):
            streak += 1
        misses = [i for i in intents if isinstance(i, Miss)]
        assert [m.count for m in misses] == ([streak] if misses else [])
        expect_withdrawal = bool(misses) and streak == WITHDRAWN_AFTER and primary and not withdrawn
        assert withdrawals == ((Withdraw(stored().notice),) if expect_withdrawal else ())
        withdrawn = withdrawn or expect_withdrawal
        row = replace(row, missing_polls=streak)


# --- news first: a report of a notice not yet seen at an official source -----------------

NEWS_URL = "https://news.example.invalid/2025/10/09/rare-earth-tech.html"


def test_a_report_of_an_unknown_notice_makes_it_reported_with_the_report_as_alias() -> None:
    report = replace(notice(NEWS_URL, text="据报道，商务部发布第62号公告。"), source_id="news")
    assert decide_report(report, at_url=None, listed_date=LISTED) == (
        NewUrl(NEWS_URL, KEY, "news", "zh-Hans", LISTED, None),
        NewReported(replace(report, status=NoticeStatus.REPORTED)),
    )
    assert (
        decide_report(report, at_url=url_row(NEWS_URL, content_hash=None), listed_date=None) == ()
    )


def test_the_official_page_of_a_reported_notice_confirms_it() -> None:
    known = stored(NEWS_URL)
    known = replace(known, notice=replace(known.notice, status=NoticeStatus.REPORTED))
    official = notice()
    intents = decide_page(official, stored=known, at_url=None, listed_date=None)
    assert intents[1:] == (Confirm(official, version=3),)
    assert official.status is NoticeStatus.OFFICIAL


def test_an_english_copy_of_a_known_notice_gives_its_title_once() -> None:
    english = replace(notice(MIRROR, language="en"), title_en="MOFCOM Announcement No. 62")
    intents = decide_page(english, stored=stored(), at_url=None, listed_date=None)
    assert intents[1:] == (TitleEn(KEY, "MOFCOM Announcement No. 62"), Touch(KEY))
    titled = stored()
    titled = replace(titled, notice=replace(titled.notice, title_en="MOFCOM Announcement No. 62"))
    assert decide_page(english, stored=titled, at_url=None, listed_date=None)[1:] == (Touch(KEY),)


def test_the_simplified_text_keeps_the_english_copy_title() -> None:
    was = stored(language="en")
    was = replace(was, notice=replace(was.notice, title_en="MOFCOM Announcement No. 62"))
    intents = decide_page(notice(MIRROR), stored=was, at_url=None, listed_date=None)
    promoted = intents[1]
    assert isinstance(promoted, Promote)
    assert promoted.notice.title_en == "MOFCOM Announcement No. 62"


def test_a_news_headline_does_not_outlive_the_official_page() -> None:
    known = stored(NEWS_URL)
    reported = replace(known.notice, status=NoticeStatus.REPORTED, title_en="Wire headline")
    intents = decide_page(
        notice(), stored=replace(known, notice=reported), at_url=None, listed_date=None
    )
    confirm = intents[1]
    assert isinstance(confirm, Confirm) and confirm.notice.title_en is None
