"""The demo's HS lookup lines (monitor/demo/view.py `hs_answer`)."""

from __future__ import annotations

from monitor.demo.view import hs_answer


def test_one_line_per_measure_with_status_and_reasons() -> None:
    answer = {
        "measures": [
            {"doc_key": "MOFCOM-2025-18", "status": "in_force",
             "matched": ["item 1C902.a HS 2805301910", "a", "b", "c"]},
            {"doc_key": "MOFCOM-2025-57", "status": "suspended", "matched": ["HS 28053019 in the notice"]},
        ]
    }  # fmt: skip
    lines = hs_answer(answer).splitlines()
    assert lines[0].split()[:3] == ["MOFCOM-2025-18", "in_force", "item"]
    assert lines[0].endswith("item 1C902.a HS 2805301910; a; b")  # at most three reasons
    assert "suspended" in lines[1]
    assert hs_answer({"measures": []}) == "  no measure lists it"
