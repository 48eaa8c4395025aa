"""PDF annexes: pypdf checks the file and gives the text, pdfplumber the tables (pure)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pdfplumber
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from monitor.annex.limits import AnnexError, AnnexLimits, Deadline
from monitor.annex.table import Row

# pdfminer and pypdf report every odd glyph or trailer at WARNING; the annex result says
# what matters.
logging.getLogger("pdfminer").setLevel(logging.ERROR)
logging.getLogger("pypdf").setLevel(logging.ERROR)

_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def pdf_rows(data: bytes, limits: AnnexLimits, deadline: Deadline) -> Iterator[Row]:
    """Rows in reading order: each page's text lines outside tables, then its tables' rows."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        # Restrictions-only encryption (an owner password, no user password) opens with "".
        if reader.is_encrypted and not reader.decrypt(""):
            raise AnnexError("encrypted", "the PDF is encrypted with a password")
        pages = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise AnnexError("malformed", f"not a readable PDF ({exc})") from exc
    if pages > limits.max_pages:
        raise AnnexError("too_many_pages", f"{pages} pages, more than {limits.max_pages}")
    if pages == 0:
        raise AnnexError("malformed", "the PDF has no pages")
    text_seen = False
    with pdfplumber.open(io.BytesIO(data), password="") as pdf:
        for page in pdf.pages:
            deadline.check()
            tables = page.find_tables(_TABLE_SETTINGS)
            outside = page
            for table in tables:
                outside = outside.outside_bbox(table.bbox)
            lines = outside.extract_text_lines()
            text_seen = text_seen or bool(lines) or bool(tables)
            # Headings (第二部分) sit between tables: order lines and tables by their top.
            blocks: list[tuple[float, int, list[Row]]] = [
                (float(line["top"]), 0, [(str(line["text"]),)]) for line in lines
            ]
            blocks += [(float(t.bbox[1]), 1, list(t.extract())) for t in tables]
            for _, _, rows in sorted(blocks, key=lambda b: (b[0], b[1])):
                yield from rows
            page.flush_cache()
    if not text_seen:
        raise AnnexError("image_only", "no text layer: a scanned (image-only) PDF")
