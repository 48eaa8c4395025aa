"""What a poll means for the store, as typed intents (pure: no database, no clock).

The pipeline loads what the store knows (the row of a page's URL, the notice with the
page's doc_key, the source's URLs), asks here what follows, and executes the answer:

- a page: `NewNotice`, `NewUrl` (an alias or another address of a notice), `Promote` (the
  简体 text after a translation), `Revise`, `Rehash` (other text at a secondary URL),
  `Touch` (seen again), `TitleEn` (an English copy's title);
- a news or commentary page reporting a notice not yet stored: `NewReported` (the notice,
  known so far only from the report); its official page later: `Confirm`;
- the list: `ResetMissing` for what it shows, `Miss` for what it should show and does not,
  `Withdraw` when a notice's primary URL has been missing `WITHDRAWN_AFTER` polls in a row.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from monitor.models import Notice, NoticeStatus, RawNotice

WITHDRAWN_AFTER = 3  # consecutive successful polls without the notice
AUTHORITATIVE_LANGUAGE = "zh-Hans"


@dataclass(frozen=True)
class StoredNotice:
    """A notice as the store has it: its current version and whether it was withdrawn."""

    notice: Notice
    version: int
    first_seen_at: datetime
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class StoredUrl:
    """One stored URL: the notice it shows, the text last read there, polls without it."""

    url: str
    doc_key: str
    published: date | None
    content_hash: str | None  # None for an alias: a page reporting on another notice
    missing_polls: int


@dataclass(frozen=True)
class NewNotice:
    """First sight of a notice: stored as version 1 and announced as new."""

    notice: Notice


@dataclass(frozen=True)
class NewUrl:
    """A URL first seen, for the notice it shows (or, without a hash, reports on)."""

    url: str
    doc_key: str
    source_id: str
    language: str
    published: date | None
    content_hash: str | None


@dataclass(frozen=True)
class NewReported:
    """A notice first known from a news or commentary report: stored as `reported`."""

    notice: Notice


@dataclass(frozen=True)
class Confirm:
    """The official page of a notice known only from reports: it becomes the notice."""

    notice: Notice
    version: int


@dataclass(frozen=True)
class TitleEn:
    """An English-language copy of a known notice: its title is the notice's `title_en`."""

    doc_key: str
    title: str


@dataclass(frozen=True)
class Promote:
    """The authoritative 简体 text arrived after a translation: it becomes the notice, silently."""

    notice: Notice
    version: int


@dataclass(frozen=True)
class Revise:
    """The notice's primary URL shows other text: a new version, announced with the diff."""

    notice: Notice
    version: int
    previous: Notice


@dataclass(frozen=True)
class Rehash:
    """The text at a URL changed; remembered so the same text is not compared again."""

    url: str
    content_hash: str


@dataclass(frozen=True)
class Touch:
    """A known notice seen again: still there, so not withdrawn."""

    doc_key: str


@dataclass(frozen=True)
class ResetMissing:
    """The list shows these URLs: none of them is missing any more."""

    urls: frozenset[str]


@dataclass(frozen=True)
class Miss:
    """One more successful poll without this URL; `count` includes this one."""

    url: str
    doc_key: str
    count: int

    @property
    def decisive(self) -> bool:
        """The miss that withdraws the notice, if the URL is its primary one."""
        return self.count == WITHDRAWN_AFTER


@dataclass(frozen=True)
class Withdraw:
    """The notice's primary URL has been missing `WITHDRAWN_AFTER` polls in a row."""

    notice: Notice


PageIntent = (
    NewNotice | NewUrl | Promote | Revise | Rehash | Touch | NewReported | Confirm | TitleEn
)
ListIntent = ResetMissing | Miss
Intent = PageIntent | ListIntent | Withdraw


def decide_alias(
    raw: RawNotice, doc_key: str, *, at_url: StoredUrl | None, listed_date: date | None
) -> tuple[PageIntent, ...]:
    """A page without a number of its own that reports on the known notice `doc_key`."""
    if at_url is not None:
        return ()
    return (
        NewUrl(
            url=raw.url,
            doc_key=doc_key,
            source_id=raw.source_id,
            language=raw.language,
            published=listed_date or raw.published,
            content_hash=None,
        ),
    )


