"""folding.py: the fold is per character, maps every folded character back to the printed
one, and is done once per notice (OpenCC asked about a character at most once)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from monitor.config import Watch
from monitor.detect.classify import assess, watch_matches
from monitor.extract import folding
from monitor.extract.facts import extract_facts
from monitor.extract.folding import fold, fold_char, fold_pair, t2s
from monitor.models import Verdict

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


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=TRICKY, min_size=1, max_size=40))
@example(text="商務部…第㈠項")  # uneven: an Origin, not a range
def test_origin_is_a_sequence_like_the_list_it_stands_for(text: str) -> None:
    folded = fold(text)
    _, expected = reference_fold(text)
    n = len(expected)
    assert [folded.origin[i - n] for i in range(n)] == expected  # negative indices
    assert list(folded.origin[1:-1:2]) == expected[1:-1:2]
    assert list(folded.origin[::-1]) == expected[::-1]
    with pytest.raises(IndexError):
        folded.origin[n]
    assert folded.printed(n // 2, n // 2) == ""  # an empty span prints nothing


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
    real = folding._fold

    def counting(text: str) -> folding.Folded:
        calls.append(text)
        return real(text)

    folding._remembered_fold.cache_clear()
    monkeypatch.setattr(folding, "_fold", counting)
    yield calls
    folding._remembered_fold.cache_clear()


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
    real = folding._converter()

    class Counting:
        def convert(self, text: str) -> Any:
            converted.append(text)
            return real.convert(text)

    fold_char.cache_clear()
    monkeypatch.setattr(folding, "_converter", Counting)
    try:
        body = notice_body()
        fold(body)
        assert len(converted) == len(set(converted)) <= len({c for c in body if c >= "\x80"})
        converted.clear()
        folding._remembered_fold.cache_clear()
        extract_facts("鋱", body[::-1])  # the same characters, another text
        assert converted == []
    finally:
        fold_char.cache_clear()  # drop what was folded through the counting converter
        folding._remembered_fold.cache_clear()


def test_t2s_converts_a_whole_text_and_leaves_width_alone() -> None:
    assert t2s("商務部公告２０２５年第６２號") == "商务部公告２０２５年第６２号"
    assert t2s("稀土 rare earth") == "稀土 rare earth"
    # The fold agrees with it character by character, and adds NFKC.
    assert fold("商務部公告２０２５年第６２號").text == "商务部公告2025年第62号"


def test_pinyin_glosses_are_taken_out_and_nothing_else() -> None:
    from monitor.extract.folding import without_pinyin

    assert without_pinyin("商务(wù)部公告第61号（hào）") == "商务部公告第61号"
    assert without_pinyin("物项(a)和 NdFeB (magnets)") == "物项(a)和 NdFeB (magnets)"
    assert without_pinyin("no brackets") == "no brackets"
