"""Annex reading: a 30-page PDF with 400 item rows, and a 5 MB XLSX.

Targets (issue 11): the PDF in ≤ 2 s, the XLSX in ≤ 1 s, each with ≤ 150 MB of extra memory.
Each file is read in a fresh child process (`read_annex`, the function the adapter calls), which
reports its CPU seconds (user + sys: what one file costs, stable on a shared machine), wall
seconds, and the growth of its peak RSS while reading (imports and the file's bytes are loaded
first, so the figure is what reading adds). Files are generated first: the PDF by the tests' own
writer (tests/support/annex_files.py), the XLSX by a minimal writer here (inline strings,
numbers for HS codes) because openpyxl's writer takes minutes for 5 MB.

Run: ``python -m benchmarks annex``.
"""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

PDF_TARGET_S = 2.0
XLSX_TARGET_S = 1.0
MEMORY_TARGET_MB = 150.0
XLSX_BYTES = 5 * 1024 * 1024


def pdf_file() -> bytes:
    from tests.support.annex_files import annex_pdf, many_rows

    return annex_pdf(many_rows(400), rows_per_page=13)  # 31 pages


def xlsx_file(target: int = XLSX_BYTES) -> bytes:
    """An item list (序号 / 物项名称 / 管制编码 / 参考海关商品编号) of about `target` bytes."""
    rows = 20_000
    while True:
        data = _xlsx(rows)
        if len(data) >= target:
            return data
        rows = int(rows * target / len(data) * 1.02) + 1


def _xlsx(rows: int) -> bytes:
    elements = ("钐", "钆", "铽", "镝", "镥", "钪", "钇")
    cells = [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>第一部分 稀土材料及制品</t></is></c></row>',
        '<row r="2">'
        + "".join(
            f'<c r="{col}2" t="inlineStr"><is><t>{name}</t></is></c>'
            for col, name in zip(
                "ABCD", ("序号", "物项名称", "管制编码", "参考海关商品编号"), strict=True
            )
        )
        + "</row>",
    ]
    for n in range(rows):
        r = n + 3
        element = elements[n % 7]
        description = escape(f"含{element}的化合物及其混合物（规格{n:06d}，纯度≥99.{n % 97:02d}%）")
        code = f"1C9{2 + n % 7:02d}.{'abc'[n % 3]}"
        cells.append(
            f'<row r="{r}"><c r="A{r}"><v>{n + 1}</v></c>'
            f'<c r="B{r}" t="inlineStr"><is><t>{description}</t></is></c>'
            f'<c r="C{r}" t="inlineStr"><is><t>{code}</t></is></c>'
            f'<c r="D{r}"><v>{2846900000 + n}</v></c></row>'
        )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(cells)}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
    '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="附件1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def _child(path: str, name: str) -> None:
    """In the child: read one file, print what it cost as JSON."""
    from monitor.annex import AnnexLimits, read_annex

    data = Path(path).read_bytes()
    peak_before = _peak_rss_mb()
    before = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter()
    result = read_annex(data, "附件1", f"https://www.mofcom.gov.cn/cms_files/a/{name}",
                        limits=AnnexLimits(max_rows=1_000_000, max_seconds=600))  # fmt: skip
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(json.dumps({
        "items": len(result.items), "error": result.error, "cpu_s": cpu, "wall_s": wall,
        "extra_mb": _peak_rss_mb() - peak_before,
    }))  # fmt: skip


def _peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM). Not ru_maxrss: Linux carries that over exec from the
    parent, which built the 5 MB file in memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(data: bytes, name: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="regwatch-annex-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_annex", "--child", str(path), name],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    return dict(json.loads(out.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--child"]:
        _child(args[1], args[2])
        return 0
    from pypdf import PdfReader

    pdf = pdf_file()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    xlsx = xlsx_file()
    rows = [
        (
            f"PDF, {pages} pages, 400 rows ({len(pdf) / 1024:.0f} KiB)",
            PDF_TARGET_S,
            _measure(pdf, "a.pdf"),
        ),
        (f"XLSX, {len(xlsx) / 2**20:.1f} MiB", XLSX_TARGET_S, _measure(xlsx, "a.xlsx")),
    ]
    # For scale: the whole dual-use list is about a thousand items.
    listing = _xlsx(1000)
    rows.append((f"XLSX, 1,000 rows ({len(listing) / 1024:.0f} KiB)", XLSX_TARGET_S,
                 _measure(listing, "b.xlsx")))  # fmt: skip
    print(
        f"{'file':<40} {'items':>7} {'cpu s':>7} {'wall s':>7} {'+MB':>6} {'target s':>8}  result"
    )
    failed = 0
    for name, target, got in rows:
        cpu, extra = float(str(got["cpu_s"])), float(str(got["extra_mb"]))
        ok = got["error"] is None and cpu <= target and extra <= MEMORY_TARGET_MB
        failed += not ok
        print(
            f"{name:<40} {got['items']:>7} {cpu:>7.2f} {float(str(got['wall_s'])):>7.2f} "
            f"{extra:>6.0f} {target:>8.1f}  {'ok' if ok else 'MISSED'}"
            + (f"  error: {got['error']}" if got["error"] else "")
        )
    print("cpu s = user + sys of the reading child; the machine is shared, so wall s is noisy")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
