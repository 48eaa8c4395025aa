"""Does a stored feed item concern an element, a control code or an HS code? (pure)

The answer reads the item's rare-earth verdict, the stored notice's facts and, when the
notice object carries them, its `items` (CONTRACT.md, "Items"), so the filters work before
and after items exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def _section(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        return []
    return [str(v) for v in value if isinstance(v, str) and v]


def _items(meta: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = _section(meta.get("notice")).get("items")
    if isinstance(raw, str) or not isinstance(raw, Iterable):
        return []
    return [item for item in raw if isinstance(item, Mapping)]


def item_elements(item: Mapping[str, Any], facts: Mapping[str, Any] | None = None) -> set[str]:
    meta = _section(item.get("_regwatch"))
    found = set(_strings(_section(meta.get("rare_earth")).get("elements")))
    found.update(_strings((facts or {}).get("elements")))
    for entry in _items(meta):
        found.update(_strings(entry.get("elements")))
    return found


def item_codes(item: Mapping[str, Any], facts: Mapping[str, Any] | None = None) -> set[str]:
    meta = _section(item.get("_regwatch"))
    found = set(_strings(_section(meta.get("rare_earth")).get("control_codes")))
    found.update(_strings((facts or {}).get("control_codes")))
    found.update(str(e["code"]) for e in _items(meta) if isinstance(e.get("code"), str))
    return found


def item_hs_codes(item: Mapping[str, Any], facts: Mapping[str, Any] | None = None) -> set[str]:
    meta = _section(item.get("_regwatch"))
    found = set(_strings(_section(meta.get("rare_earth")).get("hs_codes")))
    found.update(_strings((facts or {}).get("hs_codes")))
    for entry in _items(meta):
        found.update(_strings(entry.get("hs_codes")))
    return found


def element_symbol(value: str) -> str:
    """`dy`, `DY` → `Dy`: element symbols are matched as chemists write them."""
    value = value.strip()
    return value[:1].upper() + value[1:].lower()


def code_matches(wanted: str, code: str) -> bool:
    """`1C902` covers `1C902.a` and the reverse; `1C90` covers nothing but itself."""
    wanted, code = wanted.strip().upper(), code.strip().upper()
    if wanted == code:
        return True
    shorter, longer = sorted((wanted, code), key=len)
    return longer.startswith(shorter + ".")


def hs_matches(wanted: str, code: str) -> bool:
    """Either is a prefix of the other (`85051110` covers `8505111000`)."""
    wanted, code = "".join(wanted.split()), "".join(code.split())
    return bool(wanted) and bool(code) and (wanted.startswith(code) or code.startswith(wanted))
