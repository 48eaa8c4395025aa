"""The frozen settings values: what `monitor.config` builds and every other module reads.

Import them from `monitor.config`; they live here so that the parsing in
`monitor.config.parse` can build them without importing `monitor.config`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class StoreSettings:
    url: str


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None  # where people reach the pages; alerts link to notices there
    users_env: str | None = None  # names the variable with the pages' user:hash logins
    token_env: str | None = None  # names the variable with the pages' bearer token
    header_timeout_s: float = 10.0  # a connection must send a whole request head by then
    max_connections: int = 1000  # open connections at once; more are closed on accept
    limit_concurrency: int = 200  # requests in progress at once; more get 503

    def base_url(self, port: int | None = None) -> str:
        """`public_url`, else the listen address (with `port`, the one actually bound)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port if port is None else port}"


@dataclass(frozen=True)
class SourcesSettings:
    dir: Path
    enabled: tuple[str, ...] | None = None  # None = every definition in dir
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class SlackSettings:
    token_env: str = "SLACK_BOT_TOKEN"
    api_url: str = "https://slack.com/api/"
    timeout_s: float = 10.0

    def token(self) -> str | None:
        return os.environ.get(self.token_env) or None


@dataclass(frozen=True)
class EmailSettings:
    host: str
    sender: str
    port: int = 587
    starttls: bool = True
    ssl: bool = False
    username_env: str | None = None
    password_env: str | None = None
    timeout_s: float = 30.0

    def credentials(self) -> tuple[str, str] | None:
        user = os.environ.get(self.username_env) if self.username_env else None
        password = os.environ.get(self.password_env) if self.password_env else None
        return (user, password) if user and password else None


@dataclass(frozen=True)
class Watch:
    elements: tuple[str, ...] = ()
    control_codes: tuple[str, ...] = ()
    hs_codes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Subscriber:
    name: str
    slack_channel: str | None = None
    email: tuple[str, ...] = ()
    digest_at: time = time(8, 0)
    timezone: str = "Asia/Shanghai"
    feed_token_env: str | None = None
    watch: Watch | None = None  # None = every rare-earth-relevant event
    console: bool = False

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def feed_token(self) -> str | None:
        return os.environ.get(self.feed_token_env) if self.feed_token_env else None


@dataclass(frozen=True)
class OperatorSettings:
    slack_channel: str | None = None
    email: tuple[str, ...] = ()
    failure_threshold: int = 3
    stale_after_s: float = 6 * 3600.0


@dataclass(frozen=True)
class DeliverySettings:
    interval_s: float = 5.0
    max_age_s: float = 48 * 3600.0
    backoff_base_s: float = 30.0
    backoff_max_s: float = 3600.0
    batch: int = 100


@dataclass(frozen=True)
class ScheduleSettings:
    tick_s: float = 5.0
    jitter: float = 0.1  # fraction of a source's interval
    # Running polls renew it every tick, so it need only outlast a few missed renewals; a
    # killed replica's sources are taken over within lease + tick (25 s by default).
    lease_s: float = 20.0
    max_workers: int = 8
    request_deadline_s: float = 60.0  # one request, retries included (fetch/stream.py)
    poll_deadline_s: float = 240.0  # one poll of one source, every request included

    @property
    def send_claim_s(self) -> float:
        """How long a claimed outbox row or digest day stays reserved. Sends renew nothing, so
        they keep the 5 minutes the lease defaulted to before polls renewed theirs."""
        return max(self.lease_s, 300.0)


@dataclass(frozen=True)
class Settings:
    store: StoreSettings
    server: ServerSettings
    sources: SourcesSettings
    slack: SlackSettings | None
    email: EmailSettings | None
    subscribers: tuple[Subscriber, ...]
    operator: OperatorSettings | None
    delivery: DeliverySettings
    schedule: ScheduleSettings
    data_dir: Path
    log_format: str = "text"
    log_level: str = "INFO"
    now: datetime | None = None  # --now / $REGWATCH_NOW pin the clock
    path: Path | None = None

    def subscriber(self, name: str) -> Subscriber | None:
        return next((s for s in self.subscribers if s.name == name), None)
