"""Controlled items as data: item rows from a notice's text and from annex table cells (pure).

No. 18 prints its items inline, one per line:
`1C902.a 金属钐；钐钴…合金…。参考海关商品编号：2805301910、3824999922`, under headings such
as `（一）1C902 钐相关物项`; No. 57 writes `参考税则号列` with 8-digit lines, sometimes on the
line after the item. Annex tables give the same fields in columns (物项名称 / 管制编码 /
参考海关商品编号); `item_row` turns one such row into an `Item` the same way, so an item
reads the same whether it was printed in the text or in an annex.
"""

from __future__ import annotations

import re

from monitor.extract.folding import fold_text
from monitor.extract.vocab import (
    BY_ENGLISH,
    CONTROL_CODE,
    ELEMENTS,
    HS_CODE,
    HS_MARKER,
    PERIODIC_SYMBOLS,
    element_order,
)
from monitor.models import Item

TEXT_SOURCE = "text"

# A list marker before an item line: （一） (1) 1. 一、 第一部分
_LEAD = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十]+、|\d+[.、])?\s*"
)
_FORMULA = re.compile(r"(?<![A-Za-z0-9])((?:[A-Z][a-z]?\d*){2,})(?![A-Za-z])")
_SYMBOL = re.compile(r"[A-Z][a-z]?")
_WORD = re.compile(r"[a-z]+")
_LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]")
_QUALIFIED_NDFEB = re.compile(r"含[铽镝][^钕]{0,6}钕铁硼")
_RARE_EARTH = "稀土"
_CONTEXT_ONLY = ("La", "Ce")
_TRAILING = " \t。；;，,:："


def item_row(
    code: str,
    description: str,
    hs: str = "",
    *,
    source: str = TEXT_SOURCE,
    notes: str = "",
    part: str | None = None,
) -> Item | None:
    """One annex table row (cells as printed) as an `Item`; None for a row with no item.

    The control code is the first one in `code` (else at the start of `description`); HS
    codes are every 8- or 10-digit line in `hs` and those after an HS marker in
    `description`, which keeps the text before the marker only.
    """
    printed = _clean(description)
    marker = HS_MARKER.search(printed)
    hs_text = hs
    if marker is not None:
        hs_text = f"{hs} {printed[marker.end() :]}"
        printed = _clean(printed[: marker.start()])
    found = CONTROL_CODE.search(_folded(code))
    if found is None:
        lead = CONTROL_CODE.match(printed)
        if lead is not None:
            found = lead
            printed = _clean(printed[lead.end() :])
    if not printed and found is None:
        return None
    return Item(
        code=found.group(0) if found is not None else None,
        description=printed,
        hs_codes=hs_codes_in(hs_text),
        elements=item_elements(printed),
        source=source,
        notes=_clean(notes),
        part=part,
    )


def hs_codes_in(text: str) -> tuple[str, ...]:
    """Every 8- or 10-digit customs line in `text`, in order, once each."""
    return tuple(dict.fromkeys(m.group(1) for m in HS_CODE.finditer(_folded(text))))


def item_elements(description: str) -> tuple[str, ...]:
    """Rare-earth elements an item description names (any script, formulas, English names).

    Nd counts only where 钕铁硼 is not just the carrier of Tb/Dy (含铽的钕铁硼 is a Tb item);
    La and Ce only beside 稀土 or another rare-earth element. Characters are looked up in every
    script directly (long annexes have many rows: folding each one costs more than the rest).
    """
    found = {_BY_CHAR[c] for c in set(description) if c in _BY_CHAR}
    if "Nd" in found and "钕" not in _QUALIFIED_NDFEB.sub("", fold_text(description)):
        found.discard("Nd")
    if _LATIN.search(description):
        latin = _folded(description)
        for formula in _FORMULA.findall(latin):
            symbols = _SYMBOL.findall(formula)
            if all(s in PERIODIC_SYMBOLS for s in symbols):
                found.update(s for s in symbols if s in _RARE_EARTH_SYMBOLS)
        for word in _WORD.findall(latin.lower()):
            element = BY_ENGLISH.get(word)
            if element is not None:
                found.add(element.symbol)
    others = found.difference(_CONTEXT_ONLY)
    if not others and _RARE_EARTH not in description:
        found.difference_update(_CONTEXT_ONLY)
    return element_order(found)


_BY_CHAR = {char: e.symbol for e in ELEMENTS for char in (e.hans, e.hant, e.taiwan)}
_RARE_EARTH_SYMBOLS = frozenset(e.symbol for e in ELEMENTS)


def items_from_text(text: str) -> tuple[Item, ...]:
    """Item lines printed in a notice's text (No. 18 style), in order.

    A line that starts with a control code is an item; a heading whose code is the parent of
    later items (`（一）1C902 钐相关物项` before `1C902.a …`) is not. A line holding only an
    HS marker and codes adds them to the item above it.
    """
    rows: list[Item] = []
    for line in text.split("\n"):
        body = _LEAD.sub("", line, count=1)
        if CONTROL_CODE.match(body) is not None:
            item = item_row("", body)
            if item is not None and item.description:
                rows.append(item)
            continue
        marker = HS_MARKER.match(body.strip())
        if marker is not None and rows:
            extra = hs_codes_in(body[marker.end() :])
            last = rows[-1]
            rows[-1] = Item(
                code=last.code,
                description=last.description,
                hs_codes=tuple(dict.fromkeys((*last.hs_codes, *extra))),
                elements=last.elements,
                source=last.source,
            )
    return _without_headings(rows)


def _without_headings(rows: list[Item]) -> tuple[Item, ...]:
    codes = {row.code for row in rows if row.code is not None}
    return tuple(
        row
        for row in rows
        if row.code is None or row.hs_codes or not any(c.startswith(f"{row.code}.") for c in codes)
    )


def _folded(text: str) -> str:
    return text if text.isascii() else fold_text(text)  # codes are ASCII but in odd prints


def _clean(text: str) -> str:
    return " ".join(text.split()).strip(_TRAILING)
