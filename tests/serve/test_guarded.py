"""The HTTP server closes connections that never finish a request head, and caps how many
are open at once (real uvicorn on 127.0.0.1, real sockets)."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from monitor.clock import FixedClock
from monitor.config import build_settings
from monitor.serve.runner import ServerHandle, start_in_thread
from monitor.store import Store

CLOCK = FixedClock(datetime(2025, 11, 8, 4, 0, tzinfo=UTC))


@pytest.fixture
def server(sqlite_store: Store) -> Iterator[ServerHandle]:
    settings = build_settings(
        {"server": {"listen": "127.0.0.1:0", "header_timeout": "0.5s", "max_connections": 300}}
    )
    handle = start_in_thread(settings, sqlite_store, CLOCK, port=0)
    yield handle
    handle.stop()


def half_open(port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # never ends
        sockets.append(sock)
    return sockets


def closed_by_server(sock: socket.socket, within_s: float) -> bool:
    sock.settimeout(within_s)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_connections_that_never_finish_their_head_are_closed(server: ServerHandle) -> None:
    sockets = half_open(server.port, 200)
    try:
        started = time.monotonic()
        assert all(closed_by_server(sock, 5) for sock in sockets)
        assert time.monotonic() - started < 5
        # The server still answers whole requests.
        assert httpx.get(f"{server.url}/healthz", timeout=5).status_code in (200, 503)
    finally:
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()


def test_a_trickled_next_request_on_a_kept_alive_connection_is_closed(
    server: ServerHandle,
) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert b"HTTP/1.1" in sock.recv(65536)
        sock.sendall(b"G")  # cancels uvicorn's keep-alive timer; not ours
        deadline = time.monotonic() + 5
        received = b"x"
        while received and time.monotonic() < deadline:
            received = sock.recv(65536)
        assert received == b""


def test_connections_beyond_the_cap_are_closed_at_once(sqlite_store: Store) -> None:
    settings = build_settings(
        {"server": {"listen": "127.0.0.1:0", "header_timeout": "30s", "max_connections": 5}}
    )
    handle = start_in_thread(settings, sqlite_store, CLOCK, port=0)
    sockets = half_open(handle.port, 8)
    try:
        closed = [closed_by_server(sock, 1.0) for sock in sockets]
        assert closed.count(True) == 3 and not any(closed[:5])
    finally:
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()
        handle.stop()
