"""Annex files made by the tests, laid out as MOFCOM's annexes are.

Numbered parts (第一部分 / 第二部分), one item table per part with the columns 序号 / 物项名称 /
管制编码 / 参考海关商品编号, control-code cells merged over the rows of one entry, a table
running across page breaks (the header repeated), and optionally a row the page break cuts.

PDFs come from a small writer here rather than fpdf2: fpdf2 needs a CJK TrueType font to
write Chinese and this machine has none; the writer uses a non-embedded CID font with a
ToUnicode map (what text extraction reads), so no font file is needed. DOCX and XLSX come
from python-docx and openpyxl.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

HEADER = ("序号", "物项名称", "管制编码", "参考海关商品编号")


@dataclass(frozen=True)
class Row:
    code: str
    description: str
    hs_codes: tuple[str, ...]


@dataclass(frozen=True)
class Part:
    title: str  # 第一部分 稀土金属、合金及制品
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Annex:
    title: str
    parts: tuple[Part, ...]
    notes: tuple[str, ...] = field(default=())


def no61_annex() -> Annex:
    """An annex in the shape of No. 61's Annex 1 (our own wording of its two parts)."""
    part_one = (
        Row("1C902.a", "金属钐；钐钴、钐铁合金；钐靶材", ("2805301910", "3824999922")),
        Row("1C902.b", "氧化钐及其混合物", ("2846901940", "2846901993")),
        Row("1C904.a", "金属铽；铽铁合金；铽钴靶材", ("2805301300",)),
        Row("1C904.b", "氧化铽及其混合物", ("2846901993",)),
        Row("1C905.a", "金属镝；镝铁合金；铽镝铁合金", ("2805301200",)),
        Row("1C905.b", "氧化镝及其混合物", ("2846901993",)),
    )
    part_two = (
        Row("1C902.a", "钐钴永磁材料及其制品", ("8505111000",)),
        Row("1C904.a", "含铽的钕铁硼永磁材料", ("8505111000",)),
        Row("1C904.a", "含铽的钕铁硼永磁材料的零部件", ("85051190", "8505111000")),
        Row("1C905.a", "含镝的钕铁硼永磁材料及其零部件", ("8505111000",)),
    )
    return Annex(
        title="附件1 稀土相关物项清单",
        parts=(
            Part("第一部分 稀土金属、合金、氧化物", part_one),
            Part("第二部分 稀土永磁材料及其零部件", part_two),
        ),
    )


def numbered(annex: Annex) -> list[tuple[str, list[tuple[int, Row]]]]:
    out = []
    for part in annex.parts:
        out.append((part.title, list(enumerate(part.rows, start=1))))
    return out


def many_rows(count: int) -> Annex:
    """A long annex (benchmarks, page breaks): `count` rows over two parts."""
    rows = []
    for n in range(count):
        element = ("钐", "钆", "铽", "镝", "镥", "钪", "钇")[n % 7]
        code = f"1C9{2 + n % 7:02d}.{'abc'[n % 3]}"
        hs = (f"28{46900000 + n:08d}", "3824999922")
        rows.append(Row(code, f"含{element}的化合物及其混合物（第{n + 1}类）", hs))
    half = count // 2
    return Annex(
        title="附件 两用物项清单",
        parts=(
            Part("第一部分 材料", tuple(rows[:half])),
            Part("第二部分 制品", tuple(rows[half:])),
        ),
    )


# ---------------------------------------------------------------------------------- PDF

_WIDTHS = (40.0, 230.0, 80.0, 140.0)
_LEFT, _TOP, _BOTTOM, _PAGE_W, _PAGE_H = 50.0, 790.0, 60.0, 595.0, 842.0
_SIZE = 9.0
_LEADING = 12.0


