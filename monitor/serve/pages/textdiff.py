"""Side-by-side diff of two versions of a notice, changed text marked word by word (pure).

Paragraphs are aligned first (diff-match-patch in line mode, cheap even for a megabyte of
text); only the paragraphs that changed are compared again, token by token, where a token is
a Latin word or number, a run of spaces, or a single other character, so Chinese is marked
in character runs and English in whole words. Unchanged stretches collapse to a count with
a little context around each change, so a small edit in a long notice stays a short page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from diff_match_patch import diff_match_patch

CONTEXT = 1  # unchanged paragraphs shown on each side of a change
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.'’\-/][A-Za-z0-9]+)*|\s+|.", re.S)
_TIMEOUT_S = 2.0


class Mark(StrEnum):
    SAME = "same"
    REMOVED = "removed"
    ADDED = "added"


@dataclass(frozen=True)
class Segment:
    mark: Mark
    text: str


@dataclass(frozen=True)
class DiffRow:
    """One aligned pair of paragraphs, or a gap of `skipped` unchanged ones."""

    left: tuple[Segment, ...] = ()
    right: tuple[Segment, ...] = ()
    changed: bool = False
    skipped: int = 0
    left_line: int | None = None  # 1-based paragraph numbers
    right_line: int | None = None


@dataclass(frozen=True)
class SideBySide:
    rows: tuple[DiffRow, ...]
    added: int  # paragraphs with added text
    removed: int  # paragraphs with removed text

    @property
    def identical(self) -> bool:
        return not any(row.changed for row in self.rows)


def _dmp() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = _TIMEOUT_S
    return dmp


def _paragraph_blocks(old: str, new: str) -> list[tuple[int, list[str]]]:
    dmp = _dmp()
    chars_old, chars_new, lines = dmp.diff_linesToChars(old + "\n", new + "\n")
    diffs = dmp.diff_main(chars_old, chars_new, False)
    dmp.diff_charsToLines(diffs, lines)
    return [(op, text.split("\n")[:-1]) for op, text in diffs]


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """`old` and `new` as segments, with what only one of them has marked."""
    table: dict[str, str] = {}

    def encode(text: str) -> str:
        return "".join(table.setdefault(tok, chr(len(table) + 1)) for tok in tokens(text))

    encoded_old, encoded_new = encode(old), encode(new)
    back = {code: tok for tok, code in table.items()}
    dmp = _dmp()
    diffs = dmp.diff_main(encoded_old, encoded_new, False)
    dmp.diff_cleanupSemantic(diffs)
    left: list[Segment] = []
    right: list[Segment] = []
    for op, chunk in diffs:
        text = "".join(back[code] for code in chunk)
        if op == dmp.DIFF_EQUAL:
            left.append(Segment(Mark.SAME, text))
            right.append(Segment(Mark.SAME, text))
        elif op == dmp.DIFF_DELETE:
            left.append(Segment(Mark.REMOVED, text))
        else:
            right.append(Segment(Mark.ADDED, text))
    return tuple(left), tuple(right)


def side_by_side(old: str, new: str, *, context: int = CONTEXT) -> SideBySide:
    """The rows of a side-by-side view of `old` → `new`."""
    rows: list[DiffRow] = []
    added = removed = 0
    left_no = right_no = 0
    blocks = _paragraph_blocks(old, new)
    index = 0
    while index < len(blocks):
        op, lines = blocks[index]
        if op == 0:
            head = 0 if index == 0 else context  # no context before the first change
            tail = 0 if index == len(blocks) - 1 else context
            rows.extend(_unchanged(lines, (left_no, right_no), head, tail))
            left_no += len(lines)
            right_no += len(lines)
            index += 1
            continue
        gone: list[str] = []
        came: list[str] = []
        while index < len(blocks) and blocks[index][0] != 0:
            (gone if blocks[index][0] < 0 else came).extend(blocks[index][1])
            index += 1
        for k in range(max(len(gone), len(came))):
            before = gone[k] if k < len(gone) else None
            after = came[k] if k < len(came) else None
            rows.append(_changed(before, after, left_no + k + 1, right_no + k + 1))
            added += after is not None
            removed += before is not None
        left_no += len(gone)
        right_no += len(came)
    return SideBySide(tuple(rows), added, removed)


def _changed(before: str | None, after: str | None, left_no: int, right_no: int) -> DiffRow:
    if before is not None and after is not None:
        left, right = word_diff(before, after)
        return DiffRow(left, right, True, left_line=left_no, right_line=right_no)
    if before is not None:
        return DiffRow(left=(Segment(Mark.REMOVED, before),), changed=True, left_line=left_no)
    return DiffRow(right=(Segment(Mark.ADDED, after or ""),), changed=True, right_line=right_no)


def _unchanged(lines: list[str], numbers: tuple[int, int], head: int, tail: int) -> list[DiffRow]:
    """`head` context rows after a change, `tail` before the next, a gap for the rest."""
    left_no, right_no = numbers
    head = min(head, len(lines))
    tail = min(tail, len(lines) - head)
    rows = [_same(lines[i], left_no + i + 1, right_no + i + 1) for i in range(head)]
    skipped = len(lines) - head - tail
    if skipped:
        rows.append(DiffRow(skipped=skipped))
    start = len(lines) - tail
    rows += [_same(lines[i], left_no + i + 1, right_no + i + 1) for i in range(start, len(lines))]
    return rows


def _same(line: str, left_no: int, right_no: int) -> DiffRow:
    segment = (Segment(Mark.SAME, line),)
    return DiffRow(segment, segment, left_line=left_no, right_line=right_no)
