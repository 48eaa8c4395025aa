"""Parser failures as the project's `ParseError` (pure).

Third-party parsers (json, feedparser, lxml, bs4) fail on hostile input with their own
exceptions: RecursionError on thousands of nested tags or arrays, UnicodeDecodeError on a
garbled encoding declaration, ValueError or LookupError on odd markup. Inside `parsing`,
each of these becomes a `ParseError` with a stable reason, so the source is marked failing
and the operator told, like any other failure, instead of the poll crashing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from monitor.adapters.base import PollResult
from monitor.errors import ParseError
from monitor.fetch.mojibake import looks_like_mojibake

# reason labels (health, metrics): too_deep, decode, unparseable; crashed (anything else)


def as_parse_error(error: BaseException, url: str | None, what: str) -> ParseError | None:
    """The ParseError a parser's own exception means, or None for one it does not raise."""
    if isinstance(error, RecursionError):
        return ParseError("too_deep", f"{what} nests too deeply to read", url)
    if isinstance(error, UnicodeError):
        return ParseError("decode", f"{what}: {error}", url)
    if isinstance(error, ValueError | LookupError | TypeError | AttributeError):
        return ParseError("unparseable", f"{what}: {type(error).__name__}: {error}", url)
    return None


@contextmanager
def parsing(url: str | None, what: str) -> Iterator[None]:
    """Run a parse; a parser's own exception leaves as ParseError (with it as the cause)."""
    try:
        yield
    except ParseError:
        raise
    except Exception as error:
        mapped = as_parse_error(error, url, what)
        if mapped is None:
            raise
        raise mapped from error


def crash_error(error: Exception, what: str) -> ParseError:
    """Any exception escaping a poll as a ParseError: the source fails, the rest go on."""
    return as_parse_error(error, None, what) or ParseError(
        "crashed", f"{what}: {type(error).__name__}: {error}"
    )


def reject_mojibake(result: PollResult) -> None:
    """ParseError("mojibake") when a page read this poll is text decoded with the wrong
    charset: stored, it would hide the notice and later look like a revision."""
    for notice in result.notices:
        if looks_like_mojibake(notice.title) or looks_like_mojibake(notice.text):
            raise ParseError(
                "mojibake", "the page's text was decoded with the wrong charset", notice.url
            )
