"""Structured logging on the stdlib: one line per record, JSON or text (``[logging] format``).

Context travels in ``extra``: ``log.info("polled", extra={"source_id": s.id})``. Every
formatter prints the context fields it finds (source_id, event_id, worker, …) so a line can
be traced to its source or event. Secrets never reach the output: the values of every
environment variable the settings name (``*_env`` keys), passwords in URLs and Slack tokens
are replaced by ``***`` before formatting.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from monitor.config import Settings

# Attributes every LogRecord has; anything else on a record came from `extra`.
_STANDARD = frozenset(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's ANSI-coloured copy of the message
}
# Shown first, in this order, when present.
CONTEXT_FIELDS = ("source_id", "event_id", "subscriber", "channel", "worker")
_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://[^/:@\s]+):[^@/\s]+@", re.I)
_SLACK_TOKEN = re.compile(r"xox[abposr]-[A-Za-z0-9-]+")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
# Alembic logs its plugin set-up and "Context impl SQLiteImpl." at INFO on every start.
_NOISY_LOGGERS = ("alembic", "apscheduler", "httpx", "httpcore", "uvicorn.access")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with known secret values, URL passwords and bearer/Slack tokens masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = _URL_PASSWORD.sub(r"\g<scheme>:***@", text)
    text = _SLACK_TOKEN.sub("xox?-***", text)
    return _BEARER.sub(r"\1***", text)


def secret_values(settings: Settings, environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The current values of every environment variable the settings name as a secret."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    names: list[str] = []
    if settings.slack is not None:
        names.append(settings.slack.token_env)
    if settings.email is not None:
        names += [n for n in (settings.email.username_env, settings.email.password_env) if n]
    names += [s.feed_token_env for s in settings.subscribers if s.feed_token_env]
    # Short values (e.g. "1") would mask half the log; real secrets are longer.
    return tuple(v for v in (env.get(n) for n in names) if v and len(v) >= 4)


def context_of(record: logging.LogRecord) -> dict[str, Any]:
    """The `extra` fields of a record, context fields first."""
    extra = {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}
    ordered = {k: extra.pop(k) for k in CONTEXT_FIELDS if k in extra}
    ordered.update(extra)
    return ordered


class _RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def _redact(self, text: str) -> str:
        return redact(text, self.secrets)


class JsonFormatter(_RedactingFormatter):
    """One JSON object per line: ts, level, logger, msg, the context fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": self._redact(record.getMessage()),
        }
        for key, value in context_of(record).items():
            entry.setdefault(key, _jsonable(value, self._redact))
        if record.exc_info:
            entry["exc"] = self._redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(_RedactingFormatter):
    """``2026-11-21T09:00:00.123Z INFO monitor.daemon.timer polled source_id=mofcom-zcfb``."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        parts = [f"{stamp}Z", record.levelname, record.name, record.getMessage()]
        parts += [f"{k}={_text_value(v)}" for k, v in context_of(record).items()]
        line = self._redact(" ".join(parts))
        if record.exc_info:
            line += "\n" + self._redact(self.formatException(record.exc_info))
        return line


def _jsonable(value: Any, clean: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v, clean) for v in value]
    return clean(str(value))


def _text_value(value: Any) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if (not text or " " in text) else text


def make_formatter(fmt: str, secrets: Iterable[str] = ()) -> logging.Formatter:
    return JsonFormatter(secrets) if fmt == "json" else TextFormatter(secrets)


def configure_logging(
    fmt: str = "text",
    level: str = "INFO",
    *,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> logging.Handler:
    """Route every logger through one handler on stderr (or `stream`); returns the handler.

    Idempotent: a handler installed by an earlier call is replaced, not duplicated.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_regwatch", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(make_formatter(fmt, secrets))
    handler._regwatch = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Libraries that log every request / every job run stay quiet unless we debug.
    quiet = logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
    return handler


def configure_from_settings(settings: Settings, *, stream: TextIO | None = None) -> logging.Handler:
    return configure_logging(
        settings.log_format, settings.log_level, secrets=secret_values(settings), stream=stream
    )
