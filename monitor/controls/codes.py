"""Bundled reference data: the dual-use control codes regwatch can describe.

The facts live in `control_codes.toml` (from shared/domain/timeline.md) so that anything the
timeline marks unverified stays data, editable without touching code.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from monitor.errors import ConfigError

CODE_PATTERN = re.compile(r"^\d[A-Z]\d{3}$")
_KEYS = frozenset({"description", "elements", "hs_codes", "notice", "verified", "items", "notes"})


def base_code(code: str) -> str:
    """The five-character list entry of a printed code: '1C902.a' → '1C902'."""
    return code.strip().split(".", 1)[0].upper()


@dataclass(frozen=True)
class ControlCode:
    code: str
    description: str
    elements: tuple[str, ...] = ()
    hs_codes: tuple[str, ...] = ()
    notice: str | None = None  # doc_key of the notice that listed it
    verified: bool = True
    items: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    notes: str = ""


@dataclass(frozen=True)
class CodeTable:
    codes: Mapping[str, ControlCode] = field(default_factory=lambda: MappingProxyType({}))

    def get(self, code: str) -> ControlCode | None:
        """The entry for a printed code or any of its sub-items."""
        return self.codes.get(base_code(code))

    def elements_for(self, codes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        found: list[str] = []
        for code in codes:
            entry = self.get(code)
            for element in entry.elements if entry else ():
                if element not in found:
                    found.append(element)
        return tuple(found)


def load_code_table(path: Path | None = None) -> CodeTable:
    """Read a code table; `None` reads the bundled monitor/controls/control_codes.toml."""
    if path is None:
        return _bundled_table()
    return _parse(path.read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=1)
def _bundled_table() -> CodeTable:
    text = resources.files("monitor.controls").joinpath("control_codes.toml").read_text("utf-8")
    return _parse(text, "monitor/controls/control_codes.toml")


def _parse(text: str, origin: str) -> CodeTable:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(origin, f"not valid TOML: {exc}") from exc
    unknown = set(data) - {"codes"}
    if unknown:
        raise ConfigError(f"{origin}: {sorted(unknown)[0]}", "unknown key")
    raw_codes = data.get("codes", {})
    if not isinstance(raw_codes, dict):
        raise ConfigError(f"{origin}: codes", "must be a table of codes")
    codes = {code: _entry(code, raw, origin) for code, raw in raw_codes.items()}
    return CodeTable(codes=MappingProxyType(codes))


def _entry(code: str, raw: Any, origin: str) -> ControlCode:
    where = f"{origin}: codes.{code}"
    if not CODE_PATTERN.match(code):
        raise ConfigError(where, "not a five-character list code like 1C902")
    if not isinstance(raw, dict):
        raise ConfigError(where, "must be a table")
    unknown = set(raw) - _KEYS
    if unknown:
        raise ConfigError(f"{where}.{sorted(unknown)[0]}", "unknown key")
    description = raw.get("description")
    if not isinstance(description, str) or not description:
        raise ConfigError(f"{where}.description", "required text")
    verified = raw.get("verified", True)
    if not isinstance(verified, bool):
        raise ConfigError(f"{where}.verified", "must be true or false")
    notice = raw.get("notice")
    if notice is not None and not isinstance(notice, str):
        raise ConfigError(f"{where}.notice", "must be a doc_key such as MOFCOM-2025-18")
    items = raw.get("items", {})
    if not isinstance(items, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in items.items()
    ):
        raise ConfigError(f"{where}.items", "must map sub-item letters to text")
    notes = raw.get("notes", "")
    if not isinstance(notes, str):
        raise ConfigError(f"{where}.notes", "must be text")
    return ControlCode(
        code=code,
        description=description,
        elements=_strings(raw.get("elements", []), f"{where}.elements"),
        hs_codes=_strings(raw.get("hs_codes", []), f"{where}.hs_codes"),
        notice=notice,
        verified=verified,
        items=MappingProxyType(dict(items)),
        notes=notes,
    )


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(where, "must be a list of strings")
    return tuple(value)
