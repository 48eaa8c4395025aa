"""Text diffs between two versions of a notice (pure).

Texts are one paragraph per line. diff-match-patch runs in line mode first (each
paragraph becomes one token), bounded by a time budget; when the budget runs out the
result falls back to a plain line diff and is flagged as a major rewrite.
"""

from __future__ import annotations

import difflib
import hashlib
import re

from diff_match_patch import diff_match_patch

from monitor.models import TextDiff

_SPACE = re.compile(r"[ \t\u3000\xa0]+")
MAX_PASSAGES = 200


def normalise(text: str) -> str:
    """The text a revision is judged on: whitespace inside lines folded, empty lines gone."""
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def content_hash(title: str, text: str) -> str:
    payload = normalise(title) + "\n\n" + normalise(text)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def text_diff(old: str, new: str, *, timeout_s: float = 2.0) -> TextDiff:
    """Added and removed passages plus a diff-match-patch patch (line granularity)."""
    old_n, new_n = normalise(old), normalise(new)
    dmp = diff_match_patch()
    dmp.Diff_Timeout = timeout_s
    chars_old, chars_new, lines = dmp.diff_linesToChars(old_n + "\n", new_n + "\n")
    diffs = dmp.diff_main(chars_old, chars_new, False)
    budget_hit = _timed_out(diffs, chars_old, chars_new)
    if budget_hit:
        added, removed = _line_diff(old_n, new_n)
        return TextDiff(added=added, removed=removed, patch="", major_rewrite=True)
    dmp.diff_charsToLines(diffs, lines)
    dmp.diff_cleanupSemantic(diffs)
    added_list: list[str] = []
    removed_list: list[str] = []
    for op, chunk in diffs:
        passages = [line for line in chunk.split("\n") if line.strip()]
        if op == dmp.DIFF_INSERT:
            added_list.extend(passages)
        elif op == dmp.DIFF_DELETE:
            removed_list.extend(passages)
    patch = dmp.patch_toText(dmp.patch_make(old_n + "\n", diffs))
    return TextDiff(
        added=tuple(added_list[:MAX_PASSAGES]),
        removed=tuple(removed_list[:MAX_PASSAGES]),
        patch=patch,
    )


def _timed_out(diffs: list[tuple[int, str]], chars_old: str, chars_new: str) -> bool:
    # diff_main returns a crude whole-delete + whole-insert pair when its deadline passed;
    # a genuine total rewrite looks the same and is equally worth the "major" flag.
    return (
        len(diffs) == 2
        and {op for op, _ in diffs} == {-1, 1}
        and len(chars_old) > 50
        and len(chars_new) > 50
    )


def _line_diff(old: str, new: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    added: list[str] = []
    removed: list[str] = []
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            removed.extend(old_lines[i1:i2])
        if tag in ("replace", "insert"):
            added.extend(new_lines[j1:j2])
    return tuple(added[:MAX_PASSAGES]), tuple(removed[:MAX_PASSAGES])
