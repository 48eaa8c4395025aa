"""HTML item tables: an annex saved as a web page, a table in the notice page, or the page of
an iframe inside it (pure)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from monitor.annex.limits import AnnexLimits, Deadline
from monitor.annex.table import Row

_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "table")
_MAX_SPAN = 1000


def html_rows(markup: str | bytes, limits: AnnexLimits, deadline: Deadline) -> Iterator[Row]:
    """Headings and paragraphs as one-cell rows, and the rows of every innermost table.

    Layout tables (a table holding tables) give nothing themselves; a cell spanning rows or
    columns reads as covered (None) where it is spanned, as a merged spreadsheet cell does.
    """
    soup = BeautifulSoup(markup, "lxml")
    for block in soup.find_all(_BLOCKS):
        deadline.check()
        if block.name != "table":
            if _inner(block.find_parent("table")):
                continue  # a paragraph inside an item table's cell
            yield (block.get_text(" ", strip=True),)
        elif _inner(block):
            yield from _table_rows(block)


def _inner(table: Tag | None) -> bool:
    return table is not None and table.find("table") is None


def _table_rows(table: Tag) -> Iterator[Row]:
    pending: dict[int, int] = {}  # column → rows it is still covered for
    for tr in table.find_all("tr"):
        cells: list[str | None] = []
        column = 0
        for td in tr.find_all(["td", "th"], recursive=False):
            while pending.get(column, 0) > 0:
                pending[column] -= 1
                cells.append(None)
                column += 1
            text = td.get_text("\n", strip=True)
            rowspan, colspan = _span(td.get("rowspan")), _span(td.get("colspan"))
            for offset in range(colspan):
                cells.append(text if offset == 0 else None)
                if rowspan > 1:
                    pending[column + offset] = rowspan - 1
            column += colspan
        while pending.get(column, 0) > 0:
            pending[column] -= 1
            cells.append(None)
            column += 1
        yield cells


def _span(value: object) -> int:
    try:
        return max(1, min(int(str(value)), _MAX_SPAN))
    except ValueError:
        return 1


def iframe_links(markup: str, page_url: str) -> list[tuple[str, str]]:
    """(absolute URL, name) of each iframe in the page: a table served in a frame; the name is
    the frame's title, else its file name."""
    soup = BeautifulSoup(markup, "lxml")
    found: dict[str, str] = {}
    for frame in soup.find_all("iframe"):
        src = frame.get("src")
        if not isinstance(src, str) or not src.strip() or src.startswith(("javascript:", "#")):
            continue
        url = urljoin(page_url, src.strip())
        title = frame.get("title")
        name = title.strip() if isinstance(title, str) and title.strip() else ""
        found.setdefault(url, name or unquote(urlsplit(url).path.rsplit("/", 1)[-1]))
    return list(found.items())
