"""Annex files → item rows, and every way a file can fail to give them (monitor/annex)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from monitor.annex import AnnexLimits, annex_source, read_annex
from monitor.annex.html import html_rows
from monitor.annex.limits import Deadline
from tests.support.annex_files import (
    annex_docx,
    annex_html,
    annex_pdf,
    annex_xlsx,
    many_rows,
    no61_annex,
)

ATTACH = "https://www.mofcom.gov.cn/cms_files/filemanager/1077459795/attach/202510/"
XLS_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "annex" / "annex-no61.xls"

EXPECTED = [
    ("第一部分", "1C902.a", ("2805301910", "3824999922"), ("Sm",)),
    ("第一部分", "1C902.b", ("2846901940", "2846901993"), ("Sm",)),
    ("第一部分", "1C904.a", ("2805301300",), ("Tb",)),
    ("第一部分", "1C904.b", ("2846901993",), ("Tb",)),
    ("第一部分", "1C905.a", ("2805301200",), ("Tb", "Dy")),
    ("第一部分", "1C905.b", ("2846901993",), ("Dy",)),
    ("第二部分", "1C902.a", ("8505111000",), ("Sm",)),
    ("第二部分", "1C904.a", ("8505111000",), ("Tb",)),
    ("第二部分", "1C904.a", ("85051190", "8505111000"), ("Tb",)),  # merged code cell
    ("第二部分", "1C905.a", ("8505111000",), ("Dy",)),
]


def _rows(data: bytes, url: str) -> list[tuple[object, ...]]:
    result = read_annex(data, "附件1 稀土相关物项清单", url)
    assert result.error is None
    return [(i.part, i.code, i.hs_codes, i.elements) for i in result.items]


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: annex_pdf(no61_annex()), "a1.pdf"),
        (lambda: annex_docx(no61_annex()), "a1.docx"),
        (lambda: annex_xlsx(no61_annex()), "a1.xlsx"),
        (lambda: annex_html(no61_annex()).encode(), "a1.html"),
    ],
)
def test_every_format_gives_the_same_rows(make, name) -> None:  # type: ignore[no-untyped-def]
    assert _rows(make(), ATTACH + name) == EXPECTED


def test_checked_in_xls_gives_the_same_rows() -> None:
    assert _rows(XLS_FIXTURE.read_bytes(), ATTACH + "a1.xls") == EXPECTED


def test_pdf_table_across_page_breaks_with_a_cut_row() -> None:
    data = annex_pdf(no61_annex(), rows_per_page=2, cut_last_row_of_page=1)
    assert len(PdfReader(io.BytesIO(data)).pages) >= 4
    assert _rows(data, ATTACH + "a1.pdf") == EXPECTED


def test_descriptions_are_as_printed_and_source_is_the_link_text() -> None:
    result = read_annex(annex_pdf(no61_annex()), "附件1 稀土相关物项清单", ATTACH + "a1.pdf")
    first = result.items[0]
    assert first.description == "金属钐；钐钴、钐铁合金；钐靶材"
    assert first.source == "附件1 稀土相关物项清单.pdf"
    assert result.format == "pdf"


def test_a_long_pdf_keeps_every_row() -> None:
    data = annex_pdf(many_rows(120))
    result = read_annex(data, "附件", ATTACH + "big.pdf")
    assert result.error is None
    assert len(result.items) == 120
    assert result.items[-1].description == "含钐的化合物及其混合物（第120类）"  # 119 % 7 == 0


def test_source_names() -> None:
    assert annex_source("附件1", ATTACH + "x.PDF?fileName=a") == "附件1.pdf"
    assert annex_source("附件1.xlsx", ATTACH + "x.xlsx") == "附件1.xlsx"
    assert annex_source("", ATTACH + "x.docx") == "x.docx"
    assert annex_source("清单", "https://h/file") == "清单"


def test_annex_printed_as_running_text_reads_like_the_notice() -> None:
    html = "<html><body><p>1C902.a 金属钐。参考海关商品编号：2805301910</p></body></html>"
    result = read_annex(html.encode(), "附件", ATTACH + "a.html")
    assert [(i.code, i.hs_codes, i.source) for i in result.items] == [
        ("1C902.a", ("2805301910",), "附件.html")
    ]


def _encrypted_pdf(user: str = "secret") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(annex_pdf(no61_annex()))))
    writer.encrypt(user, owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "url", "reason"),
    [
        (_encrypted_pdf(), "a.pdf", "encrypted"),
        (annex_pdf(no61_annex(), image_only=True), "a.pdf", "image_only"),
        (annex_pdf(no61_annex())[:900], "a.pdf", "malformed"),
        (b"%PDF-1.7\n" + b"\x00" * 50, "a.pdf", "malformed"),
        (annex_docx(no61_annex())[:3000], "a.docx", "malformed"),
        (b"PK\x03\x04" + b"\x00" * 40, "a.xlsx", "malformed"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "a.doc", "legacy_doc"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "a.xls", "malformed"),
        (b"GIF89a....", "a.gif", "unknown_format"),
    ],
)
def test_unreadable_files_say_why(data: bytes, url: str, reason: str) -> None:
    result = read_annex(data, "附件", ATTACH + url)
    assert result.items == ()
    assert result.error is not None and result.error.startswith(reason), result.error


def test_a_pdf_with_only_an_owner_password_is_read() -> None:
    assert _rows(_encrypted_pdf(user=""), ATTACH + "a1.pdf") == EXPECTED


def test_legacy_doc_reason_is_clear() -> None:
    result = read_annex(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "附件", "a.doc")
    assert "legacy .doc" in (result.error or "")


def test_zip_that_is_not_office() -> None:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    result = read_annex(out.getvalue(), "附件", ATTACH + "a.zip")
    assert (result.error or "").startswith("unknown_format")


def test_limits() -> None:
    pdf = annex_pdf(many_rows(200))
    small = read_annex(pdf, "附件", "a.pdf", limits=AnnexLimits(max_bytes=1000))
    assert (small.error or "").startswith("too_large")
    pages = read_annex(pdf, "附件", "a.pdf", limits=AnnexLimits(max_pages=2))
    assert (pages.error or "").startswith("too_many_pages")
    slow = read_annex(pdf, "附件", "a.pdf", limits=AnnexLimits(max_seconds=0.0))
    assert (slow.error or "").startswith("timeout")
    rows = read_annex(annex_xlsx(many_rows(50)), "附件", "a.xlsx", limits=AnnexLimits(max_rows=20))
    assert (rows.error or "").startswith("too_many_rows")
    sheets = read_annex(annex_xlsx(many_rows(5)), "附件", "a.xlsx", limits=AnnexLimits(max_pages=0))
    assert (sheets.error or "").startswith("too_many_pages")


def test_html_spans_layout_tables_and_bad_spans() -> None:
    markup = (
        "<table><tr><td><table>"
        "<tr><th>序号</th><th>物项名称</th><th>管制编码</th><th>参考海关商品编号</th></tr>"
        "<tr><td>1</td><td><p>金属钐</p></td><td rowspan='2'>1C902.a</td><td colspan='x'>2805301910</td></tr>"
        "<tr><td>2</td><td>钐靶材</td><td>3824999922</td></tr>"
        "<tr><td colspan='2' rowspan='2'>—</td></tr>"
        "</table></td></tr></table>"
    )
    rows = list(html_rows(markup, AnnexLimits(), Deadline(5)))
    assert rows[1] == ["1", "金属钐", "1C902.a", "2805301910"]
    assert rows[2] == ["2", "钐靶材", None, "3824999922"]
    assert rows[3] == ["—", None]
    result = read_annex(markup.encode(), "表", "https://h/t.html")
    assert [(i.code, i.description) for i in result.items] == [
        ("1C902.a", "金属钐"),
        ("1C902.a", "钐靶材"),
    ]


def test_page_tables_and_iframe_links() -> None:
    from monitor.annex import iframe_links, page_table_items

    markup = annex_html(no61_annex())
    assert len(page_table_items(markup)) == 10
    assert page_table_items(markup, limits=AnnexLimits(max_rows=3)) == ()
    frames = iframe_links(
        '<iframe src="/a/%E8%A1%A8.html"></iframe><iframe src="/a/%E8%A1%A8.html"></iframe>'
        "<iframe></iframe>",
        "https://www.mofcom.gov.cn/zwgk/x.html",
    )
    assert frames == [("https://www.mofcom.gov.cn/a/%E8%A1%A8.html", "表.html")]
