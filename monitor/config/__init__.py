"""TOML file + environment → validated, frozen `Settings`.

Every problem is a `ConfigError` naming the key (``subscribers[1].watch.elements``) before
anything runs. Secrets never live in the file: only the names of environment variables
(``*_env`` keys) that hold them.

This is where the rest of the program imports settings from: the values are defined in
`monitor.config.settings`, the key-by-key parsing is `monitor.config.parse`; this module finds and
reads the file and the environment.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from monitor.config.parse import build_settings, bundled_sources_dir, parse_duration
from monitor.config.settings import (
    DeliverySettings,
    EmailSettings,
    OperatorSettings,
    ScheduleSettings,
    ServerSettings,
    Settings,
    SlackSettings,
    SourcesSettings,
    StoreSettings,
    Subscriber,
    Watch,
)
from monitor.errors import ConfigError

__all__ = [
    "CONFIG_ENV",
    "NOW_ENV",
    "DeliverySettings",
    "EmailSettings",
    "OperatorSettings",
    "ScheduleSettings",
    "ServerSettings",
    "Settings",
    "SlackSettings",
    "SourcesSettings",
    "StoreSettings",
    "Subscriber",
    "Watch",
    "build_settings",
    "bundled_sources_dir",
    "load_settings",
    "parse_duration",
    "parse_now",
]

CONFIG_ENV = "REGWATCH_CONFIG"
NOW_ENV = "REGWATCH_NOW"


def load_settings(
    path: Path | None = None,
    *,
    now: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Load settings from `path`, else ``$REGWATCH_CONFIG``, else the built-in defaults."""
    env = os.environ if environ is None else environ
    if path is None and env.get(CONFIG_ENV):
        path = Path(env[CONFIG_ENV])
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(str(path), "config file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(str(path), f"not valid TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(str(path), f"cannot read: {exc}") from None
    now_text = now if now is not None else env.get(NOW_ENV)
    return build_settings(
        data,
        path=path,
        now=parse_now(now_text, "--now" if now is not None else NOW_ENV) if now_text else None,
    )


def parse_now(value: str, key: str = "--now") -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(key, f"expected an ISO 8601 time with offset, got {value!r}") from None
    if parsed.tzinfo is None:
        raise ConfigError(key, f"{value!r} has no UTC offset (e.g. 2026-11-21T09:00:00+08:00)")
    return parsed
