"""Parsed TOML → validated, frozen `Settings`, key by key.

`build_settings` reads each section with a `_Table`, which refuses unknown keys and secrets,
so every problem is a `ConfigError` naming the key (``subscribers[1].watch.elements``).
Reading the file and the environment is `monitor.config`'s part, and the public names are
imported from there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, time
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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

DEFAULT_DATA_DIR = Path("regwatch-data")
ELEMENT_SYMBOLS = frozenset(  # the lanthanides, scandium and yttrium
    {"La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu"}
    | {"Sc", "Y"}
)
_SECRET_KEYS = frozenset({"token", "password", "username", "feed_token", "secret", "api_key"})
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


def bundled_sources_dir() -> Path:
    here = Path(__file__).resolve().parents[1]
    for candidate in (here / "_sources", here.parent / "sources"):
        if candidate.is_dir():
            return candidate
    return here.parent / "sources"


def parse_duration(value: object, key: str) -> float:
    if isinstance(value, bool):
        raise ConfigError(key, f"expected a duration like '15m', got {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ConfigError(key, "a duration cannot be negative")
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return float(match.group(1)) * _UNIT_S[match.group(2)]
    raise ConfigError(key, f"expected a duration like '30s', '15m', '1h', got {value!r}")


class _Table:
    """Reads one TOML table, remembering which keys were used so the rest can be refused."""

    def __init__(self, data: Mapping[str, Any], path: str) -> None:
        self.data = data
        self.path = path
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        self.seen.add(name)
        if name not in self.data:
            return default
        value = self.data[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            raise ConfigError(self.key(name), f"expected {_kind_names(kinds)}, got {value!r}")
        if not isinstance(value, kinds):
            raise ConfigError(self.key(name), f"expected {_kind_names(kinds)}, got {value!r}")
        return value

    def strings(self, name: str) -> tuple[str, ...]:
        value = self.get(name, (list, str), [])
        items = [value] if isinstance(value, str) else value
        for index, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                raise ConfigError(f"{self.key(name)}[{index}]", f"expected a string, got {item!r}")
        return tuple(item.strip() for item in items)

    def table(self, name: str) -> _Table | None:
        value = self.get(name, dict)
        return None if value is None else _Table(value, self.key(name))

    def finish(self) -> None:
        for name in self.data:
            if name in _SECRET_KEYS:
                raise ConfigError(
                    self.key(name),
                    "secrets are not accepted in the config file; put the value in an "
                    f"environment variable and name it with {self.key(name + '_env')}",
                )
            if name not in self.seen:
                raise ConfigError(self.key(name), "unknown key")


def _kind_names(kinds: tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _env_name(table: _Table, name: str) -> str | None:
    value = table.get(name, str)
    if value is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        # Never echo it: what was typed here is often the secret itself.
        raise ConfigError(
            table.key(name),
            "expected the NAME of an environment variable (letters, digits, _), not a value; "
            "put the secret in the environment and its name here",
        )
    return value  # type: ignore[no-any-return]


def _listen(value: str, key: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(key, f"expected HOST:PORT, got {value!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def _public_url(value: str | None, key: str) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            key, f"expected an http(s) URL such as https://regwatch.example.com, got {value!r}"
        )
    return value.strip().rstrip("/")


def _clock_time(value: str, key: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ConfigError(key, f"expected HH:MM, got {value!r}") from None


def _timezone(value: str, key: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(key, f"unknown time zone {value!r}") from None
    return value


def _watch(table: _Table) -> Watch:
    elements = table.strings("elements")
    for index, symbol in enumerate(elements):
        if symbol not in ELEMENT_SYMBOLS:
            raise ConfigError(
                f"{table.key('elements')}[{index}]",
                f"{symbol!r} is not a rare-earth element symbol",
            )
    watch = Watch(
        elements=elements,
        control_codes=table.strings("control_codes"),
        hs_codes=table.strings("hs_codes"),
        keywords=table.strings("keywords"),
    )
    table.finish()
    return watch


def _subscriber(table: _Table, index: int, names: set[str]) -> Subscriber:
    name = table.get("name", str)
    if not name:
        raise ConfigError(table.key("name"), "every subscriber needs a name")
    if name in names:
        raise ConfigError(table.key("name"), f"duplicate subscriber name {name!r}")
    names.add(name)
    watch_table = table.table("watch")
    subscriber = Subscriber(
        name=name,
        slack_channel=table.get("slack_channel", str),
        email=table.strings("email"),
        digest_at=_clock_time(table.get("digest_at", str, "08:00"), table.key("digest_at")),
        timezone=_timezone(table.get("timezone", str, "Asia/Shanghai"), table.key("timezone")),
        feed_token_env=_env_name(table, "feed_token_env"),
        watch=_watch(watch_table) if watch_table is not None else None,
        console=table.get("console", bool, False),
    )
    table.finish()
    return subscriber


def _section(root: _Table, name: str, build: Callable[[_Table], Any]) -> Any:
    table = root.table(name)
    if table is None:
        return None
    value = build(table)
    table.finish()
    return value


def build_settings(
    data: Mapping[str, Any], *, path: Path | None = None, now: datetime | None = None
) -> Settings:
    root = _Table(data, "")
    base = path.parent if path is not None else Path.cwd()
    data_dir = Path(root.get("data_dir", str, str(DEFAULT_DATA_DIR)))
    if not data_dir.is_absolute():
        data_dir = base / data_dir

    store = _section(root, "store", lambda t: StoreSettings(url=t.get("url", str, "")))
    store_url = store.url if store and store.url else f"sqlite:///{data_dir / 'regwatch.db'}"
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", store_url):
        raise ConfigError(
            "store.url", f"expected sqlite:/// or postgresql+psycopg:// URL, got {store_url!r}"
        )

    server = _section(root, "server", _server) or ServerSettings()

    sources = _sources(root.table("sources"), base)
    slack = _section(
        root,
        "slack",
        lambda t: SlackSettings(
            token_env=_env_name(t, "token_env") or "SLACK_BOT_TOKEN",
            api_url=t.get("api_url", str, "https://slack.com/api/"),
            timeout_s=parse_duration(t.get("timeout", (str, int, float), 10), t.key("timeout")),
        ),
    )
    email = _section(root, "email", _email)

    subscriber_list = root.get("subscribers", list, None)
    names: set[str] = set()
    if subscriber_list is None:
        subscribers: tuple[Subscriber, ...] = (Subscriber(name="console", console=True),)
    else:
        built = []
        for index, item in enumerate(subscriber_list):
            if not isinstance(item, dict):
                raise ConfigError(f"subscribers[{index}]", "expected a table ([[subscribers]])")
            built.append(_subscriber(_Table(item, f"subscribers[{index}]"), index, names))
        subscribers = tuple(built)
    for index, sub in enumerate(subscribers):
        if sub.slack_channel and slack is None:
            raise ConfigError(f"subscribers[{index}].slack_channel", "needs a [slack] section")
        if sub.email and email is None:
            raise ConfigError(f"subscribers[{index}].email", "needs an [email] section")

    operator = _section(
        root,
        "operator",
        lambda t: OperatorSettings(
            slack_channel=t.get("slack_channel", str),
            email=t.strings("email"),
            failure_threshold=_positive_int(t, "failure_threshold", 3),
            stale_after_s=parse_duration(
                t.get("stale_after", (str, int, float), "6h"), t.key("stale_after")
            ),
        ),
    )
    if operator and operator.slack_channel and slack is None:
        raise ConfigError("operator.slack_channel", "needs a [slack] section")
    if operator and operator.email and email is None:
        raise ConfigError("operator.email", "needs an [email] section")

    delivery = (
        _section(
            root,
            "delivery",
            lambda t: DeliverySettings(
                interval_s=parse_duration(
                    t.get("interval", (str, int, float), "5s"), t.key("interval")
                ),
                max_age_s=parse_duration(
                    t.get("max_age", (str, int, float), "48h"), t.key("max_age")
                ),
                backoff_base_s=parse_duration(
                    t.get("backoff_base", (str, int, float), "30s"), t.key("backoff_base")
                ),
                backoff_max_s=parse_duration(
                    t.get("backoff_max", (str, int, float), "1h"), t.key("backoff_max")
                ),
                batch=_positive_int(t, "batch", 100),
            ),
        )
        or DeliverySettings()
    )
    schedule = (
        _section(
            root,
            "schedule",
            lambda t: ScheduleSettings(
                tick_s=_positive_duration(t, "tick", "5s"),
                jitter=_fraction(t, "jitter", 0.1),
                lease_s=_positive_duration(t, "lease", "20s"),
                max_workers=_positive_int(t, "max_workers", 8),
                request_deadline_s=_positive_duration(t, "request_deadline", "60s"),
                poll_deadline_s=_positive_duration(t, "poll_deadline", "4m"),
            ),
        )
        or ScheduleSettings()
    )

    logging_table = root.table("logging")
    log_format, log_level = "text", "INFO"
    if logging_table is not None:
        log_format = logging_table.get("format", str, "text")
        if log_format not in ("text", "json"):
            raise ConfigError("logging.format", f"expected 'text' or 'json', got {log_format!r}")
        log_level = logging_table.get("level", str, "INFO").upper()
        if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ConfigError(
                "logging.level", f"expected DEBUG, INFO, WARNING or ERROR, got {log_level!r}"
            )
        logging_table.finish()

    root.finish()
    return Settings(
        store=StoreSettings(url=store_url),
        server=server,
        sources=sources,
        slack=slack,
        email=email,
        subscribers=subscribers,
        operator=operator,
        delivery=delivery,
        schedule=schedule,
        data_dir=data_dir,
        log_format=log_format,
        log_level=log_level,
        now=now,
        path=path,
    )


def _positive_duration(table: _Table, name: str, default: str) -> float:
    seconds = parse_duration(table.get(name, (str, int, float), default), table.key(name))
    if seconds <= 0:
        raise ConfigError(table.key(name), "must be longer than zero")
    return seconds


def _fraction(table: _Table, name: str, default: float) -> float:
    value = float(table.get(name, (int, float), default))
    if not 0 <= value < 1:
        raise ConfigError(
            table.key(name), f"a share of the interval: at least 0 and below 1, got {value}"
        )
    return value


def _positive_int(table: _Table, name: str, default: int) -> int:
    value: int = table.get(name, int, default)
    if value < 1:
        raise ConfigError(table.key(name), f"expected a positive integer, got {value}")
    return value


def _server(table: _Table) -> ServerSettings:
    host, port = _listen(table.get("listen", str, "127.0.0.1:8080"), table.key("listen"))
    return ServerSettings(
        host=host,
        port=port,
        public_url=_public_url(table.get("public_url", str), table.key("public_url")),
        users_env=_env_name(table, "users_env"),
        token_env=_env_name(table, "token_env"),
        header_timeout_s=_positive_duration(table, "header_timeout", "10s"),
        max_connections=_positive_int(table, "max_connections", 1000),
        limit_concurrency=_positive_int(table, "limit_concurrency", 200),
    )


def _email(table: _Table) -> EmailSettings:
    host = table.get("host", str)
    sender = table.get("sender", str)
    if not host:
        raise ConfigError(table.key("host"), "the SMTP host is required")
    if not sender or "@" not in sender:
        raise ConfigError(table.key("sender"), f"expected an email address, got {sender!r}")
    port = table.get("port", int, 587)
    if not 0 < port < 65536:
        raise ConfigError(table.key("port"), f"expected a port number, got {port}")
    return EmailSettings(
        host=host,
        sender=sender,
        port=port,
        starttls=table.get("starttls", bool, True),
        ssl=table.get("ssl", bool, False),
        username_env=_env_name(table, "username_env"),
        password_env=_env_name(table, "password_env"),
        timeout_s=parse_duration(table.get("timeout", (str, int, float), 30), table.key("timeout")),
    )


def _sources(table: _Table | None, base: Path) -> SourcesSettings:
    if table is None:
        return SourcesSettings(dir=bundled_sources_dir())
    dir_value = table.get("dir", str)
    directory = bundled_sources_dir() if dir_value is None else Path(dir_value)
    if not directory.is_absolute():
        directory = base / directory
    if not directory.is_dir():
        raise ConfigError(table.key("dir"), f"no such folder: {directory}")
    enabled = table.get("enabled", list)
    if enabled is not None:
        enabled = table.strings("enabled")
    overrides: dict[str, Mapping[str, Any]] = {}
    for name, value in table.data.items():
        if name in ("dir", "enabled"):
            continue
        table.seen.add(name)
        if not isinstance(value, dict):
            raise ConfigError(
                table.key(name), "unknown key (source overrides are tables: [sources.<id>])"
            )
        # Override keys are checked against the source's adapter in catalog.py.
        overrides[name] = MappingProxyType(dict(value))
    table.finish()
    return SourcesSettings(dir=directory, enabled=enabled, overrides=MappingProxyType(overrides))
