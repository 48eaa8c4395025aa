"""The per-source keys the Fetcher reads (`monitor.fetch.client` documents them).

Apart from the client so that validating source definitions (`regwatch sources`, the
catalog) does not import the HTTP stack.
"""

from __future__ import annotations

FETCH_OPTIONS = frozenset(
    {"politeness", "connect_timeout", "read_timeout", "max_bytes", "retries", "hosts",
     "user_agent", "fetch", "deadline"}
)  # fmt: skip
