"""`regwatch entities` and the entity part of `regwatch eval`, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import cli

CORPUS = Path(__file__).resolve().parents[1] / "monitor" / "corpus"


def config(tmp_path: Path) -> str:
    path = tmp_path / "regwatch.toml"
    path.write_text(f'[store]\nurl = "sqlite:///{tmp_path / "r.db"}"\n', encoding="utf-8")
    return str(path)


def test_entities_on_an_empty_store_in_each_format(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--config", config(tmp_path), "--now", "2026-06-10T12:00:00+08:00", "entities"]
    result = runner.invoke(cli, base)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"as_of": "2026-06-10", "entities": []}
    assert runner.invoke(cli, [*base, "--format", "ftm"]).output == ""
    table = runner.invoke(cli, [*base, "--format", "csv", "--list", "watch_list"]).output
    assert table.startswith("id,name,name_en,alt_names,country,addresses,list,status,")


def test_eval_scores_entity_rows_beside_the_facts() -> None:
    result = CliRunner().invoke(cli, ["eval", str(CORPUS)])
    assert result.exit_code == 0, result.output
    assert "entity field accuracy" in result.output
    assert "entity target (name, name_en, list, action each ≥ 98%): met" in result.output
