"""Email: hand one finished message to the SMTP server (stdlib smtplib).

STARTTLS (or implicit TLS) and login with credentials read from the environment variables
the config names. Every failure becomes a `DeliveryError`: a 5xx answer is permanent (a
rejected address, refused credentials), a 4xx answer, a dropped connection or a timeout
is worth another try. Credentials never appear in errors or logs.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import make_msgid

from monitor.config import EmailSettings
from monitor.errors import ConfigError, DeliveryError

log = logging.getLogger("regwatch.email")


class SmtpSender:
    """Sends `EmailMessage`s through the SMTP server in `settings`, one connection each."""

    def __init__(
        self, settings: EmailSettings, *, tls_context: ssl.SSLContext | None = None
    ) -> None:
        self.settings = settings
        self._tls_context = tls_context
        for key, name in (("username_env", settings.username_env), ("password_env", settings.password_env)):
            if name is not None and settings.credentials() is None:
                raise ConfigError(
                    f"email.{key}",
                    f"SMTP credentials are configured but the environment variable {name} is not set",
                )

    def __repr__(self) -> str:
        return f"SmtpSender({self.settings.host}:{self.settings.port})"

    def send(self, message: EmailMessage) -> None:
        where = f"smtp {self.settings.host}:{self.settings.port}"
        error: DeliveryError
        try:
            refused = self._send(message)
        except smtplib.SMTPRecipientsRefused as exc:
            error = _refused(where, exc.recipients)
        except (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected) as exc:
            error = DeliveryError(f"{where}: connection failed: {_reason(exc)}", retryable=True)
        except smtplib.SMTPResponseException as exc:
            error = DeliveryError(
                f"{where}: {exc.smtp_code} {_text(exc.smtp_error)}", retryable=exc.smtp_code < 500
            )
        except smtplib.SMTPNotSupportedError as exc:
            error = DeliveryError(f"{where}: {exc}", retryable=False)
        except ssl.SSLCertVerificationError as exc:
            error = DeliveryError(f"{where}: TLS certificate rejected: {exc.verify_message}", retryable=False)
        except (smtplib.SMTPException, OSError) as exc:
            error = DeliveryError(f"{where}: {_reason(exc)}", retryable=True)
        else:
            if refused:
                # The others have it already: retrying would send them a duplicate.
                log.warning("%s refused some recipients: %s", where, _describe(refused))
            return
        raise error

    def _send(self, message: EmailMessage) -> Mapping[str, tuple[int, bytes]]:
        settings = self.settings
        context = self._tls_context or ssl.create_default_context()
        smtp: smtplib.SMTP
        if settings.ssl:
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_s, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
        with smtp:
            if settings.starttls and not settings.ssl:
                smtp.starttls(context=context)
            credentials = settings.credentials()
            if credentials is not None:
                smtp.login(*credentials)
            return smtp.send_message(message)


def new_message_id() -> str:
    return make_msgid(domain="regwatch")


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _describe(refused: Mapping[str, tuple[int, bytes | str]]) -> str:
    return "; ".join(f"{addr} ({code} {_text(msg)})" for addr, (code, msg) in refused.items())


def _refused(where: str, recipients: Mapping[str, tuple[int, bytes | str]]) -> DeliveryError:
    permanent = all(code >= 500 for code, _ in recipients.values())
    return DeliveryError(f"{where}: every recipient refused: {_describe(recipients)}", retryable=not permanent)
