"""The demo's closing summary of the lists of parties."""

from __future__ import annotations

from monitor.controls.listings import entities_json, entities_state
from monitor.demo.entities_view import entities_summary
from tests.controls.entity_records import D, story


def test_counts_by_list_and_status_with_examples() -> None:
    text = entities_summary(entities_json(entities_state(story(), D("2026-07-01"))))
    assert "  Control List (管控名单): 3 in_force, 2 repealed, 3 suspended" in text.splitlines()
    assert "  Unreliable Entity List (不可靠实体清单): 12 in_force, 2 repealed" in text.splitlines()
    assert "      e.g. 蓝岭导弹系统公司 (Blue Ridge Missile Systems, Inc.), MOFCOM-2026-23" in text
    assert "Watch List" not in text


def test_nobody_listed_yet() -> None:
    document = entities_json(entities_state(story(), D("2025-01-01")))
    assert entities_summary(document) == "  (no parties listed yet)"
