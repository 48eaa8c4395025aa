"""Source definitions: `sources/<id>.toml` (file stem = id) + `[sources.<id>]` overrides."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from monitor.adapters.options import check_options
from monitor.adapters.registry import adapters
from monitor.config import Settings, parse_duration
from monitor.errors import ConfigError
from monitor.fetch.options import FETCH_OPTIONS
from monitor.models import SourceDef

# `enabled = false`: bundled but off unless named in `[sources] enabled`.
COMMON_KEYS = frozenset({"name", "kind", "url", "interval", "base_url", "enabled"})
# Keys every source accepts whatever its kind: the Fetcher's limits, the recheck period,
# and the total time one poll may take.
SHARED_OPTION_KEYS = FETCH_OPTIONS | {"recheck", "recheck_all", "poll_deadline", "link_hosts"}


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
    check_options(options, lambda name: _key(where, name))
    if "enabled" in data and not isinstance(data["enabled"], bool):
        raise ConfigError(
            _key(where, "enabled"), f"expected true or false, got {data['enabled']!r}"
        )
    if options.get("fetch", "http") not in ("http", "browser"):
        raise ConfigError(
            _key(where, "fetch"), f"expected 'http' or 'browser', got {options['fetch']!r}"
        )
    check = getattr(known[kind], "check_options", None)
    if check is not None:
        try:
            check(options)
        except ConfigError as error:
            raise ConfigError(_key(where, error.key), error.problem) from None
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
        if enabled is None and merged.get("enabled") is False:
            continue
        where = f"sources.{source_id}" if override else f"{settings.sources.dir / source_id}.toml"
        catalog[source_id] = build_source(source_id, merged, where)
    return catalog


def available_sources(settings: Settings) -> list[tuple[SourceDef, bool]]:
    """Every definition in the sources folder, validated, and whether it is enabled."""
    definitions = read_definitions(settings.sources.dir)
    enabled = settings.sources.enabled
    found: list[tuple[SourceDef, bool]] = []
    for source_id, data in definitions.items():
        merged = {**data, **settings.sources.overrides.get(source_id, {})}
        source = build_source(source_id, merged, f"{settings.sources.dir / source_id}.toml")
        on = source_id in enabled if enabled is not None else merged.get("enabled") is not False
        found.append((source, on))
    return found


def render_available(found: list[tuple[SourceDef, bool]]) -> str:
    """One line per definition: id, kind, interval, on or off, name."""
    lines = [f"{'SOURCE':<30} {'KIND':<21} {'EVERY':>5}  {'STATE':<8} NAME"]
    for source, on in found:
        state = "enabled" if on else "off"
        lines.append(
            f"{source.id:<30} {source.kind:<21} {_every(source.interval_s):>5}  {state:<8} "
            f"{source.name}"
        )
    return "\n".join(lines)


def _every(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
