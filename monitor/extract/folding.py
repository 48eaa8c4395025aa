"""The script fold every matcher works on (pure): NFKC, then OpenCC t2s, character by
character, so 简体, 繁體, Taiwan and full-width forms meet; `Folded.printed` maps a match
on the folded text back to the characters as printed.

Folds of big texts are remembered, so a notice's body is folded once for extract, classify
and every keyword watch.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, overload

import opencc

from monitor.extract.spans import find_all

# Taiwan writes lutetium 鎦, which t2s turns into 镏 (an unrelated character in 简体).
_PRE_FOLD = {"鎦": "镥"}
# A notice's body is folded by extract, classify and every keyword watch: remember the
# last few big folds (keyed by the text) so each notice is folded once.
_REMEMBERED_FOLDS = 8
_REMEMBER_FROM = 512  # characters; shorter texts fold faster than they are worth keeping
# Up to this many distinct changed characters, str.replace beats str.translate.
_FEW_CHANGES = 32


# Pinyin glosses mirror sites print after characters (商务(wù)部, 号（hào）): a bracket
# right after a 汉字 holding up to four syllables, one of them tone-marked.
_PINYIN = re.compile(
    r"(?<=[\u4e00-\u9fff])[ \t]*[(（](?=[^()（）]{0,30}[\u00e0-\u01dc])"
    r"(?:[a-zü\u00e0-\u01dc]{1,6}[ \t]?){1,4}[)）]"
)


def without_pinyin(text: str) -> str:
    """`text` with pinyin glosses taken out (read as if the mirror had not printed them)."""
    return _PINYIN.sub("", text) if "(" in text or "（" in text else text


@cache
def _converter() -> Any:
    return opencc.OpenCC("t2s")  # loads its dictionaries: done once, when first asked


def t2s(text: str) -> str:
    """OpenCC t2s of a whole text (phrases too), without NFKC; for telling scripts apart."""
    return str(_converter().convert(text))


@cache
def fold_char(char: str) -> str:
    if char < "\u0080":
        return char
    if char in _PRE_FOLD:
        return _PRE_FOLD[char]
    normal = unicodedata.normalize("NFKC", char)
    if all(c < "\u0080" for c in normal):
        return normal
    return str(_converter().convert(normal))


class Origin(Sequence[int]):
    """For each folded character, the index of the printed one, stored as runs: a run
    either advances with the folded text (step 1) or repeats one printed index (step 0,
    a character NFKC expands, such as … → ...)."""

    __slots__ = ("_length", "_sources", "_starts", "_steps")

    def __init__(self, starts: list[int], sources: list[int], steps: list[int], length: int):
        self._starts, self._sources, self._steps, self._length = starts, sources, steps, length

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[int, ...]: ...

    def __getitem__(self, index: int | slice) -> int | tuple[int, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(self._length)))
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("origin index out of range")
        run = bisect_right(self._starts, index) - 1
        return self._sources[run] + (index - self._starts[run]) * self._steps[run]

    def runs(self) -> Iterator[tuple[int, int, int]]:
        """(folded start, printed index there, step) of each run."""
        return zip(self._starts, self._sources, self._steps, strict=True)


@dataclass(frozen=True)
class Folded:
    """Folded text with, for each of its characters, the index of the printed one.

    `origin` is a `range` when every character folds to exactly one (the usual case)."""

    original: str
    text: str
    origin: Sequence[int]

    def printed(self, start: int, end: int) -> str:
        """The printed characters behind folded `text[start:end]`."""
        if start >= end:
            return ""
        return self.original[self.origin[start] : self.origin[end - 1] + 1]

    def printed_char(self, index: int) -> str:
        return self.original[self.origin[index]]

    @property
    def one_to_one(self) -> bool:
        """Whether folded index i is printed index i throughout."""
        return isinstance(self.origin, range)


def fold(text: str) -> Folded:
    """NFKC, then OpenCC t2s, character by character (so offsets map back to the print)."""
    if len(text) >= _REMEMBER_FROM:
        return _remembered_fold(text)
    return _fold(text)


def fold_pair(head: str, body: str) -> Folded:
    """`fold(head + "\\n" + body)`, reusing the remembered fold of a big `body`."""
    first, second = fold(head), fold(body)
    original = f"{head}\n{body}"
    text = f"{first.text}\n{second.text}"
    if first.one_to_one and second.one_to_one:
        return Folded(original, text, range(len(text)))
    runs = _Runs()
    runs.extend(first.origin, at=0, shift=0)
    runs.add(len(first.text), len(head), 1)
    runs.extend(second.origin, at=len(first.text) + 1, shift=len(head) + 1)
    return Folded(original, text, runs.origin(len(text)))


def fold_text(text: str) -> str:
    return fold(text).text


@lru_cache(maxsize=_REMEMBERED_FOLDS)
def _remembered_fold(text: str) -> Folded:
    return _fold(text)


def _fold(text: str) -> Folded:
    # Folding is per character, so each distinct character is folded once (fold_char
    # remembers it across texts) and the text is rewritten in one pass.
    changed: dict[str, str] = {}
    for char in set(text):
        if char >= "\u0080":
            folded = fold_char(char)
            if folded != char:
                changed[char] = folded
    if not changed:
        return Folded(text, text, range(len(text)))
    folded_text = _replace_all(text, changed)
    if all(len(f) == 1 for f in changed.values()):
        return Folded(text, folded_text, range(len(text)))
    return Folded(text, folded_text, _expanded_origin(text, changed, len(folded_text)))


def _replace_all(text: str, changed: dict[str, str]) -> str:
    chained = any(c in changed for f in changed.values() for c in f)  # 薴 → 苧 → 苎
    if len(changed) > _FEW_CHANGES or chained:
        return text.translate({ord(c): f for c, f in changed.items()})
    for char, folded in changed.items():
        text = text.replace(char, folded)
    return text


def _expanded_origin(text: str, changed: dict[str, str], length: int) -> Origin:
    uneven = sorted(i for c, f in changed.items() if len(f) != 1 for i in find_all(text, c))
    runs = _Runs()
    at = printed = 0  # folded and printed index where the next run starts
    for index in uneven:
        if index > printed:
            runs.add(at, printed, 1)
            at += index - printed
        # No character folds to nothing; were one to, its empty run would be shadowed.
        runs.add(at, index, 0)
        at += len(changed[text[index]])
        printed = index + 1
    if printed < len(text):
        runs.add(at, printed, 1)
    return runs.origin(length)


class _Runs:
    def __init__(self) -> None:
        self.starts: list[int] = []
        self.sources: list[int] = []
        self.steps: list[int] = []

    def add(self, at: int, source: int, step: int) -> None:
        self.starts.append(at)
        self.sources.append(source)
        self.steps.append(step)

    def extend(self, origin: Sequence[int], *, at: int, shift: int) -> None:
        if isinstance(origin, Origin):
            for start, source, step in origin.runs():
                self.add(start + at, source + shift, step)
        elif len(origin):
            self.add(at, origin[0] + shift, 1)

    def origin(self, length: int) -> Origin:
        return Origin(self.starts, self.sources, self.steps, length)
