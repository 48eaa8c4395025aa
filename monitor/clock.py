"""The program's clock: real, pinned by --now / $REGWATCH_NOW, or accelerated (demo)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
# The fixed +08:00 that pages print; equal to BEIJING at every date regwatch reads.
BEIJING_OFFSET = timezone(timedelta(hours=8))


def utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive value (as SQLite returns them) is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """Pinned time; `advance` moves it (tests, replays)."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta

    def set(self, value: datetime) -> None:
        self.current = value


@dataclass
class ScaledClock:
    """Starts at `start` and runs `speed` times faster than the wall clock."""

    start: datetime
    speed: float = 1.0
    _origin: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._origin) * self.speed)


def beijing_date(moment: datetime) -> date:
    """The Beijing calendar date of an aware moment (notices name Beijing dates)."""
    return moment.astimezone(BEIJING).date()


def clock_for(pinned: datetime | None) -> Clock:
    return FixedClock(pinned) if pinned is not None else SystemClock()
