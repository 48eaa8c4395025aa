"""The pool of daemon threads the daemon polls and runs its timer jobs on."""

from __future__ import annotations

import pytest

from monitor.daemon.pool import DaemonThreadPool

WAIT = 10.0  # upper bound for waits on results; tests finish far sooner


def test_daemon_thread_pool_runs_and_shuts_down() -> None:
    pool = DaemonThreadPool(2, "t")
    futures = [pool.submit(lambda x: x * 2, i) for i in range(5)]
    assert [f.result(WAIT) for f in futures] == [0, 2, 4, 6, 8]
    assert all(t.daemon for t in pool._threads)
    pool.shutdown(wait=True)
    with pytest.raises(RuntimeError):
        pool.submit(lambda: None)
