"""Who may read the pages: loopback is open; beyond it a login or a bearer token."""

from __future__ import annotations

import base64
import hashlib
import io

import pytest

from monitor.config import ServerSettings
from monitor.errors import ConfigError
from monitor.serve.pages import hashpw
from monitor.serve.pages.auth import (
    PageAccess,
    hash_password,
    is_loopback,
    parse_users,
    verify_password,
)

SALT = b"0123456789abcdef"
HASH = hash_password("rare-earth-2025", salt=SALT)
TOKEN = "tok-8f2b9c0d4e6a1357"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def pbkdf2(password: str) -> str:
    key = hashlib.pbkdf2_hmac("sha256", password.encode(), SALT, 100_000)
    return (
        f"pbkdf2_sha256$100000${base64.b64encode(SALT).decode()}${base64.b64encode(key).decode()}"
    )


def test_loopback_hosts() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.7")
    assert not is_loopback("regwatch.example.com")


def test_scrypt_and_pbkdf2_hashes_verify() -> None:
    assert HASH.startswith("scrypt$16384$8$1$")
    assert verify_password("rare-earth-2025", HASH)
    assert not verify_password("rare-earth-2026", HASH)
    assert verify_password("钐钴磁体", pbkdf2("钐钴磁体"))
    assert not verify_password("wrong", pbkdf2("钐钴磁体"))


def test_users_parse_and_bad_entries_are_named_without_their_value() -> None:
    users = parse_users(f"alice:{HASH}, bob:{pbkdf2('x' * 8)}\n", "server.users_env")
    assert set(users) == {"alice", "bob"}
    for bad in (
        f"alice:{HASH},carol",
        "carol:plaintext-secret",
        "carol:scrypt$3$8$1$AAAA$AAAA",
        "carol:pbkdf2_sha256$1000$AAAA$AAAA",
        "carol:scrypt$16384$8$1$!!$AAAA",
        "carol:md5$AAAA",
    ):
        with pytest.raises(ConfigError) as caught:
            parse_users(bad, "server.users_env")
        assert caught.value.key == "server.users_env"
        assert "plaintext-secret" not in str(caught.value) and "carol" not in str(caught.value)


def test_access_from_settings_reads_the_variables_once() -> None:
    server = ServerSettings(host="0.0.0.0", users_env="RW_USERS", token_env="RW_TOKEN")
    access = PageAccess.from_settings(server, {"RW_USERS": f"alice:{HASH}", "RW_TOKEN": TOKEN})
    assert not access.open and access.token == TOKEN and set(access.users) == {"alice"}
    assert PageAccess.from_settings(ServerSettings()).open
    with pytest.raises(ConfigError, match="RW_USERS is empty or unset") as caught:
        PageAccess.from_settings(server, {"RW_TOKEN": TOKEN})
    assert caught.value.key == "server.users_env"
    with pytest.raises(ConfigError) as short:
        PageAccess.from_settings(ServerSettings(token_env="RW_TOKEN"), {"RW_TOKEN": "short-secret"})
    assert short.value.key == "server.token_env" and "short-secret" not in str(short.value)


def test_allowed_checks_basic_and_bearer() -> None:
    access = PageAccess(open=False, users={"alice": HASH}, token=TOKEN)
    assert access.allowed(basic("alice", "rare-earth-2025"))
    assert access.allowed(basic("alice", "rare-earth-2025"))  # remembered
    assert not access.allowed(basic("alice", "nope"))
    assert not access.allowed(basic("mallory", "rare-earth-2025"))
    assert not access.allowed("Basic !!!not-base64")
    assert access.allowed(f"Bearer {TOKEN}")
    assert not access.allowed("Bearer wrong-token-1234567")
    assert not access.allowed(None) and not access.allowed("Digest x")
    assert not PageAccess(open=False, token=TOKEN).allowed(basic("alice", "rare-earth-2025"))
    assert not PageAccess(open=False, users={"alice": HASH}).allowed(f"Bearer {TOKEN}")


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


def test_hashpw_prints_a_hash_that_verifies() -> None:
    out = io.StringIO()
    assert hashpw.main(Pipe("rare-earth-2025\n"), out) == 0
    encoded = out.getvalue().strip()
    assert verify_password("rare-earth-2025", encoded)
    assert parse_users(f"alice:{encoded}", "k") == {"alice": encoded}
    assert hashpw.main(Pipe("short\n"), io.StringIO()) == 1


def test_hashpw_asks_twice_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers = iter(["rare-earth-2025", "rare-earth-2026"])
    monkeypatch.setattr(hashpw.getpass, "getpass", lambda prompt: next(answers))
    assert hashpw.main(Terminal(), io.StringIO()) == 1  # the two differ
    answers = iter(["rare-earth-2025", "rare-earth-2025"])
    out = io.StringIO()
    assert hashpw.main(Terminal(), out) == 0 and out.getvalue().startswith("scrypt$")


def test_remembered_answers_are_bounded() -> None:
    access = PageAccess(open=False, users={"alice": HASH})
    for n in range(300):
        assert not access.allowed(basic(f"user{n}", "x"))
    assert len(access._ok) == 256
