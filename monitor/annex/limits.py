"""What reading one annex may cost, and the failure that says why an annex was not read."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class AnnexLimits:
    max_bytes: int = 20 * 1024 * 1024
    max_pages: int = 300  # PDF pages, or sheets × 1 for workbooks
    max_rows: int = 50_000
    max_seconds: float = 20.0


class AnnexError(Exception):
    """An annex that gives no items: encrypted, scanned, truncated, malformed, over a limit.

    `reason` is a short machine word (`encrypted`, `image_only`, `malformed`, `too_large`,
    `too_many_pages`, `timeout`, `legacy_doc`, `unknown_format`); the message says it for people.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason


class Deadline:
    """The time cap of one file in CPU seconds of the reading thread (a busy machine does not
    fail a good file), checked between pages and rows (parsers cannot be interrupted)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.thread_time() + seconds

    def check(self) -> None:
        if time.thread_time() > self.ends:
            raise AnnexError("timeout", f"reading took longer than {self.seconds:g} s")
