"""Crash injection for the crash tests: `REGWATCH_FAILPOINT=<name>` kills the process there.

Each named point sits where a real crash would hurt most (between a commit and the work
that follows it). Unset in production, it costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "REGWATCH_FAILPOINT"

AFTER_POLL_COMMIT = "after_poll_commit"  # events and outbox rows committed, nothing delivered
AFTER_SEND_BEFORE_MARK = "after_send_before_mark"  # channel said ok, row not yet marked sent


def failpoint(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
