"""Who may read the pages: anyone on loopback, else a login (HTTP Basic) or a bearer token.

`[server] users_env` names an environment variable holding ``user:hash`` pairs separated by
commas or whitespace; a hash is what `hash_password` makes (``python -m
monitor.serve.pages.hashpw``): ``scrypt$N$r$p$salt$key`` (hashlib.scrypt) or
``pbkdf2_sha256$iterations$salt$key`` (hashlib.pbkdf2_hmac), salt and key in base64.
`[server] token_env` names a variable holding a bearer token. The values are read once, at
start-up; a malformed one is a `ConfigError` naming the key, never quoting the value.
The JSON endpoints keep their own rules (CONTRACT.md); this guards the pages only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import os
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from monitor.config import ServerSettings
from monitor.errors import ConfigError
from monitor.serve.pages.render import problem

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
PBKDF2_MIN_ITERATIONS = 100_000
_USER = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_REMEMBERED = 256

Handler = Callable[[Request], Awaitable[Response]]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """An scrypt hash of `password` for `[server] users_env`."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def _well_formed(encoded: str) -> bool:
    parts = encoded.split("$")
    try:
        if parts[0] == "scrypt" and len(parts) == 6:
            n, r, p = (int(v) for v in parts[1:4])
            ok = n > 1 and n & (n - 1) == 0 and r > 0 and p > 0 and n * r <= 2**22
        elif parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            ok = int(parts[1]) >= PBKDF2_MIN_ITERATIONS
        else:
            return False
        base64.b64decode(parts[-2], validate=True)
        return ok and bool(base64.b64decode(parts[-1], validate=True))
    except (ValueError, binascii.Error):
        return False


def verify_password(password: str, encoded: str) -> bool:
    """Whether `password` hashes to `encoded` (which `_well_formed` accepted)."""
    parts = encoded.split("$")
    salt, expected = base64.b64decode(parts[-2]), base64.b64decode(parts[-1])
    if parts[0] == "scrypt":
        n, r, p = (int(v) for v in parts[1:4])
        key = hashlib.scrypt(
            password.encode(), salt=salt, n=n, r=r, p=p, dklen=len(expected), maxmem=2**26
        )
    else:
        key = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, int(parts[1]), len(expected))
    return hmac.compare_digest(key, expected)


def parse_users(value: str, key: str) -> dict[str, str]:
    """``user:hash`` pairs; an entry that is not one is named by position only."""
    users: dict[str, str] = {}
    for index, entry in enumerate(re.split(r"[\s,]+", value.strip())):
        name, sep, encoded = entry.partition(":")
        if not sep or not _USER.match(name) or not _well_formed(encoded):
            raise ConfigError(
                key,
                f"entry {index + 1} of the variable is not user:hash with a hash made by "
                "`python -m monitor.serve.pages.hashpw`",
            )
        users[name] = encoded
    return users


@dataclass
class PageAccess:
    """The pages' gate: open on loopback, else Basic login or bearer token."""

    open: bool
    users: Mapping[str, str] = field(default_factory=dict)
    token: str | None = None
    _ok: OrderedDict[str, bool] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_settings(
        cls, server: ServerSettings, environ: Mapping[str, str] = os.environ
    ) -> PageAccess:
        users: dict[str, str] = {}
        token = None
        if server.users_env is not None:
            value = environ.get(server.users_env, "")
            if not value.strip():
                raise ConfigError(
                    "server.users_env", f"the variable {server.users_env} is empty or unset"
                )
            users = parse_users(value, "server.users_env")
        if server.token_env is not None:
            token = environ.get(server.token_env, "").strip()
            if len(token) < 16:
                raise ConfigError(
                    "server.token_env",
                    f"the variable {server.token_env} must hold a token of 16 characters or more",
                )
        return cls(open=is_loopback(server.host), users=users, token=token)

    def allowed(self, authorization: str | None) -> bool:
        scheme, _, given = (authorization or "").partition(" ")
        given = given.strip()
        if scheme.lower() == "bearer":
            return self.token is not None and hmac.compare_digest(
                given.encode(), self.token.encode()
            )
        if scheme.lower() != "basic" or not self.users:
            return False
        memo = hashlib.sha256(given.encode()).hexdigest()
        with self._lock:
            if memo in self._ok:
                return self._ok[memo]
        try:
            name, _, password = base64.b64decode(given, validate=True).decode().partition(":")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return False
        encoded = self.users.get(name)
        ok = encoded is not None and verify_password(password, encoded)
        with self._lock:  # remembered so that each page view does not pay for scrypt again
            self._ok[memo] = ok
            while len(self._ok) > _REMEMBERED:
                self._ok.popitem(last=False)
        return ok

    def guard(self, handler: Handler) -> Handler:
        if self.open:
            return handler

        async def guarded(request: Request) -> Response:
            if not self.users and self.token is None:
                return problem(
                    request,
                    403,
                    "The pages are switched off",
                    "This server listens beyond loopback and no login is configured: set "
                    "[server] users_env or [server] token_env to open the pages.",
                )
            if not self.allowed(request.headers.get("authorization")):
                response = problem(request, 401, "Please log in", "These pages need a login.")
                response.headers["WWW-Authenticate"] = 'Basic realm="regwatch", charset="UTF-8"'
                return response
            return await handler(request)

        return guarded
