"""Side-by-side diffs: paragraphs aligned, Chinese marked in character runs, English in words."""

from __future__ import annotations

from monitor.serve.pages.textdiff import Mark, Segment, side_by_side, tokens, word_diff


def marked(segments: tuple[Segment, ...], mark: Mark) -> list[str]:
    return [s.text for s in segments if s.mark is mark]


def test_tokens_keep_words_whole_and_split_chinese_into_characters() -> None:
    assert tokens("1C902.a 钐钴") == ["1C902.a", " ", "钐", "钴"]
    assert tokens("Announcement No. 61") == ["Announcement", " ", "No", ".", " ", "61"]


def test_chinese_changes_are_character_runs() -> None:
    left, right = word_diff("本公告自2025年12月1日起实施。", "本公告自2025年11月8日起实施。")
    assert marked(left, Mark.REMOVED) == ["12月1"]
    assert marked(right, Mark.ADDED) == ["11月8"]
    assert "".join(s.text for s in left) == "本公告自2025年12月1日起实施。"
    assert "".join(s.text for s in right) == "本公告自2025年11月8日起实施。"


def test_english_changes_are_whole_words() -> None:
    left, right = word_diff(
        "The export of samarium metal is controlled.",
        "The export of samarium and dysprosium metal is controlled.",
    )
    assert marked(left, Mark.REMOVED) == []
    assert marked(right, Mark.ADDED) == ["and dysprosium "]


def test_paragraphs_align_and_unchanged_runs_collapse() -> None:
    common = [f"第{n}条 保持不变的条款。" for n in range(1, 21)]
    old = "\n".join([*common[:10], "对钐、钆、铽实施出口管制。", *common[10:], "旧的附则。"])
    new = "\n".join([*common[:10], "对钐、钆、铽、镝实施出口管制。", *common[10:], "新增段落。"])
    diff = side_by_side(old, new, context=1)
    changed = [row for row in diff.rows if row.changed]
    assert len(changed) == 2
    assert marked(changed[0].right, Mark.ADDED) == ["、镝"]
    assert changed[0].left_line == 11 and changed[0].right_line == 11
    gaps = [row.skipped for row in diff.rows if row.skipped]
    assert gaps == [9, 8]  # 10 before (minus 1 context), 10 between (minus 1 on each side)
    assert (diff.added, diff.removed) == (2, 2)
    assert not diff.identical


def test_added_and_removed_paragraphs_stand_alone() -> None:
    diff = side_by_side("第一条\n第二条", "第一条\n第二条\n第三条\n第四条")
    extra = [row for row in diff.rows if row.changed]
    assert [marked(r.right, Mark.ADDED) for r in extra] == [["第三条"], ["第四条"]]
    assert all(r.left == () and r.left_line is None for r in extra)
    gone = [row for row in side_by_side("甲\n乙", "甲").rows if row.changed]
    assert [marked(r.left, Mark.REMOVED) for r in gone] == [["乙"]]
    assert gone[0].right_line is None


def test_the_same_text_is_identical() -> None:
    diff = side_by_side("第一条\n第二条", "第一条\n第二条")
    assert diff.identical and (diff.added, diff.removed) == (0, 0)
