"""Source definitions: `sources/<id>.toml` (file stem = id) + `[sources.<id>]` overrides."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from monitor.adapters.registry import adapters
from monitor.config import Settings, parse_duration
from monitor.errors import ConfigError
from monitor.fetch.options import FETCH_OPTIONS
from monitor.models import SourceDef

COMMON_KEYS = frozenset({"name", "kind", "url", "interval", "base_url"})
# Keys every source accepts whatever its kind: the Fetcher's limits and the recheck period.
SHARED_OPTION_KEYS = FETCH_OPTIONS | {"recheck"}


def read_definitions(directory: Path) -> dict[str, dict[str, Any]]:
    """Every `<id>.toml` in `directory`, parsed but not yet validated."""
    definitions: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.toml")):
        try:
            definitions[path.stem] = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(str(path), f"not valid TOML: {exc}") from None
    return definitions


def _key(where: str, key: str) -> str:
    return f"{where}: {key}" if where.endswith(".toml") else f"{where}.{key}"


def build_source(source_id: str, data: Mapping[str, Any], where: str) -> SourceDef:
    """Validate one merged definition; `where` prefixes key names in errors."""
    for key in ("name", "kind", "url", "interval"):
        if key not in data:
            raise ConfigError(_key(where, key), "required key is missing")
        if key != "interval" and not isinstance(data[key], str):
            raise ConfigError(_key(where, key), f"expected a string, got {data[key]!r}")
    kind = data["kind"]
    known = adapters()
    if kind not in known:
        raise ConfigError(
            _key(where, "kind"), f"unknown kind {kind!r} (known: {', '.join(sorted(known))})"
        )
    allowed = known[kind].options | SHARED_OPTION_KEYS
    options: dict[str, Any] = {}
    for key, value in data.items():
        if key in COMMON_KEYS:
            continue
        if key not in allowed:
            raise ConfigError(_key(where, key), f"unknown key for kind {kind!r}")
        options[key] = value
    url = data["url"]
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise ConfigError(_key(where, "url"), f"expected an http(s) URL, got {url!r}")
    base_url = data.get("base_url")
    if base_url is not None:
        parts = urlsplit(str(base_url))
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise ConfigError(
                _key(where, "base_url"), f"expected scheme://host[:port], got {base_url!r}"
            )
        base_url = f"{parts.scheme}://{parts.netloc}"
    interval = parse_duration(data["interval"], _key(where, "interval"))
    if interval <= 0:
        raise ConfigError(_key(where, "interval"), "must be longer than zero")
    if "recheck" in options:
        parse_duration(options["recheck"], _key(where, "recheck"))
    return SourceDef(
        id=source_id,
        name=data["name"],
        kind=kind,
        url=url,
        interval_s=interval,
        base_url=base_url,
        options=MappingProxyType(options),
    )


def load_catalog(settings: Settings) -> dict[str, SourceDef]:
    """The enabled sources by id, with config overrides applied."""
    definitions = read_definitions(settings.sources.dir)
    for source_id in settings.sources.overrides:
        if source_id not in definitions:
            raise ConfigError(
                f"sources.{source_id}",
                f"no source definition {source_id}.toml in {settings.sources.dir}",
            )
    enabled = settings.sources.enabled
    if enabled is not None:
        for index, source_id in enumerate(enabled):
            if source_id not in definitions:
                raise ConfigError(
                    f"sources.enabled[{index}]", f"no source definition named {source_id!r}"
                )
    catalog: dict[str, SourceDef] = {}
    for source_id, data in definitions.items():
        if enabled is not None and source_id not in enabled:
            continue
        override = settings.sources.overrides.get(source_id, {})
        merged = {**data, **override}
        where = f"sources.{source_id}" if override else f"{settings.sources.dir / source_id}.toml"
        catalog[source_id] = build_source(source_id, merged, where)
    return catalog
