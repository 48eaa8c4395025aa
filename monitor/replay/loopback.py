"""A replay served over HTTP: on a 127.0.0.1 socket (a threaded HTTP/1.1 server) or in
process (an httpx transport, no socket), with the same answers and faults either way.

Loopback notes (ARCHITECTURE.md, Tooling): the listen backlog is raised (the stdlib's 5
stalls concurrent clients) and every response goes out in ONE write (headers and body
written separately stall keep-alive clients on Nagle + delayed ACK).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Protocol, Self

import httpx

HTML = "text/html; charset=utf-8"
_STATUS_TEXT = {200: "OK", 202: "Accepted", 304: "Not Modified", 404: "Not Found",
                405: "Method Not Allowed", 412: "Precondition Failed", 500: "Internal Server Error",
                521: "Web Server Is Down"}  # fmt: skip


@dataclass
class Answer:
    """What to send back for one request."""

    status: int
    body: bytes = b""
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)
    cut: bool = False  # announce more bytes than sent, then close
    reset: bool = False  # close the socket without answering


class Answers(Protocol):
    """A replayed service: answers a request (called from handler threads)."""

    def answer(self, method: str, target: str, headers: Mapping[str, str]) -> Answer: ...


class FormAnswers(Answers, Protocol):
    """A replayed service that also answers POSTs (form-encoded list APIs)."""

    def answer_post(self, target: str, headers: Mapping[str, str], body: bytes) -> Answer: ...


_connection = threading.local()


def current_peer() -> str:
    """The client "host:port" of the connection being answered: one value per TCP
    connection ("" in process)."""
    return str(getattr(_connection, "peer", ""))


class LoopbackServer:
    """Serves `site` on 127.0.0.1:`port` (0: any free port) from a daemon thread."""

    def __init__(self, site: Answers, port: int = 0, *, name: str = "replay-site") -> None:
        self._server = _Server(("127.0.0.1", port), _Handler, site)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name=name, daemon=True,
        )  # fmt: skip
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def stop(self) -> None:
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=5)


class _CutStream(httpx.SyncByteStream):
    """A body that stops early, as when the peer closes mid-response."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def __iter__(self) -> Iterator[bytes]:
        yield self.body
        raise httpx.RemoteProtocolError("peer closed connection mid-body")


def in_process_transport(site: Answers) -> httpx.BaseTransport:
    """`site` as an httpx transport: same answers and faults, no socket (requests may use
    any host; the site answers by path)."""

    def handle(request: httpx.Request) -> httpx.Response:
        target = request.url.raw_path.decode("ascii")
        headers = dict(request.headers.items())
        if request.method == "POST":
            answer = _posted(site, target, headers, request.read())
        else:
            answer = site.answer(request.method, target, headers)
        if answer.reset:
            raise httpx.ReadError("connection reset by peer", request=request)
        headers = dict(answer.headers)
        if answer.content_type and answer.status != 304:
            headers["Content-Type"] = answer.content_type
        if answer.cut:
            headers["Content-Length"] = str(len(answer.body) * 2 + 100)
            return httpx.Response(answer.status, headers=headers,
                                  stream=_CutStream(answer.body))  # fmt: skip
        return httpx.Response(answer.status, headers=headers, content=answer.body)

    return httpx.MockTransport(handle)


def _posted(site: Answers, target: str, headers: Mapping[str, str], body: bytes) -> Answer:
    answer_post = getattr(site, "answer_post", None)
    if answer_post is None:
        return Answer(405, b"", "")
    result: Answer = answer_post(target, headers, body)
    return result


class _Server(ThreadingHTTPServer):
    request_queue_size = 128
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[_Handler], site: Answers
                 ) -> None:  # fmt: skip
        self.site = site
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake handler threads parked on idle keep-alive connections."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 30

    def do_GET(self) -> None:
        self._respond("GET")

    def do_POST(self) -> None:
        self._respond("POST")

    def _respond(self, method: str) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        host, port = self.client_address[:2]
        _connection.peer = f"{host}:{port}"  # one handler thread per connection
        if method == "POST":
            body = self.rfile.read(int(headers.get("content-length", "0") or 0))
            answer = _posted(self.server.site, self.path, headers, body)
        else:
            answer = self.server.site.answer("GET", self.path, headers)
        if answer.reset:
            # SO_LINGER 0: close() sends RST, like a WAF dropping the first connection
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))  # fmt: skip
            self.close_connection = True
            return
        length = len(answer.body) * 2 + 100 if answer.cut else len(answer.body)
        lines = [f"HTTP/1.1 {answer.status} {_STATUS_TEXT.get(answer.status, 'Status')}",
                 f"Date: {formatdate(usegmt=True)}", "Server: replay",
                 f"Content-Length: {length}"]  # fmt: skip
        if answer.content_type and answer.status != 304:
            lines.append(f"Content-Type: {answer.content_type}")
        lines += [f"{name}: {value}" for name, value in answer.headers.items()]
        if answer.cut:
            lines.append("Connection: close")
            self.close_connection = True
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + answer.body)  # one write: see the module docstring

    def log_message(self, format: str, *args: object) -> None:
        pass


class ServedOnLoopback(ABC):
    """A replayed site's lifecycle: `start()` serves it on 127.0.0.1 (a context manager too),
    `base_url` once started, `stop()` closes it."""

    _server: LoopbackServer | None = None
    _listen_port = 0  # 0: any free port

    @abstractmethod
    def answer(self, method: str, target: str, headers: Mapping[str, str]) -> Answer: ...

    def _thread_name(self) -> str:
        return "replay-site"

    def start(self) -> Self:
        if self._server is None:
            self._server = LoopbackServer(self, self._listen_port, name=self._thread_name())
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return f"http://127.0.0.1:{self._server.port}"
