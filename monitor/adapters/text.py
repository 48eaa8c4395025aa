"""HTML → text, shared by the adapters.

Text form used everywhere downstream (diff, extract, alerts): ONE PARAGRAPH PER LINE.
Block elements end a line, `<br>` ends a line, table cells of one row are joined by
" | ", whitespace inside a line collapses to one space, lines are stripped, empty lines
dropped, zero-width characters removed, and the result is NFC.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

from bs4 import BeautifulSoup
from bs4.element import (
    CData,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)

from monitor.extract.folding import t2s

BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd",
        "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
        "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "legend", "li",
        "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot",
        "thead", "tr", "ul",
    }
)  # fmt: skip
CELL_TAGS = frozenset({"td", "th"})
SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "iframe", "object", "svg"}
)
_SKIPPED_STRINGS = (Comment, CData, Declaration, Doctype, ProcessingInstruction)

CELL_SEP = "\x1f"  # marks a cell boundary until lines are assembled
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def normalise_line(line: str) -> str:
    """One line: zero-width characters out, whitespace collapsed, stripped, NFC."""
    return _collapse(_ZERO_WIDTH.sub("", line))


def normalise_text(text: str) -> str:
    """Plain text → one paragraph per line (existing line breaks are paragraph breaks)."""
    lines = (normalise_line(part) for part in text.splitlines())
    return "\n".join(line for line in lines if line)


def node_text(node: Tag) -> str:
    """The normalised text of an element and everything under it."""
    pieces: list[str] = []
    walk_layout(node, pieces, _soup_text, Tag)
    return text_from_pieces(pieces)


def text_from_pieces(pieces: list[str]) -> str:
    """Text walked out of a tree ("\\n" ends a line, CELL_SEP bounds a cell) → lines."""
    # normalise_line per cell, with zero-width characters taken out of the whole text at
    # once (they are neither line breaks nor cell marks, so that is the same).
    lines: list[str] = []
    for raw in _ZERO_WIDTH.sub("", "".join(pieces)).split("\n"):
        if not raw:
            continue
        cells = [_collapse(cell) for cell in raw.split(CELL_SEP)]
        line = " | ".join(cell for cell in cells if cell)
        if line:
            lines.append(line)
    return "\n".join(lines)


def _collapse(cell: str) -> str:
    # str.split() splits on exactly what \s matches: runs collapse, the ends go.
    return unicodedata.normalize("NFC", " ".join(cell.split()))


def html_to_text(markup: str) -> str:
    """An HTML fragment or document → normalised text (never raises on odd markup)."""
    if not markup or "<" not in markup:
        return normalise_text(markup or "")
    soup = BeautifulSoup(markup, "lxml")
    return node_text(soup)


def walk_layout(
    node: Any, out: list[str], text_of: Callable[[Any], str | None], element: type[Any]
) -> None:
    """Write a tree's text in document order to `out`: "\n" ends a block, CELL_SEP bounds
    a cell. `text_of(child)` is a text node's text (None for anything else); children that
    are instances of `element` are walked. Serves BeautifulSoup trees and html_tree's."""
    # An explicit stack, not recursion: a hostile page nests thousands of unclosed tags.
    # Each frame is (the children still to walk, what to write when they are done).
    stack: list[tuple[Iterator[Any], str]] = [(iter(node.children), "")]
    while stack:
        children, closing = stack[-1]
        for child in children:
            text = text_of(child)
            if text is not None:
                # Source line breaks inside a text node are just whitespace in HTML.
                out.append(text.replace("\n", " ").replace("\r", " "))
                continue
            if not isinstance(child, element):
                continue
            name = child.name
            if name in SKIPPED_TAGS:
                continue
            if name == "br":
                out.append("\n")
                continue
            if name in CELL_TAGS:
                out.append(CELL_SEP)
                stack.append((iter(child.children), CELL_SEP))
                break
            block = "\n" if name in BLOCK_TAGS else ""
            out.append(block)
            stack.append((iter(child.children), block))
            break
        else:
            stack.pop()
            out.append(closing)


def _soup_text(child: Any) -> str | None:
    if isinstance(child, NavigableString) and not isinstance(child, _SKIPPED_STRINGS):
        return str(child)
    return None


# ---------------------------------------------------------------------------------------
# Script of a text: en / zh-Hans / zh-Hant.

_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile("[A-Za-z]")


def guess_language(text: str) -> str:
    """`en` unless CJK characters carry the text (one counts as three Latin letters); then
    `zh-Hant` when OpenCC's t2s changes a noticeable share of them (發 鏑 國), else
    `zh-Hans`."""
    cjk = _CJK.findall(text)
    if len(cjk) < 2 or len(cjk) * 3 < len(_LATIN.findall(text)):
        return "en"
    sample = "".join(cjk[:4000])
    simplified = t2s(sample)
    changed = sum(1 for a, b in zip(sample, simplified, strict=False) if a != b)
    return "zh-Hant" if changed >= 2 and changed * 50 >= len(sample) else "zh-Hans"
