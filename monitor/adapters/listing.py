"""What every list-reading adapter shares: the unchanged test, paging and what to read.

Steady state is one request: the first list page, conditional where the site allows it;
a 304 or the same body hash as last time ends the poll before anything is parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from monitor.adapters.base import ListedItem, PollResult, SourceState
from monitor.errors import ConfigError, FetchError
from monitor.models import Page, RawNotice, SourceDef, Validators

_CJK = re.compile(r"[\u3400-\u9fff]")
_LOST = re.compile(r"\?\?")
_DATE = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")


def conditional_validators(state: SourceState, since: date | None) -> Validators | None:
    """The validators to send, or None when this poll must read the list whatever it says."""
    return None if (state.first_run or state.recheck_due or since) else state.list_validators


def unchanged(page: Page, validators: Validators | None) -> bool:
    return validators is not None and (page.not_modified or page.sha256 == validators.sha256)


def page_validators(page: Page) -> Validators:
    return Validators(page.etag, page.last_modified, page.sha256)


def unchanged_result(page: Page, requests: int) -> PollResult:
    return PollResult(unchanged=True, list_validators=page_validators(page), requests=requests)


def wants_next_page(
    source: SourceDef,
    state: SourceState,
    last: Iterable[ListedItem],
    *,
    read: int,
    since: date | None,
    more: bool,
) -> bool:
    """Read another page? While the site has more and: back to `since` on a backfill,
    `first_run_pages` on the baseline, else while every item is new (to `max_pages`)."""
    items = list(last)
    if not more or not items:
        return False
    if since is not None:
        dates = [item.published for item in items if item.published]
        return bool(dates) and min(dates) >= since
    if state.first_run:
        return read < int(source.options.get("first_run_pages", 1))
    if read >= int(source.options.get("max_pages", 5)):
        return False
    return all(item.url not in state.known_urls for item in items)


def to_read(
    listed: Iterable[ListedItem], state: SourceState, since: date | None, *, recheck: bool = True
) -> list[ListedItem]:
    """New items (not older than `since`), plus known ones on a recheck."""
    wanted = [item for item in listed if item.url not in state.known_urls]
    if since is not None:
        wanted = [i for i in wanted if i.published is None or i.published >= since]
    if recheck and state.recheck_due:
        wanted += [item for item in listed if item.url in state.known_urls]
    return list(unique(wanted).values())


def wanted_notices(
    notices: Iterable[RawNotice], state: SourceState, since: date | None
) -> tuple[RawNotice, ...]:
    """Notices read straight from a list (no detail page): the new ones, or all on a recheck."""
    return tuple(
        n for n in notices
        if (state.recheck_due or n.url not in state.known_urls)
        and (since is None or n.published is None or n.published >= since)
    )  # fmt: skip


def unique(items: Iterable[ListedItem]) -> dict[str, ListedItem]:
    seen: dict[str, ListedItem] = {}
    for item in items:
        seen.setdefault(item.url, item)
    return seen


def window_start(last: Iterable[ListedItem], *, complete: bool) -> date | None:
    """The oldest date the pages read cover completely (None: no dates to go by)."""
    dates = [item.published for item in last if item.published is not None]
    if not dates:
        return None
    # Items of the oldest date may continue on the next page: only the day after is whole.
    return min(dates) if complete else min(dates) + timedelta(days=1)


def is_mojibake(title: str) -> bool:
    """Chinese characters the server turned into `?` (a request it half refused)."""
    return _LOST.search(title) is not None and _CJK.search(title) is None


def reject_lost_characters(titles: Iterable[str], url: str) -> None:
    if any(is_mojibake(title) for title in titles):
        raise FetchError("mojibake", "titles arrived as '?': the server garbled the text", url)


def parse_date(text: str) -> date | None:
    """The first YYYY-MM-DD (or YYYY.MM.DD, YYYY年M月D日) in `text`."""
    match = _DATE.search(text)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


# -- option checks (raise ConfigError naming the option; the catalog adds where) ---------


def need_text(options: Mapping[str, Any], key: str, *, required: bool = False) -> None:
    if key not in options:
        if required:
            raise ConfigError(key, "required key is missing")
        return
    value = options[key]
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(key, f"expected a non-empty string, got {value!r}")


def need_count(options: Mapping[str, Any], key: str, *, low: int = 1, high: int = 1000) -> None:
    if key not in options:
        return
    value = options[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(key, f"expected a whole number from {low} to {high}, got {value!r}")


def need_texts(options: Mapping[str, Any], key: str, *, required: bool = False) -> None:
    if key not in options:
        if required:
            raise ConfigError(key, "required key is missing")
        return
    value = options[key]
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise ConfigError(key, f"expected a non-empty list of strings, got {value!r}")


def need_choice(options: Mapping[str, Any], key: str, choices: Iterable[str]) -> None:
    allowed = tuple(choices)
    if key in options and options[key] not in allowed:
        raise ConfigError(key, f"expected one of {', '.join(allowed)}, got {options[key]!r}")
