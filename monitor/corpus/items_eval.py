"""Score item rows against their labels (monitor/corpus/items/*.items.json).

A label file names a notice page (`kind: page`: items printed in its text or its tables) or
an annex file (`kind: annex`, read by `annex.read_annex` with its `name` and `url`), and lists
the rows in printed order, each with `code`, `hs_codes` and `elements`. Rows are compared by
position; a row is exact when all three fields are equal (HS codes in order, elements as a
set). Missing and extra rows count as wrong.

    python -m monitor.corpus.items_eval monitor/corpus/items
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path
from typing import Any

from monitor.adapters.mofcom_detail import parse_detail
from monitor.annex import page_table_items, read_annex
from monitor.extract.items import items_from_text
from monitor.models import Item

TARGET_EXACT = 0.98
FIELDS = ("code", "hs_codes", "elements")


@dataclass(frozen=True)
class RowMismatch:
    file: str
    row: int
    field: str
    expected: Any
    got: Any


@dataclass(frozen=True)
class ItemsReport:
    files: int
    rows: int
    exact: int
    field_right: dict[str, int]
    mismatches: tuple[RowMismatch, ...]

    @property
    def exact_rate(self) -> float:
        return self.exact / self.rows if self.rows else 1.0

    @property
    def ok(self) -> bool:
        return self.exact_rate >= TARGET_EXACT


def read_items(label: dict[str, Any], folder: Path) -> tuple[Item, ...]:
    path = folder / str(label["file"])
    if label["kind"] == "annex":
        result = read_annex(path.read_bytes(), str(label.get("name", "")), str(label["url"]))
        return result.items
    html = path.read_text(encoding="utf-8")
    raw = parse_detail(html, str(label["url"]), "corpus")
    return (*items_from_text(raw.text), *page_table_items(html))


def _fields(row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        return dict.fromkeys(FIELDS)
    return {
        "code": row.get("code"),
        "hs_codes": list(row.get("hs_codes", [])),
        "elements": sorted(row.get("elements", [])),
    }


def evaluate_items(folder: Path) -> ItemsReport:
    rows = exact = 0
    right = dict.fromkeys(FIELDS, 0)
    mismatches: list[RowMismatch] = []
    files = sorted(folder.glob("*.items.json"))
    for label_path in files:
        label = json.loads(label_path.read_text(encoding="utf-8"))
        got = [
            {"code": i.code, "hs_codes": list(i.hs_codes), "elements": list(i.elements)}
            for i in read_items(label, folder)
        ]
        for index, (want, have) in enumerate(zip_longest(label["rows"], got), start=1):
            rows += 1
            expected, found = _fields(want), _fields(have)
            wrong = [f for f in FIELDS if expected[f] != found[f]]
            exact += not wrong
            for field in FIELDS:
                right[field] += field not in wrong
            mismatches += [
                RowMismatch(label_path.name, index, f, expected[f], found[f]) for f in wrong
            ]
    return ItemsReport(len(files), rows, exact, right, tuple(mismatches))


def format_items_report(report: ItemsReport) -> str:
    lines = [
        f"item rows: {report.files} files, {report.rows} rows, "
        f"{report.exact_rate:.1%} exact (target {TARGET_EXACT:.0%})"
        + ("" if report.ok else "  BELOW TARGET")
    ]
    for field in FIELDS:
        share = report.field_right[field] / report.rows if report.rows else 1.0
        lines.append(f"  {field:<9} {share:.1%}")
    lines += [
        f"  {m.file} row {m.row} {m.field}: expected {m.expected!r}, got {m.got!r}"
        for m in report.mismatches
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    folder = Path(args[0]) if args else Path(__file__).resolve().parent / "items"
    report = evaluate_items(folder)
    print(format_items_report(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