class PdfWriter:
    """Pages of text and lines; text in a CID font whose CIDs are the characters' code points."""

    def __init__(self) -> None:
        self.pages: list[list[str]] = []

    def new_page(self) -> None:
        self.pages.append([])

    def text(self, x: float, y: float, text: str, size: float = _SIZE) -> None:
        hexed = "".join(f"{ord(c):04X}" for c in text)
        self.pages[-1].append(f"BT /F1 {size:g} Tf {x:.2f} {y:.2f} Td <{hexed}> Tj ET")

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self.pages[-1].append(f"{x1:.2f} {y1:.2f} m {x2:.2f} {y2:.2f} l S")

    def build(self) -> bytes:
        objects: list[bytes] = []

        def add(body: bytes) -> int:
            objects.append(body)
            return len(objects)

        catalog = add(b"")  # filled below
        pages_id = add(b"")
        cmap = _identity_cmap()
        to_unicode = add(_stream(cmap))
        descriptor = add(
            b"<< /Type /FontDescriptor /FontName /AnnexSong /Flags 4 /FontBBox [0 -200 1000 900]"
            b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>"
        )
        cid_font = add(
            b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /AnnexSong"
            b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
            b" /FontDescriptor " + f"{descriptor} 0 R".encode() + b" /DW 1000 /W [32 126 500] >>"
        )
        font = add(
            b"<< /Type /Font /Subtype /Type0 /BaseFont /AnnexSong /Encoding /Identity-H"
            b" /DescendantFonts ["
            + f"{cid_font} 0 R".encode()
            + b"] /ToUnicode "
            + f"{to_unicode} 0 R".encode()
            + b" >>"
        )
        kids = []
        for content in self.pages:
            stream = add(_stream("\n".join(["0.5 w", *content]).encode("latin-1")))
            kids.append(
                add(
                    f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {_PAGE_W:g} {_PAGE_H:g}]"
                    f" /Resources << /Font << /F1 {font} 0 R >> >> /Contents {stream} 0 R >>".encode()
                )
            )
        objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
        objects[pages_id - 1] = (
            f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>"
        ).encode()
        out = io.BytesIO()
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(out.tell())
            out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
        xref = out.tell()
        out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
        for offset in offsets:
            out.write(f"{offset:010d} 00000 n \n".encode())
        out.write(
            f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n".encode()
        )
        return out.getvalue()


def _stream(data: bytes) -> bytes:
    packed = zlib.compress(data)
    return (
        f"<< /Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode()
        + packed
        + b"\nendstream"
    )


