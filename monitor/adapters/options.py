"""Checking the values of a source definition's options (pure), each error naming its key.

The Fetcher and the adapters read these values without checks of their own: a bad value
(`page_size = 0`, `max_bytes = -1`, `read_timeout = 0`, `politeness = "fast"`) must stop
the program at start-up with the key named, never crash or quietly misbehave every poll.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from monitor.config import parse_duration
from monitor.errors import ConfigError

Check = Callable[[Any, str], None]


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(key, f"expected a number of seconds, got {value!r}")
    return float(value)


def _integer(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(key, f"expected an integer, got {value!r}")
    return value


def positive_seconds(value: Any, key: str) -> None:
    if _number(value, key) <= 0:
        raise ConfigError(key, f"must be more than 0 seconds, got {value!r}")


def non_negative_seconds(value: Any, key: str) -> None:
    if _number(value, key) < 0:
        raise ConfigError(key, f"cannot be negative, got {value!r}")


def positive_integer(value: Any, key: str) -> None:
    if _integer(value, key) < 1:
        raise ConfigError(key, f"must be 1 or more, got {value!r}")


def non_negative_integer(value: Any, key: str) -> None:
    if _integer(value, key) < 0:
        raise ConfigError(key, f"cannot be negative, got {value!r}")


def positive_duration(value: Any, key: str) -> None:
    if parse_duration(value, key) <= 0:
        raise ConfigError(key, "must be longer than zero")


def duration(value: Any, key: str) -> None:
    parse_duration(value, key)


def text(value: Any, key: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(key, f"expected a non-empty string, got {value!r}")


def flag(value: Any, key: str) -> None:
    if not isinstance(value, bool):
        raise ConfigError(key, f"expected true or false, got {value!r}")


def host_names(value: Any, key: str) -> None:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ConfigError(key, f"expected a list of host names, got {value!r}")
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip() or "/" in item:
            raise ConfigError(f"{key}[{index}]", f"expected a host name, got {item!r}")


# Keys shared by every kind, and the mofcom-jpaas / rss ones. A key an adapter adds
# without an entry here is only type-checked by the adapter itself.
CHECKS: Mapping[str, Check] = {
    # fetch (fetch/client.py)
    "politeness": non_negative_seconds,
    "connect_timeout": positive_seconds,
    "read_timeout": positive_seconds,
    "deadline": positive_seconds,
    "max_bytes": positive_integer,
    "retries": non_negative_integer,
    "hosts": host_names,
    "link_hosts": host_names,
    "user_agent": text,
    # every source
    "recheck": duration,
    "recheck_all": duration,
    "poll_deadline": positive_duration,
    # mofcom-jpaas
    "page_size": positive_integer,
    "first_run_pages": positive_integer,
    "max_pages": positive_integer,
    "xhr": flag,
    "fetch_attachments": flag,
    "web_id": text,
    "tpl_set_id": text,
    "page_id": text,
    "tag_id": text,
    "parse_type": text,
    "api_path": text,
    # rss
    "language": text,
    "report": flag,
}


def check_options(options: Mapping[str, Any], key: Callable[[str], str]) -> None:
    """Raise ConfigError naming `key(name)` for the first bad value."""
    for name, value in options.items():
        check = CHECKS.get(name)
        if check is not None:
            check(value, key(name))
