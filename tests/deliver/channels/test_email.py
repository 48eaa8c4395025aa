from __future__ import annotations

import logging
import shutil
import ssl
import subprocess
from email.message import EmailMessage
from pathlib import Path

import pytest

from monitor.config import EmailSettings
from monitor.deliver.channels.email import SmtpSender
from monitor.errors import DeliveryError
from tests.support.smtp import SmtpServer, free_port

USER_ENV, PASSWORD_ENV = "REGWATCH_TEST_SMTP_USER", "REGWATCH_TEST_SMTP_PASSWORD"
PASSWORD = "s3cret-smtp-passw0rd"


def settings(port: int, **changes: object) -> EmailSettings:
    base: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "sender": "regwatch@example.test",
        "starttls": False,
        "timeout_s": 5.0,
    }
    base.update(changes)
    return EmailSettings(**base)  # type: ignore[arg-type]


def message(*to: str) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = "regwatch digest 2025-10-09: 1 rare-earth change"
    mail["From"] = "regwatch@example.test"
    mail["To"] = ", ".join(to or ("magnets@example.test",))
    mail["Message-ID"] = "<digest.2025-10-09.magnets@regwatch>"
    mail.set_content("商务部公告2025年第62号 — new rare-earth notice")
    return mail


def test_sends_with_login_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(USER_ENV, "regwatch")
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    caplog.set_level(logging.DEBUG)
    with SmtpServer(credentials=("regwatch", PASSWORD)) as smtp:
        SmtpSender(settings(smtp.port, username_env=USER_ENV, password_env=PASSWORD_ENV)).send(
            message()
        )
    [mail] = smtp.mails
    assert mail.login == "regwatch"
    assert mail.rcpt_tos == ("magnets@example.test",)
    assert mail.message["Message-ID"] == "<digest.2025-10-09.magnets@regwatch>"
    assert "商务部公告2025年第62号" in mail.message.get_content()
    assert PASSWORD not in caplog.text


def test_wrong_password_is_permanent_and_not_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(USER_ENV, "regwatch")
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with (
        SmtpServer(credentials=("regwatch", "another")) as smtp,
        pytest.raises(DeliveryError) as caught,
    ):
        SmtpSender(settings(smtp.port, username_env=USER_ENV, password_env=PASSWORD_ENV)).send(
            message()
        )
    assert not caught.value.retryable and "535" in str(caught.value)
    assert PASSWORD not in str(caught.value)
    assert smtp.mails == []


def test_a_rejected_address_is_permanent() -> None:
    with SmtpServer(reject={"gone@example.test"}) as smtp, pytest.raises(DeliveryError) as caught:
        SmtpSender(settings(smtp.port)).send(message("gone@example.test"))
    assert not caught.value.retryable
    assert "gone@example.test" in str(caught.value) and "550" in str(caught.value)


def test_one_rejected_address_among_several_still_delivers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with SmtpServer(reject={"gone@example.test"}) as smtp:
        SmtpSender(settings(smtp.port)).send(message("gone@example.test", "magnets@example.test"))
    assert [m.rcpt_tos for m in smtp.mails] == [("magnets@example.test",)]
    assert "gone@example.test" in caplog.text


def test_a_temporary_failure_is_retryable() -> None:
    with SmtpServer() as smtp:
        smtp.fail_next(1, "451 4.3.0 mailbox busy")
        with pytest.raises(DeliveryError) as caught:
            SmtpSender(settings(smtp.port)).send(message())
        assert caught.value.retryable and "451" in str(caught.value)
        SmtpSender(settings(smtp.port)).send(message())
    assert len(smtp.mails) == 1


def test_a_permanent_data_failure_is_not_retryable() -> None:
    with SmtpServer() as smtp:
        smtp.fail_next(1, "554 5.6.0 message refused")
        with pytest.raises(DeliveryError) as caught:
            SmtpSender(settings(smtp.port)).send(message())
    assert not caught.value.retryable


def test_no_server_is_retryable() -> None:
    with pytest.raises(DeliveryError) as caught:
        SmtpSender(settings(free_port())).send(message())
    assert caught.value.retryable


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_starttls_upgrades_before_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = _self_signed(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    client_context = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setenv(USER_ENV, "regwatch")
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with SmtpServer(credentials=("regwatch", PASSWORD), tls_context=server_context) as smtp:
        sender = SmtpSender(
            settings(smtp.port, starttls=True, username_env=USER_ENV, password_env=PASSWORD_ENV),
            tls_context=client_context,
        )
        sender.send(message())
        # The default context does not trust a self-signed certificate: permanent, not retried.
        with pytest.raises(DeliveryError) as caught:
            SmtpSender(settings(smtp.port, starttls=True)).send(message())
    [mail] = smtp.mails
    assert mail.tls and mail.login == "regwatch"
    assert not caught.value.retryable and "certificate" in str(caught.value)
