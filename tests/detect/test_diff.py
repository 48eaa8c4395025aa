from __future__ import annotations

from monitor.detect.diff import content_hash, normalise, text_diff


def test_whitespace_and_blank_lines_do_not_change_the_hash() -> None:
    a = "商务部公告2025年第62号\n\n  一、对稀土相关技术实施出口管制。 \n"
    b = "商务部公告2025年第62号\n一、对稀土相关技术实施出口管制。"
    assert normalise(a) == normalise(b)
    assert content_hash("标题", a) == content_hash("标题 ", b)
    assert content_hash("标题", a) != content_hash("标题", b + "\n二、新增条款。")


def test_added_and_removed_paragraphs() -> None:
    old = "【发布文号】商务部公告2025年第70号\n一、暂停实施至2026年11月10日。\n二、本公告自公布之日起实施。"
    new = "【发布文号】商务部公告2025年第70号\n一、暂停实施至2027年11月10日。\n二、本公告自公布之日起实施。"
    diff = text_diff(old, new)
    assert diff.added == ("一、暂停实施至2027年11月10日。",)
    assert diff.removed == ("一、暂停实施至2026年11月10日。",)
    assert diff.patch.startswith("@@")
    assert not diff.major_rewrite


def test_identical_texts_give_an_empty_diff() -> None:
    diff = text_diff("甲\n乙", "甲\n乙")
    assert diff.added == () and diff.removed == ()


def test_time_budget_falls_back_to_a_line_diff() -> None:
    old = "\n".join(f"第{i}段 旧文字 {i * 7}" for i in range(400))
    new = "\n".join(f"第{i}段 新文字 {i * 11}" for i in range(400))
    diff = text_diff(old, new, timeout_s=0.000001)
    assert diff.major_rewrite
    assert len(diff.added) == 200 and len(diff.removed) == 200


def test_line_diff_fallback_keeps_paragraphs_that_stayed() -> None:
    kept = "二、本公告自公布之日起实施。"
    old = "\n".join(
        [f"第{i}段 旧文字 {i * 7}" for i in range(90)]
        + [kept]
        + [f"第{i}段 旧内容 {i * 13}" for i in range(90)]
    )
    new = "\n".join(
        [f"第{i}段 新文字 {i * 11}" for i in range(90)]
        + [kept]
        + [f"第{i}段 新内容 {i * 17}" for i in range(90)]
    )
    diff = text_diff(old, new, timeout_s=0.000001)
    assert diff.major_rewrite
    assert len(diff.added) == len(diff.removed) == 180
    assert kept not in diff.added and kept not in diff.removed
