"""Running the HTTP app (`monitor.serve.app`) with uvicorn.

In the foreground until SIGINT/SIGTERM (`serve`, for ``regwatch serve``), or in a daemon
thread beside the daemon's jobs and in tests (`start_in_thread`). The socket is bound
before uvicorn starts, so a port that cannot be had is a `ConfigError` naming
``server.listen``, and port 0 picks a free one.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette

from monitor.clock import Clock
from monitor.config import ServerSettings, Settings
from monitor.config.environment import require_feed_tokens
from monitor.errors import ConfigError
from monitor.serve.app import build_app
from monitor.serve.guarded import guarded_protocol
from monitor.store import Store

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    """uvicorn, but a signal stops it cleanly (exit 0) instead of being re-raised."""

    def __init__(self, config: uvicorn.Config, *, handle_signals: bool) -> None:
        super().__init__(config)
        self._handle_signals = handle_signals

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        if not self._handle_signals or threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self._stop) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, sig: int, _frame: object) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        self.should_exit = True


def _config(
    app: Starlette, host: str, port: int, access_log: bool, server: ServerSettings
) -> uvicorn.Config:
    # Limits for clients that open connections and never finish (monitor/serve/guarded.py).
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="off",
        log_config=None,
        access_log=access_log,
        backlog=2048,
        timeout_graceful_shutdown=5,
        server_header=False,
        http=guarded_protocol(server.header_timeout_s, server.max_connections),
        timeout_keep_alive=5,  # an idle kept-alive connection closes after 5 s
        limit_concurrency=server.limit_concurrency,  # requests at once; more get 503
        h11_max_incomplete_event_size=16 * 1024,  # a longer request head gets 400
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError("server.listen", f"cannot listen on {host}:{port}: {exc}") from exc
    # Listening now means connections queue in the backlog until the loop accepts them.
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


@dataclass
class ServerHandle:
    """A server running in a background thread."""

    host: str
    port: int
    thread: threading.Thread
    server: uvicorn.Server

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
        if self.thread.is_alive():
            self.server.force_exit = True
            self.thread.join(timeout)


def start_in_thread(
    settings: Settings,
    store: Store,
    clock: Clock,
    *,
    host: str | None = None,
    port: int | None = None,
    access_log: bool = False,
    startup_timeout: float = 10.0,
) -> ServerHandle:
    """Start the server in a daemon thread; returns once it accepts connections.

    `port` 0 (or ``[server] listen = "…:0"``) picks a free port: see `ServerHandle.port`.
    """
    host = host if host is not None else settings.server.host
    sock = _bind(host, settings.server.port if port is None else port)
    bound_port = int(sock.getsockname()[1])
    app = build_app(store, settings, clock, base_url=settings.server.base_url(bound_port))
    server = _Server(
        _config(app, host, bound_port, access_log, settings.server), handle_signals=False
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="regwatch-http", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the HTTP server did not start on {host}:{bound_port}")
        time.sleep(0.005)
    log.info("serving on http://%s:%d", host, bound_port)
    return ServerHandle(host, bound_port, thread, server)


def serve(
    settings: Settings,
    store: Store,
    clock: Clock,
    *,
    install_signal_handlers: bool = True,
    access_log: bool = False,
) -> None:
    """Serve in the foreground until SIGINT/SIGTERM (with `install_signal_handlers`)."""
    host, port = settings.server.host, settings.server.port
    require_feed_tokens(settings)
    sock = _bind(host, port)
    bound_port = int(sock.getsockname()[1])
    app = build_app(store, settings, clock, base_url=settings.server.base_url(bound_port))
    server = _Server(
        _config(app, host, bound_port, access_log, settings.server),
        handle_signals=install_signal_handlers,
    )
    log.info("serving on http://%s:%d", host, bound_port)
    server.run(sockets=[sock])