def decide_report(
    notice: Notice, *, at_url: StoredUrl | None, listed_date: date | None
) -> tuple[PageIntent, ...]:
    """A report of a notice regwatch has not stored (`notice` is keyed by what it reports);
    the report's URL is an alias of it, as for a report of a known notice."""
    if at_url is not None:
        return ()
    reported = replace(notice, status=NoticeStatus.REPORTED)
    return (
        NewUrl(
            url=notice.url,
            doc_key=notice.doc_key,
            source_id=notice.source_id,
            language=notice.language,
            published=listed_date or notice.published,
            content_hash=None,
        ),
        NewReported(reported),
    )


def decide_page(
    notice: Notice,
    *,
    stored: StoredNotice | None,
    at_url: StoredUrl | None,
    listed_date: date | None,
) -> tuple[PageIntent, ...]:
    """A page that is a notice in its own right (`stored`: the notice with its doc_key)."""
    if at_url is None:
        new_url = NewUrl(
            url=notice.url,
            doc_key=notice.doc_key,
            source_id=notice.source_id,
            language=notice.language,
            published=listed_date or notice.published,
            content_hash=notice.content_hash,
        )
        if stored is None:
            return (new_url, NewNotice(notice))
        if stored.notice.status is NoticeStatus.REPORTED:
            # A news headline stood in for title_en; the official facts (or copy) replace it.
            return (new_url, Confirm(notice, version=stored.version + 1))
        title_en = stored.notice.title_en or (notice.title_en if notice.language == "en" else None)
        if _better_language(stored.notice, notice):
            promoted = replace(notice, title_en=title_en)
            return (new_url, Promote(promoted, version=stored.version + 1))
        if title_en and title_en != stored.notice.title_en:
            return (new_url, TitleEn(stored.notice.doc_key, title_en), Touch(stored.notice.doc_key))
        return (new_url, Touch(stored.notice.doc_key))
    if stored is None:
        return (NewNotice(notice),)
    if at_url.content_hash == notice.content_hash:
        return (Touch(stored.notice.doc_key),)
    rehash = Rehash(notice.url, notice.content_hash)
    if notice.url != stored.notice.url:
        return (rehash,)
    return (rehash, Revise(notice, version=stored.version + 1, previous=stored.notice))


def _better_language(stored: Notice, seen: Notice) -> bool:
    return stored.language != AUTHORITATIVE_LANGUAGE and seen.language == AUTHORITATIVE_LANGUAGE


def decide_listing(
    urls: Iterable[StoredUrl], *, listed: Collection[str] | None, window_start: date | None
) -> tuple[ListIntent, ...]:
    """What the list says of the source's stored `urls`; `listed` None: it was unchanged.

    An unchanged list still lacks what the last read list lacked. A read list misses a
    URL it does not show whose date lies inside the window it covers completely.
    """
    if listed is None:
        return tuple(_miss(u) for u in urls if u.missing_polls > 0)
    reset = ResetMissing(frozenset(listed))
    if window_start is None:
        return (reset,)
    missed = (
        _miss(u)
        for u in urls
        if u.url not in listed and u.published is not None and u.published > window_start
    )
    return (reset, *missed)


def _miss(url: StoredUrl) -> Miss:
    return Miss(url.url, url.doc_key, url.missing_polls + 1)


def notices_to_check(intents: Iterable[ListIntent]) -> tuple[str, ...]:
    """doc_keys whose stored notice `decide_withdrawals` needs, in first-miss order."""
    keys = (i.doc_key for i in intents if isinstance(i, Miss) and i.decisive)
    return tuple(dict.fromkeys(keys))


def decide_withdrawals(
    intents: Iterable[ListIntent], notices: Mapping[str, StoredNotice | None]
) -> tuple[Withdraw, ...]:
    """Notices withdrawn by these misses; `notices` holds those of `notices_to_check`."""
    withdrawn: list[Withdraw] = []
    for miss in intents:
        if not isinstance(miss, Miss) or not miss.decisive:
            continue
        stored = notices.get(miss.doc_key)
        if stored is None or stored.withdrawn_at is not None or stored.notice.url != miss.url:
            continue
        withdrawn.append(Withdraw(stored.notice))
    return tuple(withdrawn)
