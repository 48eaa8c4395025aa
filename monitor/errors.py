"""The exception tree of regwatch.

RegwatchError
├── ConfigError             bad config file or value; names the key (exit 2)
├── UsageError              bad command-line input: unknown source, bad date (exit 2)
├── StoreError              the store is unreachable or its schema is unusable (exit 2)
│   └── StoreConflictError  a write hit a unique key another process wrote first
├── SourceError             one source could not be polled (exit 3, the rest go on)
│   ├── FetchError          transport failure, bad status, challenge page, empty/truncated body
│   └── ParseError          the page arrived but its layout is not what the adapter knows
└── DeliveryError           a channel could not deliver; `retryable` says whether to try again
"""

from __future__ import annotations


class RegwatchError(Exception):
    """Base of every error regwatch raises on purpose."""


class ConfigError(RegwatchError):
    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"config: {key}: {problem}")


class UsageError(RegwatchError):
    pass


class StoreError(RegwatchError):
    pass


class StoreConflictError(StoreError):
    """A transaction hit a unique key another writer committed first; retrying sees it."""


class SourceError(RegwatchError):
    """A source failed. `reason` is a short stable label used in metrics and health."""

    def __init__(self, reason: str, message: str, url: str | None = None) -> None:
        self.reason = reason
        self.url = url
        super().__init__(f"{reason}: {message}" + (f" ({url})" if url else ""))


class FetchError(SourceError):
    pass


class ParseError(SourceError):
    pass


class DeliveryError(RegwatchError):
    def __init__(
        self, message: str, *, retryable: bool, retry_after_s: float | None = None
    ) -> None:
        self.retryable = retryable
        self.retry_after_s = retry_after_s
        super().__init__(message)