def _identity_cmap() -> bytes:
    ranges = [
        f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256) if not 0xD8 <= hi <= 0xDF
    ]
    chunks = []
    for start in range(0, len(ranges), 100):
        block = ranges[start : start + 100]
        chunks.append(f"{len(block)} beginbfrange\n" + "\n".join(block) + "\nendbfrange")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(chunks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode()


def _wrap(text: str, width: float) -> list[str]:
    per_line = max(1, int((width - 6) // _SIZE))
    return [text[i : i + per_line] for i in range(0, len(text), per_line)] or [""]


def annex_pdf(
    annex: Annex,
    *,
    rows_per_page: int | None = None,
    cut_last_row_of_page: int | None = None,
    image_only: bool = False,
) -> bytes:
    """The annex as a PDF: a title line, each part's heading and table; the table runs on
    over page breaks with its header repeated. Rows of one control code share a merged code
    cell. `cut_last_row_of_page=N` moves the last HS line of page N's last row to a
    continuation row at the top of the next page (as long tables print)."""
    pdf = PdfWriter()
    pdf.new_page()
    if image_only:
        pdf.line(_LEFT, _TOP, _LEFT + 200, _TOP - 200)  # drawing only, no text layer
        return pdf.build()
    y = _TOP
    pdf.text(_LEFT, y, annex.title, size=12)
    y -= 24
    page_no = 1
    for title, rows in numbered(annex):
        if y - 60 < _BOTTOM:
            pdf.new_page()
            page_no, y = page_no + 1, _TOP
        pdf.text(_LEFT, y, title, size=10)
        y -= 8
        y = _table_header(pdf, y)
        on_page = 0
        previous_code: str | None = None
        carry: tuple[str, ...] = ()
        for index, (number, row) in enumerate(rows):
            lines = max(len(_wrap(row.description, _WIDTHS[1])), len(row.hs_codes), 1)
            height = lines * _LEADING + 6
            full = rows_per_page is not None and on_page >= rows_per_page
            if y - height < _BOTTOM or full:
                pdf.line(_LEFT, y, _LEFT + sum(_WIDTHS), y)  # the table's bottom on this page
                pdf.new_page()
                page_no, y, on_page, previous_code = page_no + 1, _TOP, 0, None
                y = _table_header(pdf, y)
                if carry:
                    y = _continuation(pdf, y, carry)
                    carry = ()
            hs = row.hs_codes
            last_on_page = rows_per_page is not None and on_page + 1 == rows_per_page
            if (
                cut_last_row_of_page == page_no
                and last_on_page
                and len(hs) > 1
                and index + 1 < len(rows)
            ):
                hs, carry = hs[:-1], hs[-1:]
            same_code = (
                row.code.split(".")[0] == (previous_code or "").split(".")[0]
                and row.code == previous_code
            )
            y = _table_row(
                pdf,
                y,
                str(number),
                row.description,
                "" if same_code else row.code,
                hs,
                height,
                merged_above=same_code,
            )
            previous_code = row.code
            on_page += 1
        if carry:
            pdf.line(_LEFT, y, _LEFT + sum(_WIDTHS), y)
            pdf.new_page()
            y = _continuation(pdf, _table_header(pdf, _TOP), carry)
        pdf.line(_LEFT, y, _LEFT + sum(_WIDTHS), y)
        y -= 18
    return pdf.build()


def _table_header(pdf: PdfWriter, y: float) -> float:
    return _table_row(
        pdf, y, HEADER[0], HEADER[1], HEADER[2], (HEADER[3],), _LEADING + 6, merged_above=False
    )


def _continuation(pdf: PdfWriter, y: float, hs: tuple[str, ...]) -> float:
    return _table_row(pdf, y, "", "", "", hs, len(hs) * _LEADING + 6, merged_above=False)


def _table_row(
    pdf: PdfWriter,
    y: float,
    number: str,
    description: str,
    code: str,
    hs: Sequence[str],
    height: float,
    *,
    merged_above: bool,
) -> float:
    xs = [_LEFT]
    for width in _WIDTHS:
        xs.append(xs[-1] + width)
    # top border, except over a code cell merged with the row above
    for column in range(4):
        if not (merged_above and column == 2):
            pdf.line(xs[column], y, xs[column + 1], y)
    bottom = y - height  # drawn as the next row's top, or by the caller closing the table
    for x in xs:
        pdf.line(x, y, x, bottom)
    cells = [[number], _wrap(description, _WIDTHS[1]), [code], list(hs)]
    for column, lines in enumerate(cells):
        for offset, text in enumerate(lines):
            if text:
                pdf.text(xs[column] + 3, y - _LEADING * (offset + 1) + 2, text)
    return bottom


# ------------------------------------------------------------------------- DOCX, XLSX


def annex_docx(annex: Annex) -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph(annex.title)
    for title, rows in numbered(annex):
        document.add_paragraph(title)
        table = document.add_table(rows=1 + len(rows), cols=4)
        for column, label in enumerate(HEADER):
            table.cell(0, column).text = label
        start = None
        for offset, (number, row) in enumerate(rows, start=1):
            table.cell(offset, 0).text = str(number)
            table.cell(offset, 1).text = row.description
            table.cell(offset, 3).text = "\n".join(row.hs_codes)
            previous = rows[offset - 2][1].code if offset > 1 else None
            if row.code == previous and start is not None:
                table.cell(start, 2).merge(table.cell(offset, 2))  # vertical merge
            else:
                table.cell(offset, 2).text = row.code
                start = offset
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def annex_xlsx(annex: Annex, *, numeric_hs: bool = True) -> bytes:
    """One sheet; the title merged over the columns; HS codes as numbers, as sheets do."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([annex.title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=4)
    for title, rows in numbered(annex):
        sheet.append([title])
        sheet.append(list(HEADER))
        first_row_of_code: int | None = None
        previous: str | None = None
        for number, row in rows:
            hs: object = "\n".join(row.hs_codes)
            if numeric_hs and len(row.hs_codes) == 1:
                hs = int(row.hs_codes[0])
            sheet.append([number, row.description, row.code, hs])
            current = sheet.max_row
            if row.code == previous and first_row_of_code is not None:
                sheet.cell(current, 3).value = None
                sheet.merge_cells(
                    start_row=first_row_of_code, start_column=3, end_row=current, end_column=3
                )
            else:
                first_row_of_code = current
            previous = row.code
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def annex_html(annex: Annex) -> str:
    """The annex as an HTML table (a page served in an iframe), merged cells as rowspan."""
    parts = [
        f"<html><head><meta charset='utf-8'><title>{annex.title}</title></head><body>",
        f"<h3>{annex.title}</h3>",
    ]
    for title, rows in numbered(annex):
        parts.append(f"<p>{title}</p><table border='1'><tr>")
        parts.append("".join(f"<th>{h}</th>" for h in HEADER) + "</tr>")
        index = 0
        while index < len(rows):
            span = 1
            while index + span < len(rows) and rows[index + span][1].code == rows[index][1].code:
                span += 1
            for offset in range(span):
                number, row = rows[index + offset]
                code = f"<td rowspan='{span}'>{row.code}</td>" if offset == 0 else ""
                hs = "<br>".join(row.hs_codes)
                parts.append(
                    f"<tr><td>{number}</td><td>{row.description}</td>{code}<td>{hs}</td></tr>"
                )
            index += span
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)
