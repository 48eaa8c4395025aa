"""The entities answer's options: list names and formats (controls/entity_queries.py)."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.controls.entity_queries import parse_list, render
from monitor.controls.listings import EntitiesState
from monitor.errors import UsageError
from monitor.models import EntityList

EMPTY = EntitiesState(as_of=date(2026, 6, 10), entities=())


def test_list_names_are_the_contracts() -> None:
    assert parse_list(None) is None
    assert parse_list("countermeasure") is EntityList.COUNTERMEASURE
    with pytest.raises(UsageError, match="unknown list 'entity_list'; known: control_list"):
        parse_list("entity_list")


def test_formats() -> None:
    assert render(EMPTY, "json") == '{\n  "as_of": "2026-06-10",\n  "entities": []\n}\n'
    assert render(EMPTY, "ftm") == ""
    assert render(EMPTY, "csv").count("\n") == 1
    with pytest.raises(UsageError, match="unknown format 'xml'; known: json, ftm, csv"):
        render(EMPTY, "xml")
