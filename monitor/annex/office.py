"""Word and Excel annexes: DOCX (python-docx), XLSX (openpyxl, read-only), XLS (xlrd) (pure)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import openpyxl
import xlrd
from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from monitor.annex.limits import AnnexError, AnnexLimits, Deadline
from monitor.annex.table import Row


def docx_rows(data: bytes, limits: AnnexLimits, deadline: Deadline) -> Iterator[Row]:
    """Paragraphs as one-cell rows and table rows, in document order.

    python-docx repeats a merged cell's text in every row and column it covers; the first of
    a horizontal run is kept, so columns keep their header positions.
    """
    document = Document(io.BytesIO(data))
    for block in document.iter_inner_content():
        deadline.check()
        if isinstance(block, Paragraph):
            yield (block.text,)
            continue
        yield from _docx_table(block)


def _docx_table(table: Table) -> Iterator[Row]:
    for row in table.rows:
        cells: list[str | None] = []
        previous = None
        for cell in row.cells:
            cells.append(None if cell._tc is previous else cell.text)
            previous = cell._tc
        yield cells


def xlsx_rows(data: bytes, limits: AnnexLimits, deadline: Deadline) -> Iterator[Row]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if len(workbook.worksheets) > limits.max_pages:
            raise AnnexError("too_many_pages", f"more than {limits.max_pages} sheets")
        for sheet in workbook.worksheets:
            deadline.check()
            yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def xls_rows(data: bytes, limits: AnnexLimits, deadline: Deadline) -> Iterator[Row]:
    """Legacy Excel (BIFF); merged cells read as empty below their first row."""
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.XLRDError as exc:
        raise AnnexError("malformed", f"not a readable XLS workbook ({exc})") from exc
    if book.nsheets > limits.max_pages:
        raise AnnexError("too_many_pages", f"more than {limits.max_pages} sheets")
    for index in range(book.nsheets):
        deadline.check()
        sheet = book.sheet_by_index(index)
        for number in range(sheet.nrows):
            yield [None if v == "" else v for v in sheet.row_values(number)]
