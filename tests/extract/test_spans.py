"""spans.py: the spans between separators, and which span holds a position."""

from __future__ import annotations

import re

from monitor.extract.spans import LineIndex, find_all, has_letter, lines_at, spans

SENTENCE_END = re.compile(r"[。;\n]")


def test_spans_between_separators_skip_empty_ones() -> None:
    text = "一、暂停实施。;二、本公告自公布之日起实施。"
    assert [text[a:b] for a, b in spans(text, SENTENCE_END)] == [
        "一、暂停实施",
        "二、本公告自公布之日起实施",
    ]


def test_spans_within_a_window() -> None:
    text = "甲。乙。丙。丁"
    assert [text[a:b] for a, b in spans(text, SENTENCE_END, 2, 5)] == ["乙", "丙"]


def test_line_index_finds_the_line_or_none_between_lines() -> None:
    lines = [(0, 4), (5, 9), (12, 15)]
    index = LineIndex(lines)
    assert [index.find(at) for at in (0, 3, 4, 5, 10, 14, 15)] == [0, 0, None, 1, None, 2, None]
    assert lines_at(lines, [13, 1, 2, 10]) == [(0, 4), (12, 15)]


def test_find_all_includes_overlaps_and_has_letter_either_case() -> None:
    assert list(find_all("号号号", "号号")) == [0, 1]
    assert has_letter("Effective", "f") and has_letter("EFFECT", "f")
    assert not has_letter("稀土", "f")
