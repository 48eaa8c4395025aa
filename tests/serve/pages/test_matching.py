"""The element, control-code and HS-code tests of the `/` filters."""

from __future__ import annotations

import pytest

from monitor.serve.matching import (
    code_matches,
    element_symbol,
    hs_matches,
    item_codes,
    item_elements,
    item_hs_codes,
)

ITEM = {
    "_regwatch": {
        "rare_earth": {"elements": ["Sm"], "control_codes": ["1C902.a"], "hs_codes": []},
        "notice": {
            "items": [
                {"code": "1C904.a", "hs_codes": ["2805301300"], "elements": ["Tb"]},
                "not an item",
            ]
        },
    }
}


def test_item_sets_read_the_verdict_and_the_items() -> None:
    assert item_elements(ITEM) == {"Sm", "Tb"}
    assert item_codes(ITEM) == {"1C902.a", "1C904.a"}
    assert item_hs_codes(ITEM) == {"2805301300"}
    assert item_elements({"_regwatch": "broken"}) == set()
    facts = {"elements": ["Dy"], "control_codes": ["1C905"], "hs_codes": ["2805301200"]}
    assert item_elements(ITEM, facts) == {"Sm", "Tb", "Dy"}
    assert "1C905" in item_codes(ITEM, facts) and "2805301200" in item_hs_codes(ITEM, facts)
    assert item_codes({"_regwatch": {"notice": {"items": "x"}}}) == set()


@pytest.mark.parametrize(
    ("wanted", "code", "matches"),
    [
        ("1C902", "1C902.a", True),
        ("1c902.a", "1C902", True),
        ("1C902.a", "1C902.a", True),
        ("1C902.a", "1C902.b", False),
        ("1C90", "1C902", False),
        ("1C902", "1C903", False),
    ],
)
def test_codes_cover_their_sub_items(wanted: str, code: str, matches: bool) -> None:
    assert code_matches(wanted, code) is matches


@pytest.mark.parametrize(
    ("wanted", "code", "matches"),
    [
        ("85051110", "8505111000", True),
        ("8505111000", "85051110", True),
        ("2805301910", "2805301990", False),
        ("", "2805301910", False),
    ],
)
def test_hs_codes_match_by_prefix(wanted: str, code: str, matches: bool) -> None:
    assert hs_matches(wanted, code) is matches


def test_element_symbols_are_written_as_chemists_do() -> None:
    assert element_symbol(" dy ") == "Dy"
    assert element_symbol("Y") == "Y"
