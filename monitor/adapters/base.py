"""What every source adapter is: the `Adapter` protocol and the values it takes and returns.

An adapter knows which URLs to request for a source and how to turn the pages into
`RawNotice`s. It never touches the store: it gets what the store remembers as a
`SourceState` and returns a `PollResult`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the HTTP stack is not needed to read source definitions
    from monitor.fetch.client import Fetcher
from monitor.models import RawNotice, SourceDef, Validators


@dataclass(frozen=True)
class SourceState:
    """What the store remembers about a source, handed to its adapter."""

    first_run: bool
    known_urls: frozenset[str] = frozenset()
    list_validators: Validators = field(default_factory=Validators)
    # Re-read detail pages of listed notices this poll even when the list is unchanged.
    recheck_due: bool = False
    # Stored rare-earth-relevant notices to re-read this poll wherever they are listed
    # (adapters/recheck.py); adapters without detail pages ignore it.
    recheck_urls: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ListedItem:
    url: str
    title: str
    published: date | None


@dataclass(frozen=True)
class PollResult:
    """What one poll of a source found.

    `unchanged` means the list answered 304 or had the same body hash: nothing was parsed
    and `notices`/`listed` are empty. Otherwise `listed` is every item on the list pages
    that were read, `window_start` the oldest date those pages cover completely (a stored
    notice of this source published after it that is not listed is missing), and
    `notices` every detail page read (new items, plus listed ones on a recheck).
    """

    unchanged: bool
    notices: tuple[RawNotice, ...] = ()
    listed: tuple[ListedItem, ...] = ()
    window_start: date | None = None
    list_validators: Validators = field(default_factory=Validators)
    requests: int = 0


Progress = Callable[[int, int | None], None]


class Adapter(Protocol):
    options: frozenset[str]  # adapter-specific keys allowed in a source definition

    def poll(
        self,
        source: SourceDef,
        fetcher: Fetcher,
        state: SourceState,
        *,
        since: date | None = None,
        progress: Progress | None = None,
    ) -> PollResult:
        """Poll once. With `since`, walk the history back to that date (backfill)."""
        ...
