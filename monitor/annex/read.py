"""One annex file → its item rows, or a clear reason it gave none (pure: bytes in, values out).

The format is told by the file's first bytes (a server's Content-Type and the link's extension
are often wrong), the extension deciding only between the two OLE formats. Nothing a file
holds makes this raise: every failure is an `AnnexResult` with `error` set, so the notice is
still stored and alerted with what its text says.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from io import BytesIO
from urllib.parse import unquote, urlsplit

from monitor.annex.html import html_rows
from monitor.annex.limits import AnnexError, AnnexLimits, Deadline
from monitor.annex.office import docx_rows, xls_rows, xlsx_rows
from monitor.annex.pdf import pdf_rows
from monitor.annex.table import Row, items_from_rows
from monitor.extract.items import TEXT_SOURCE, items_from_text
from monitor.models import Item

log = logging.getLogger(__name__)

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXTENSIONS = (".pdf", ".docx", ".doc", ".xlsx", ".xls", ".html", ".htm", ".shtml", ".wps", ".et")
Reader = Callable[[bytes, AnnexLimits, Deadline], Iterator[Row]]


@dataclass(frozen=True)
class AnnexResult:
    items: tuple[Item, ...] = ()
    error: str | None = None  # "<reason>: <what happened>" when the file gave no items
    format: str | None = None


def annex_source(name: str, url: str) -> str:
    """The `source` of an annex's items: its link text as printed, with the file extension."""
    path = unquote(urlsplit(url).path)
    extension = ""
    dot = path.rfind(".")
    if dot > path.rfind("/") and path[dot:].lower() in _EXTENSIONS:
        extension = path[dot:].lower()
    label = name.strip() or path.rsplit("/", 1)[-1]
    return label if not extension or label.lower().endswith(extension) else f"{label}{extension}"


def read_annex(
    data: bytes, name: str, url: str, *, limits: AnnexLimits | None = None
) -> AnnexResult:
    """The item rows of one annex file; `error` says why when it could not be read."""
    limits = limits or AnnexLimits()
    fmt: str | None = None
    try:
        if len(data) > limits.max_bytes:
            raise AnnexError("too_large", f"{len(data)} bytes, more than {limits.max_bytes}")
        fmt = sniff(data, url)
        reader = _READERS[fmt]
        deadline = Deadline(limits.max_seconds)
        source = annex_source(name, url)
        lines: list[str] = []  # text outside tables, kept while the rows stream past
        rows = _keeping_lines(reader(data, limits, deadline), lines)
        items = items_from_rows(rows, source=source, limits=limits, deadline=deadline)
        if not items:
            # An annex printed as running text (No. 18 style lines) rather than a table.
            text = "\n".join(lines)
            items = tuple(replace(i, source=source) for i in items_from_text(text))
        return AnnexResult(items=items, format=fmt)
    except AnnexError as exc:
        return AnnexResult(error=str(exc), format=fmt)
    except Exception as exc:  # a parser's own failure on a damaged file, whatever its type
        log.info("annex %s: %s: %s", url, type(exc).__name__, exc)
        return AnnexResult(error=f"malformed: {type(exc).__name__}: {exc}"[:300], format=fmt)


def _keeping_lines(rows: Iterator[Row], lines: list[str]) -> Iterator[Row]:
    for row in rows:
        if len(row) == 1 and row[0]:
            lines.append(str(row[0]))
        yield row


def page_table_items(markup: str, *, limits: AnnexLimits | None = None) -> tuple[Item, ...]:
    """Item rows of tables printed in a notice page itself (source "text"); () when none or
    when the page cannot be read as a table (the page text is read by extract anyway)."""
    limits = limits or AnnexLimits()
    deadline = Deadline(limits.max_seconds)
    try:
        rows = html_rows(markup, limits, deadline)
        return items_from_rows(rows, source=TEXT_SOURCE, limits=limits, deadline=deadline)
    except AnnexError as exc:
        log.info("page tables not read: %s", exc)
        return ()


def sniff(data: bytes, url: str) -> str:
    head = data[:1024].lstrip()
    path = urlsplit(url).path.lower()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head.startswith(_OLE):
        if path.endswith((".xls", ".et")):
            return "xls"
        raise AnnexError(
            "legacy_doc",
            "unreadable: legacy .doc (Word 97-2003); no maintained pure-Python reader exists, "
            "so its items are not read",
        )
    lowered = head[:200].lower()
    if lowered.startswith((b"<!doctype", b"<html", b"<table", b"<?xml", b"<meta", b"<div")):
        return "html"
    raise AnnexError("unknown_format", f"not a PDF, Word, Excel or HTML file: {head[:8]!r}")


def _zip_kind(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(BytesIO(data)).namelist())
    except zipfile.BadZipFile as exc:
        raise AnnexError("malformed", f"a damaged or truncated ZIP container ({exc})") from exc
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise AnnexError("unknown_format", "a ZIP file that is neither DOCX nor XLSX")


def _html(data: bytes, limits: AnnexLimits, deadline: Deadline) -> Iterator[Row]:
    return html_rows(data, limits, deadline)


_READERS: dict[str, Reader] = {
    "pdf": pdf_rows,
    "docx": docx_rows,
    "xlsx": xlsx_rows,
    "xls": xls_rows,
    "html": _html,
}
