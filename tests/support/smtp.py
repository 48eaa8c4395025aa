"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records what it receives.

aiosmtpd cannot bind port 0 and report the port back, so a free port is picked first.
Programmable: accepted credentials, addresses it rejects (550), temporary failures at DATA
(451), and STARTTLS with a given server context.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    login: str | None
    tls: bool

    @property
    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class _Handler:
    reject: set[str]
    mails: list[ReceivedMail] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.reject:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.failures:
                return self.failures.pop(0)
            data = session.auth_data if session.authenticated else None
            login = data.decode() if isinstance(data, bytes) else None
            self.mails.append(
                ReceivedMail(
                    mail_from=envelope.mail_from,
                    rcpt_tos=tuple(envelope.rcpt_tos),
                    data=envelope.original_content or envelope.content,
                    login=login,
                    tls=session.ssl is not None,
                )
            )
        return "250 Message accepted for delivery"


class SmtpServer:
    """``with SmtpServer(credentials=("user", "pw")) as smtp: … smtp.mails``"""

    def __init__(
        self,
        *,
        credentials: tuple[str, str] | None = None,
        reject: Iterable[str] = (),
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.credentials = credentials
        self._handler = _Handler(reject=set(reject))
        kwargs: dict[str, Any] = {"auth_require_tls": False}
        if credentials is not None:
            kwargs["authenticator"] = self._authenticate
        if tls_context is not None:
            kwargs["tls_context"] = tls_context
        self._controller = Controller(self._handler, hostname=self.host, port=self.port, **kwargs)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and self.credentials is not None
            and (data.login.decode(), data.password.decode()) == self.credentials
        )
        return AuthResult(success=ok, handled=False, auth_data=data.login if ok else None)

    @property
    def mails(self) -> list[ReceivedMail]:
        with self._handler.lock:
            return list(self._handler.mails)

    def fail_next(self, n: int = 1, reply: str = "451 4.3.0 try again later") -> None:
        with self._handler.lock:
            self._handler.failures.extend([reply] * n)

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._controller.stop()
