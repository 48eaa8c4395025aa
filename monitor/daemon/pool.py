"""A fixed pool of daemon threads, and the APScheduler executor that runs jobs on one.

The daemon (`monitor.daemon.timer`) polls and runs its timer jobs on these so that whatever is
still running when it stops is abandoned instead of holding the process's exit.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

from apscheduler.executors.pool import BasePoolExecutor


class DaemonThreadPool(Executor):
    """A fixed pool of daemon threads: what is still running at exit is abandoned.

    concurrent.futures.ThreadPoolExecutor joins its threads when the interpreter exits, so
    one request hanging in a poll would hold `regwatch run` past its stop deadline.
    """

    def __init__(self, workers: int, name: str) -> None:
        self._queue: queue.SimpleQueue[
            tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None
        ] = queue.SimpleQueue()
        self._closed = False
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True)
            for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if self._closed:
            raise RuntimeError("the pool is shut down")
        future: Future[Any] = Future()
        self._queue.put((future, fn, args, kwargs))
        return future

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            future, fn, args, kwargs = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:
                future.set_exception(exc)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if not self._closed:
            self._closed = True
            for _ in self._threads:
                self._queue.put(None)  # after everything already queued
        if wait:
            self.join(None)

    def join(self, deadline: float | None) -> bool:
        """Wait for the threads to end (until the `time.monotonic` `deadline`); True if all did."""
        for thread in self._threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self._threads)


class SchedulerPoolExecutor(BasePoolExecutor):  # type: ignore[misc]
    """APScheduler jobs run on `pool`.

    APScheduler's own ThreadPoolExecutor makes a concurrent.futures pool; BasePoolExecutor
    takes any pool, but its `__init__` is abstract, hence this class.
    """

    def __init__(self, pool: Executor) -> None:
        super().__init__(pool)
