"""Item tables → item rows, whatever file they came from (pure).

MOFCOM's annexes print one table per numbered part (第一部分 / 第二部分) with the columns
序号 / 物项名称 / 管制编码 / 参考海关商品编号 (sometimes 备注). Readers hand every table row
as a list of cell texts (None for the covered part of a merged cell) and every line of text
outside tables as a one-cell row, in reading order; this module finds the header, follows
the parts and joins the pieces a page break or a merged cell split.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from monitor.annex.limits import AnnexError, AnnexLimits, Deadline
from monitor.extract.folding import fold_text
from monitor.extract.items import hs_codes_in, item_row
from monitor.models import Item

Row = Sequence[str | None]

_PART = re.compile(r"^\s*(第[一二三四五六七八九十]+部分)")
# Header words per column, on folded text; the first column that matches wins.
_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("seq", ("序号", "编号顺序", "no.")),
    ("code", ("管制编码", "管制编号", "物项编码", "清单编码", "control code", "eccn")),
    ("hs", ("参考海关商品编号", "海关商品编号", "税则号列", "商品编号", "hs code", "hs")),
    ("description", ("物项名称", "物项描述", "名称", "描述", "description", "item")),
    ("notes", ("备注", "说明", "notes", "remarks")),
)


@dataclass(frozen=True)
class _Header:
    columns: dict[str, int]


def items_from_rows(
    rows: Iterable[Row], *, source: str, limits: AnnexLimits, deadline: Deadline
) -> tuple[Item, ...]:
    """The item rows of every item table among `rows` (header found per table)."""
    items: list[Item] = []
    header: _Header | None = None
    part: str | None = None
    code_above: str | None = None
    for count, row in enumerate(rows, start=1):
        if count > limits.max_rows:
            raise AnnexError("too_many_rows", f"more than {limits.max_rows} rows")
        if count % 256 == 0:
            deadline.check()
        cells = [_cell(c) for c in row]
        filled = [c for c in cells if c]
        if not filled:
            continue
        heading = _PART.match(filled[0])
        if heading is not None and len(filled) == 1:
            part, code_above = heading.group(1), None
            continue
        found = _header(cells)
        if found is not None:
            header = found  # a header repeated after a page break starts nothing new
            continue
        if header is None or (len(filled) == 1 and len(cells) == 1):
            continue  # text outside a table
        item, code_above = _row_item(
            row, cells, header=header, source=source, part=part, code_above=code_above, items=items
        )
        if item is not None:
            items.append(item)
    return tuple(items)


def _row_item(
    row: Row,
    cells: list[str],
    *,
    header: _Header,
    source: str,
    part: str | None,
    code_above: str | None,
    items: list[Item],
) -> tuple[Item | None, str | None]:
    def at(name: str) -> str:
        index = header.columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    def covered(name: str) -> bool:
        index = header.columns.get(name)
        return index is not None and index < len(row) and row[index] is None

    description, code, hs = at("description"), at("code"), at("hs")
    if not description and not code:
        if hs and not at("seq") and items:
            # The rest of a row the page break cut: more HS lines for the item above.
            last = items.pop()
            merged = tuple(dict.fromkeys((*last.hs_codes, *hs_codes_in(hs))))
            return replace(last, hs_codes=merged), code_above
        if not hs:
            return None, code_above  # a number or a note alone
    if not code and covered("code"):
        code = code_above or ""  # a code cell merged over several rows
    item = item_row(code, description, hs, source=source, notes=at("notes"), part=part)
    return item, (item.code if item is not None and item.code else code_above)


# Characters one of the header words holds (folded and raw): rows without any are data rows,
# which keeps the header search off the hot path of a long table.
_HEADER_HINT = re.compile(
    r"名称|名稱|编码|編碼|编号|編號|号列|號列|描述|序号|序號|(?i:description|code|hs|eccn|item)"
)


def _header(cells: list[str]) -> _Header | None:
    if not any(len(c) <= 16 and _HEADER_HINT.search(c) for c in cells if c):
        return None
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        word = fold_text(cell).lower().replace(" ", "")
        if not word or len(word) > 16:
            continue
        for name, labels in _COLUMNS:
            if name not in columns and any(label.replace(" ", "") in word for label in labels):
                columns[name] = index
                break
    if "description" in columns and ("code" in columns or "hs" in columns):
        return _Header(columns)
    return None


def _cell(value: object) -> str:
    """A cell's text on one line; a line wrapped inside Chinese text joins without a space."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets store HS codes as numbers
    text = ""
    for printed in str(value).splitlines():
        line = " ".join(printed.split())
        if not line:
            continue
        glue = "" if not text or not text[-1].isascii() else " "
        text = f"{text}{glue}{line}"
    return text
