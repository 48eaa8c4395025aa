"""Parser exceptions on hostile input become ParseError with a stable reason."""

from __future__ import annotations

import json

import pytest

from monitor.adapters.guard import as_parse_error, crash_error, parsing
from monitor.errors import FetchError, ParseError

URL = "https://www.mofcom.gov.cn/zwgk/zcfb/index.html"


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (RecursionError("maximum recursion depth exceeded"), "too_deep"),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "decode"),
        (ValueError("odd markup"), "unparseable"),
        (LookupError("unknown encoding: utf-8\xff"), "unparseable"),
    ],
)
def test_parser_exceptions_map_to_reasons(error: Exception, reason: str) -> None:
    with pytest.raises(ParseError) as caught, parsing(URL, "feed"):
        raise error
    assert caught.value.reason == reason and caught.value.url == URL
    assert caught.value.__cause__ is error


def test_deep_json_is_a_parse_error_not_a_crash() -> None:
    with pytest.raises(ParseError) as caught, parsing(URL, "list answer"):
        json.loads("[" * 100_000 + "]" * 100_000)
    assert caught.value.reason == "too_deep" and "list answer" in str(caught.value)


def test_project_errors_and_others_pass_through() -> None:
    with pytest.raises(FetchError), parsing(URL, "feed"):
        raise FetchError("bad_envelope", "not the envelope", URL)
    with pytest.raises(KeyboardInterrupt), parsing(URL, "feed"):
        raise KeyboardInterrupt
    assert as_parse_error(OSError("disk"), URL, "feed") is None


def test_crash_error_names_the_exception() -> None:
    assert crash_error(RecursionError(), "page").reason == "too_deep"
    crashed = crash_error(OSError("no space left"), "page")
    assert crashed.reason == "crashed" and "OSError: no space left" in str(crashed)
