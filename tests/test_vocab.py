"""vocab.py: the fold (per character, done once per notice) and the exactness of the cheap
gates the matchers put in front of their case-insensitive patterns."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor import vocab
from monitor.classify import assess, watch_matches
from monitor.config import Watch
from monitor.extract import extract_facts
from monitor.models import Verdict
from monitor.vocab import CONTROL_CODE, RARE_EARTH_KEYWORD_HINTS, fold, fold_char, fold_pair

# Characters that fold to themselves, to another one, to several (… → ..., ㈠ → (一)), and
# in a chain (薴 → 苧 → 苎), plus line breaks and 鈥.
TRICKY = "ab1 \n，。（）…㈠½ﬁ℃鎦薴苧苎鈥發國镧钕釹\u00ad\ufeff\u3000"


def reference_fold(text: str) -> tuple[str, list[int]]:
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = fold_char(char)
        pieces.append(folded)
        origin.extend([index] * len(folded))
    return "".join(pieces), origin


@settings(max_examples=300, deadline=None)
@given(head=st.text(alphabet=TRICKY, max_size=12), body=st.text(alphabet=TRICKY, max_size=80))
def test_fold_is_the_character_by_character_fold(head: str, body: str) -> None:
    for text, folded in ((body, fold(body)), (f"{head}\n{body}", fold_pair(head, body))):
        expected_text, expected_origin = reference_fold(text)
        assert folded.original == text
        assert folded.text == expected_text
        assert list(folded.origin) == expected_origin
        for start in range(len(expected_text)):
            end = min(len(expected_text), start + 3)
            assert (
                folded.printed(start, end)
                == text[expected_origin[start] : expected_origin[end - 1] + 1]
            )


def test_big_folds_are_remembered_and_small_ones_are_not() -> None:
    body = "第一条 出口經營者應當申報（1C902）。\n" * 100
    assert fold(body) is fold(body)
    assert fold("商務部") is not fold("商務部")


# ---------------------------------------------------------------------------------------
# Regression guard: one notice is folded once (extract, classify and every watch share it),
# and OpenCC is asked about a character at most once per process.


def notice_body() -> str:
    paragraph = (
        "第{n}條 出口經營者出口上述物項的，應當依照《中華人民共和國出口管制法》申請許可；"
        "涉及釤、釓、鋱、鏑（1C902至1C908）的，參考海關商品編號：2805301910。"
    )
    return "\n".join(paragraph.format(n=n) for n in range(1, 400))


@pytest.fixture
def fold_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    calls: list[str] = []
    real = vocab._fold

    def counting(text: str) -> vocab.Folded:
        calls.append(text)
        return real(text)

    vocab._remembered_fold.cache_clear()
    monkeypatch.setattr(vocab, "_fold", counting)
    yield calls
    vocab._remembered_fold.cache_clear()


def test_a_notice_body_is_folded_once(fold_calls: list[str]) -> None:
    title, text = "商務部公告2025年第70號 關於稀土相關物項的公告", notice_body()

    facts = extract_facts(title, text, language="zh-Hant")
    verdict = assess(title, text, facts)
    watch = Watch(keywords=("钕铁硼", "gallium"))
    watch_matches(watch, Verdict(relevant=True), [title, text])
    watch_matches(watch, verdict, [title, text])

    assert verdict.relevant and facts.elements == ("Sm", "Gd", "Tb", "Dy")
    # One fold of anything as long as the body: extract's (classify and the watches reuse it).
    assert [len(t) for t in fold_calls if len(t) >= len(text)] == [len(text)]


def test_opencc_is_asked_about_each_character_once(monkeypatch: pytest.MonkeyPatch) -> None:
    converted: list[str] = []
    real = vocab._converter()

    class Counting:
        def convert(self, text: str) -> Any:
            converted.append(text)
            return real.convert(text)

    fold_char.cache_clear()
    monkeypatch.setattr(vocab, "_converter", Counting)
    try:
        body = notice_body()
        fold(body)
        assert len(converted) == len(set(converted)) <= len({c for c in body if c >= "\x80"})
        converted.clear()
        vocab._remembered_fold.cache_clear()
        extract_facts("鋱", body[::-1])  # the same characters, another text
        assert converted == []
    finally:
        fold_char.cache_clear()  # drop what was folded through the counting converter
        vocab._remembered_fold.cache_clear()


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
