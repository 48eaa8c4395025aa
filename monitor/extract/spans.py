"""Positions in a text (pure): the spans between separators, which span holds a position,
and the cheap hint scans that let a matcher skip lines without reading them.

Offsets are into the folded text (folding.fold), so a match can be printed back.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence


def spans(
    text: str, pattern: re.Pattern[str], start: int = 0, end: int | None = None
) -> list[tuple[int, int]]:
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    cursor = start
    for match in pattern.finditer(text, start, end):
        if match.start() > cursor:
            out.append((cursor, match.start()))
        cursor = match.end()
    if cursor < end:
        out.append((cursor, end))
    return out


class LineIndex:
    """Which of some sorted, disjoint (start, end) spans holds a position."""

    def __init__(self, lines: Sequence[tuple[int, int]]) -> None:
        self.lines = lines
        self._starts = [start for start, _ in lines]

    def find(self, at: int) -> int | None:
        index = bisect_right(self._starts, at) - 1
        return index if index >= 0 and at < self.lines[index][1] else None


def lines_at(lines: Sequence[tuple[int, int]], positions: Iterable[int]) -> list[tuple[int, int]]:
    """The `lines` (in order) holding one of `positions`.

    The positions are those of a hint: a cheap necessary condition of what is looked for
    in a line (a literal every match contains, never a line break), so lines without one
    can be skipped without reading them sentence by sentence.
    """
    index = LineIndex(lines)
    held = {line for at in positions if (line := index.find(at)) is not None}
    return [lines[i] for i in sorted(held)]


def find_all(text: str, literal: str) -> Iterator[int]:
    """Start of every occurrence of `literal` (overlapping ones too)."""
    at = text.find(literal)
    while at != -1:
        yield at
        at = text.find(literal, at + 1)


def matches_at(pattern: re.Pattern[str], text: str) -> Iterator[int]:
    return (match.start() for match in pattern.finditer(text))


def has_letter(text: str, letter: str) -> bool:
    """Whether an ASCII letter occurs in either case. Exact as a gate for IGNORECASE
    patterns only for letters without other case-insensitive equivalents (not i, k, s)."""
    return letter.lower() in text or letter.upper() in text
