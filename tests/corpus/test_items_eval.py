"""Item rows scored against the corpus labels (monitor/corpus/items_eval.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from monitor.corpus.items_eval import evaluate_items, format_items_report, main

ITEMS = Path(__file__).resolve().parents[2] / "monitor" / "corpus" / "items"


def test_bundled_item_labels_meet_the_target() -> None:
    report = evaluate_items(ITEMS)
    assert report.files >= 3 and report.rows >= 39
    assert report.exact_rate >= 0.98, format_items_report(report)
    assert main([str(ITEMS)]) == 0


def test_a_wrong_label_is_reported_per_field(tmp_path: Path) -> None:
    for path in ITEMS.iterdir():
        shutil.copy(path, tmp_path / path.name)
    shutil.copy(ITEMS.parent / "mofcom-2025-18.html", tmp_path.parent / "mofcom-2025-18.html")
    label_path = tmp_path / "annex-2025-57-1.items.json"
    label = json.loads(label_path.read_text(encoding="utf-8"))
    label["rows"][0]["hs_codes"] = ["28053019"]
    label["rows"].append({"code": "1C913.a", "hs_codes": [], "elements": ["Yb"]})
    label_path.write_text(json.dumps(label, ensure_ascii=False), encoding="utf-8")
    report = evaluate_items(tmp_path)
    wrong = {(m.file, m.row, m.field) for m in report.mismatches}
    assert ("annex-2025-57-1.items.json", 1, "hs_codes") in wrong
    assert ("annex-2025-57-1.items.json", 7, "code") in wrong  # a labelled row not read
    assert report.exact == report.rows - 2
    text = format_items_report(report)
    assert "row 1 hs_codes" in text
    empty = evaluate_items(tmp_path / "none")
    assert empty.rows == 0 and empty.exact_rate == 1.0 and "0 rows" in format_items_report(empty)
