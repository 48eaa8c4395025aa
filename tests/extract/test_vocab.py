"""vocab.py: the exactness of the cheap gates the matchers put in front of their
case-insensitive patterns."""

from __future__ import annotations

import re
import sys
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.extract.vocab import CONTROL_CODE, RARE_EARTH_KEYWORD_HINTS

# ---------------------------------------------------------------------------------------
# The gates are exact: they only skip work that could not have found anything.

ALL_CHARACTERS = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)


def test_gate_letters_have_no_other_case_insensitive_equivalents() -> None:
    # classify's keyword hints, and the letters acts/extract check before an IGNORECASE
    # scan (f: effect/force/tariff, u: announcement/customs/-um, m: -um, h: HS).
    letters = {h for hints in RARE_EARTH_KEYWORD_HINTS.values() for h in hints if len(h) == 1}
    letters |= set("fFuUmMhH")
    for letter in letters:
        matched = set(re.findall(letter, ALL_CHARACTERS, re.IGNORECASE))
        assert matched == {letter.lower(), letter.upper()}, letter


def test_hint_scans_use_what_the_patterns_use() -> None:
    assert re.findall(r"\d", ALL_CHARACTERS) == [c for c in ALL_CHARACTERS if c.isdecimal()]
    assert re.findall(r"\s", ALL_CHARACTERS) == [c for c in ALL_CHARACTERS if c.isspace()]
    hans = "参考海关商品编号税则号列"
    assert set(re.findall(f"[{hans}]", ALL_CHARACTERS, re.IGNORECASE)) == set(hans)


LOOKBEHIND_FORM = re.compile(r"(?<![0-9A-Za-z])(\d[A-E]\d{3})(?![0-9])((?:\.[a-z0-9]+)*)")


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet="0129ABCEFa.x \n至１٣", max_size=40), pos=st.integers(0, 40))
def test_control_code_pattern_is_the_lookbehind_form(text: str, pos: int) -> None:
    def found(pattern: re.Pattern[str]) -> list[tuple[tuple[int, int], tuple[str | Any, ...]]]:
        return [(m.span(), m.groups()) for m in pattern.finditer(text, min(pos, len(text)))]

    assert found(CONTROL_CODE) == found(LOOKBEHIND_FORM)
