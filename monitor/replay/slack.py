"""A Slack Web API stand-in on 127.0.0.1, for tests and the offline demo.

It answers ``chat.postMessage`` and ``auth.test`` the way slack.com does for a bot token —
JSON or form bodies, ``Authorization: Bearer`` (or a ``token`` field), ``{"ok": false,
"error": …}`` answers — checks Slack's Block Kit limits, and records every message it
accepted. Faults are programmable: ``fail_next(2, status=429, retry_after=1)``, ``fail_next(
status=500)``, ``fail_next(error="channel_not_found")``. Point slack-sdk at it with
``WebClient(base_url=standin.api_url)`` or ``[slack] api_url``.

Standard library only. Each response goes out in one write (headers and body together), so
keep-alive clients do not stall on Nagle's algorithm and delayed ACKs.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

DEFAULT_TOKEN = "xoxb-regwatch-stand-in"
MAX_BLOCKS = 50
MAX_TEXT = 3000
MAX_HEADER = 150
MAX_FIELDS = 10
MAX_FIELD = 2000
MAX_MESSAGE_TEXT = 40000


@dataclass(frozen=True)
class PostedMessage:
    channel: str
    text: str | None
    blocks: list[dict[str, Any]] | None
    metadata: dict[str, Any] | None
    ts: str


@dataclass(frozen=True)
class Fault:
    status: int = 429
    retry_after: float | None = 1
    error: str | None = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 stalls concurrent clients
    standin: SlackStandIn


class SlackStandIn:
    """``with SlackStandIn() as slack: …`` — or `start()` / `stop()`."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        channels: Iterable[str] | None = None,
    ) -> None:
        self.token = token
        self.known_channels = set(channels) if channels is not None else None
        self._lock = threading.Lock()
        self._faults: deque[Fault] = deque()
        self._messages: list[PostedMessage] = []
        self._requests: list[tuple[str, int, str]] = []  # (method, HTTP status, error or "ok")
        self._ts = 0
        self._server = _Server((host, port), _Handler)
        self._server.standin = self
        self._thread: threading.Thread | None = None

    # -- life cycle -----------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    def start(self) -> SlackStandIn:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},  # how long stop() waits for the loop
                name="slack-stand-in",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- programming and inspecting -------------------------------------------------------

    def fail_next(
        self,
        n: int = 1,
        *,
        status: int = 429,
        retry_after: float | None = 1,
        error: str | None = None,
    ) -> None:
        """The next `n` chat.postMessage calls fail: HTTP `status` (429 with Retry-After,
        5xx with a non-JSON body), or — with `error` — HTTP 200 ``{"ok": false, "error": …}``."""
        fault = Fault(status=200 if error else status, retry_after=retry_after, error=error)
        with self._lock:
            self._faults.extend([fault] * n)

    @property
    def messages(self) -> list[PostedMessage]:
        with self._lock:
            return list(self._messages)

    @property
    def requests(self) -> list[tuple[str, int, str]]:
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()
            self._messages.clear()
            self._requests.clear()

    # -- the API --------------------------------------------------------------------------

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def handle(
        self, method: str, token: str | None, args: dict[str, Any]
    ) -> tuple[int, dict[str, str], bytes]:
        """(HTTP status, extra headers, body) for one API call."""
        if method == "chat.postMessage":
            fault = self._next_fault()
            if fault is not None and fault.error is None:
                return self._fault_response(method, fault)
            if fault is not None:
                return self._answer(method, {"ok": False, "error": fault.error})
        if not token:
            return self._answer(method, {"ok": False, "error": "not_authed"})
        if token != self.token:
            return self._answer(method, {"ok": False, "error": "invalid_auth"})
        if method == "auth.test":
            return self._answer(
                method,
                {
                    "ok": True,
                    "url": "https://regwatch-stand-in.slack.com/",
                    "team": "regwatch",
                    "user": "regwatch",
                    "team_id": "T0REGWATCH",
                    "user_id": "U0REGWATCH",
                    "bot_id": "B0REGWATCH",
                    "is_enterprise_install": False,
                },
            )
        if method == "chat.postMessage":
            return self._post_message(args)
        return self._answer(method, {"ok": False, "error": "unknown_method"})

    def _fault_response(self, method: str, fault: Fault) -> tuple[int, dict[str, str], bytes]:
        headers: dict[str, str] = {}
        with self._lock:
            self._requests.append((method, fault.status, f"http_{fault.status}"))
        if fault.status == 429:
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            body = json.dumps({"ok": False, "error": "ratelimited"}).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
            return fault.status, headers, body
        headers["Content-Type"] = "text/html; charset=utf-8"
        phrase = (
            HTTPStatus(fault.status).phrase if fault.status in HTTPStatus._value2member_map_ else ""
        )
        return fault.status, headers, f"<html><body>{fault.status} {phrase}</body></html>".encode()

    def _answer(self, method: str, payload: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self._requests.append(
                (method, 200, "ok" if payload.get("ok") else str(payload.get("error")))
            )
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return 200, {"Content-Type": "application/json; charset=utf-8"}, body

    def _post_message(self, args: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        method = "chat.postMessage"
        channel = args.get("channel")
        if not isinstance(channel, str) or not channel:
            return self._answer(method, {"ok": False, "error": "channel_not_found"})
        if self.known_channels is not None and channel not in self.known_channels:
            return self._answer(method, {"ok": False, "error": "channel_not_found"})
        text, blocks, metadata = args.get("text"), args.get("blocks"), args.get("metadata")
        if not text and not blocks:
            return self._answer(method, {"ok": False, "error": "no_text"})
        if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
            return self._answer(method, {"ok": False, "error": "msg_too_long"})
        if blocks is not None and not _valid_blocks(blocks):
            return self._answer(method, {"ok": False, "error": "invalid_blocks"})
        if metadata is not None and not _valid_metadata(metadata):
            return self._answer(method, {"ok": False, "error": "invalid_metadata_format"})
        with self._lock:
            self._ts += 1
            ts = f"1700000000.{self._ts:06d}"
            self._messages.append(PostedMessage(channel, text, blocks, metadata, ts))
        return self._answer(
            method,
            {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "message": {
                    "type": "message",
                    "text": text or "",
                    "bot_id": "B0REGWATCH",
                    "ts": ts,
                },
            },
        )


def _text_ok(obj: Any, limit: int = MAX_TEXT) -> bool:
    return (
        isinstance(obj, dict)
        and obj.get("type") in ("plain_text", "mrkdwn")
        and isinstance(obj.get("text"), str)
        and 0 < len(obj["text"]) <= limit
    )


def _valid_blocks(blocks: Any) -> bool:
    if not isinstance(blocks, list) or not 0 < len(blocks) <= MAX_BLOCKS:
        return False
    for block in blocks:
        if not isinstance(block, dict):
            return False
        kind = block.get("type")
        if kind == "header":
            ok = _text_ok(block.get("text"), MAX_HEADER) and block["text"]["type"] == "plain_text"
        elif kind == "section":
            fields = block.get("fields")
            ok = ("text" in block or fields) and ("text" not in block or _text_ok(block["text"]))
            if fields is not None:
                ok = ok and isinstance(fields, list) and 0 < len(fields) <= MAX_FIELDS
                ok = ok and all(_text_ok(f, MAX_FIELD) for f in fields)
        elif kind == "context":
            elements = block.get("elements")
            ok = (
                isinstance(elements, list)
                and 0 < len(elements) <= 10
                and all(_text_ok(e) for e in elements)
            )
        elif kind in ("divider", "actions", "image", "rich_text"):
            ok = True
        else:
            ok = False
        if not ok:
            return False
    return True


def _valid_metadata(metadata: Any) -> bool:
    return (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload"), dict)
    )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and the demo read the recorded requests instead

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        path = self.path.split("?", 1)[0]
        if not path.startswith("/api/"):
            self._send(404, {"Content-Type": "text/plain"}, b"not found")
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        args = _parse_body(raw, self.headers.get("Content-Type", ""))
        if args is None:
            self._send(
                200, {"Content-Type": "application/json"}, b'{"ok":false,"error":"invalid_json"}'
            )
            return
        if "?" in self.path:
            for key, values in parse_qs(self.path.split("?", 1)[1]).items():
                args.setdefault(key, values[-1])
        token = _bearer(self.headers.get("Authorization")) or args.pop("token", None)
        status, headers, body = self.server.standin.handle(path[len("/api/") :], token, args)
        self._send(status, headers, body)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Status"
        head = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        if self.close_connection:
            head.append("Connection: close")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


def _bearer(header: str | None) -> str | None:
    if header and header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def _parse_body(raw: bytes, content_type: str) -> dict[str, Any] | None:
    if not raw:
        return {}
    if content_type.startswith("application/json"):
        try:
            value = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None
        return value if isinstance(value, dict) else None
    args: dict[str, Any] = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
    for key in ("blocks", "metadata", "attachments"):  # JSON-encoded strings in form bodies
        if isinstance(args.get(key), str):
            try:
                args[key] = json.loads(args[key])
            except json.JSONDecodeError:
                return None
    return args
