"""A hostile HTTP server on 127.0.0.1: answers headers, then drips the body a byte at a
time (or never sends it), the way a broken or malicious site keeps a client waiting."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType


class DripServer:
    """Every connection gets `200 OK` headers announcing `length` bytes, then one byte per
    `every_s` (`every_s=None`: nothing more, ever) until `length` or the client leaves."""

    def __init__(
        self,
        *,
        length: int = 200,
        every_s: float | None = 0.05,
        content_type: str = "text/html; charset=utf-8",
        header_drip: bool = False,
    ) -> None:
        self.length = length
        self.every_s = every_s
        self.content_type = content_type
        self.header_drip = header_drip
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, name="drip-server", daemon=True)
        self._accept.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._answer, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _answer(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(5)
            request = b""
            while b"\r\n\r\n" not in request and not self._stop.is_set():
                piece = conn.recv(4096)
                if not piece:
                    return
                request += piece
            head = (
                f"HTTP/1.1 200 OK\r\nContent-Type: {self.content_type}\r\n"
                f"Content-Length: {self.length}\r\n\r\n"
            ).encode()
            if self.header_drip:
                self._drip(conn, head)
                return
            conn.sendall(head)
            if self.every_s is None:
                self._stop.wait(30)
                return
            self._drip(conn, b"<" + b"p" * (self.length - 1))

    def _drip(self, conn: socket.socket, data: bytes) -> None:
        for index in range(len(data)):
            if self._stop.wait(self.every_s or 0.05):
                return
            conn.sendall(data[index : index + 1])

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._accept.join(2)
        for thread in self._threads:
            thread.join(2)

    def __enter__(self) -> DripServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def elapsed_since(started: float) -> float:
    return time.monotonic() - started
