"""Entity rows scored per field against the labelled designation pages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from monitor.corpus.entity_eval import (
    SCORED,
    TARGET_FIELD_ACCURACY,
    evaluate_entities,
    format_entity_report,
    main,
)

ENTITIES = Path(__file__).resolve().parents[2] / "monitor" / "corpus" / "entities"


def test_the_bundled_designation_pages_meet_the_target() -> None:
    report = evaluate_entities(ENTITIES)
    assert report.pages >= 12 and report.rows >= 75
    for field in SCORED:
        assert report.accuracy(field) >= TARGET_FIELD_ACCURACY, format_entity_report(report)
    assert report.meets_targets
    assert "entity target (name, name_en, list, action each ≥ 98%): met" in format_entity_report(
        report
    )


def copy(tmp_path: Path, *stems: str) -> Path:
    for stem in stems:
        label = json.loads((ENTITIES / f"{stem}.json").read_text(encoding="utf-8"))
        shutil.copy(ENTITIES / label["page"], tmp_path / label["page"])
        (tmp_path / f"{stem}.json").write_text(json.dumps(label), encoding="utf-8")
    return tmp_path


def relabel(folder: Path, stem: str, change: dict[str, object], drop_last: bool = False) -> None:
    path = folder / f"{stem}.json"
    label = json.loads(path.read_text(encoding="utf-8"))
    label["entities"][0].update(change)
    if drop_last:
        label["entities"].pop()
    path.write_text(json.dumps(label), encoding="utf-8")


def test_a_wrong_label_a_missing_row_and_a_missing_page_are_counted(tmp_path: Path) -> None:
    folder = copy(tmp_path, "mofcom-2026-27.big5", "uel-2026-3.en")
    relabel(folder, "mofcom-2026-27.big5", {"action": "add"})
    relabel(folder, "uel-2026-3.en", {}, drop_last=True)
    (folder / "gone.json").write_text(
        json.dumps(
            {"page": "gone.html", "url": "https://x.invalid/", "entities": [{"name": "甲"}]}
        ),
        encoding="utf-8",
    )
    report = evaluate_entities(folder)
    assert report.rows == 2 + 1 + 1
    assert report.accuracy("action") == pytest.approx(2 / 5)
    assert report.accuracy("name") == pytest.approx(3 / 5)
    assert not report.meets_targets
    text = format_entity_report(report)
    assert "mofcom-2026-27.big5#1 · action" in text and "NOT met" in text
    assert "uel-2026-3.en#2 · name" in text  # the extractor's extra row
    assert "gone · page" in text


def test_main_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(ENTITIES)]) == 0
    assert "entity rows:" in capsys.readouterr().out
    assert main([]) == 2
    assert main([str(tmp_path / "nope")]) == 2
    folder = copy(tmp_path, "mofcom-2026-28")
    relabel(folder, "mofcom-2026-28", {"list": "watch_list"})
    assert main([str(folder)]) == 1
