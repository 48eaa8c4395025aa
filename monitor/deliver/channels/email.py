"""Email: the daily digest message (pure rendering) and the SMTP sender.

`render_digest` turns the `Alert`s of a subscriber's events of one local day into a
multipart/alternative message (text + HTML with inline styles, Jinja2 templates in
``monitor/deliver/templates``), grouped by kind of change, with a Message-ID that is stable per
subscriber and date. `SmtpSender` hands a finished message to the SMTP server (stdlib
smtplib): STARTTLS (or implicit TLS) and login with credentials read from the environment
variables the config names. Every failure becomes a `DeliveryError`: a 5xx answer is
permanent (a rejected address, refused credentials), a 4xx answer, a dropped connection or
a timeout is worth another try. Credentials never appear in errors or logs.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from monitor.config import EmailSettings, Subscriber
from monitor.deliver.channels.wording import GROUPS, Alert
from monitor.errors import ConfigError, DeliveryError

log = logging.getLogger(__name__)

EARLIER = "earlier"
_HEADINGS = {**GROUPS, EARLIER: "Earlier, not in a previous digest"}
_env = Environment(
    loader=PackageLoader("monitor.deliver", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class DigestGroup:
    key: str
    heading: str
    alerts: tuple[Alert, ...]


# ---------------------------------------------------------------------------------------
# Rendering (pure)


def message_id(subscriber: str, local_date: date) -> str:
    """Stable per subscriber and date, so a re-sent digest is recognisably the same."""
    slug = re.sub(r"[^a-z0-9]+", "-", subscriber.lower()).strip("-") or "subscriber"
    if slug != subscriber:  # two names may share a slug; the hash keeps the ids apart
        slug += "-" + hashlib.sha256(subscriber.encode("utf-8")).hexdigest()[:8]
    return f"<digest.{local_date.isoformat()}.{slug}@regwatch>"


def _local_date(alert: Alert, subscriber: Subscriber) -> date | None:
    if alert.detected_at is None:
        return None
    return alert.detected_at.astimezone(subscriber.tz).date()


def group_alerts(
    subscriber: Subscriber, local_date: date, alerts: Sequence[Alert]
) -> list[DigestGroup]:
    """Alerts grouped by kind of change, in `GROUPS` order; earlier days' events last."""
    buckets: dict[str, list[Alert]] = {key: [] for key in _HEADINGS}
    for alert in alerts:
        day = _local_date(alert, subscriber)
        buckets[EARLIER if day is not None and day < local_date else alert.group].append(alert)
    return [
        DigestGroup(key, _HEADINGS[key], tuple(alerts)) for key, alerts in buckets.items() if alerts
    ]


def digest_subject(local_date: date, count: int) -> str:
    plural = "" if count == 1 else "s"
    return f"regwatch digest {local_date.isoformat()}: {count} rare-earth change{plural}"


def render_digest(
    subscriber: Subscriber, local_date: date, alerts: Sequence[Alert], *, sender: str
) -> EmailMessage:
    """The digest email (multipart/alternative: text + HTML with inline styles)."""
    groups = group_alerts(subscriber, local_date, alerts)
    context = {
        "subscriber": subscriber.name,
        "timezone": subscriber.timezone,
        "date": local_date.isoformat(),
        "weekday": local_date.strftime("%A"),
        "count": len(alerts),
        "groups": groups,
    }
    message = EmailMessage()
    message["Subject"] = digest_subject(local_date, len(alerts))
    message["From"] = sender
    message["To"] = ", ".join(subscriber.email)
    message["Message-ID"] = message_id(subscriber.name, local_date)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_env.get_template("digest.txt.j2").render(context))
    message.add_alternative(_env.get_template("digest.html.j2").render(context), subtype="html")
    return message


# ---------------------------------------------------------------------------------------
# Sending


class SmtpSender:
    """Sends `EmailMessage`s through the SMTP server in `settings`, one connection each."""

    def __init__(
        self, settings: EmailSettings, *, tls_context: ssl.SSLContext | None = None
    ) -> None:
        self.settings = settings
        self._tls_context = tls_context
        for key, name in (
            ("username_env", settings.username_env),
            ("password_env", settings.password_env),
        ):
            if name is not None and not os.environ.get(name):
                raise ConfigError(
                    f"email.{key}",
                    f"SMTP credentials are configured but the environment variable {name} "
                    "is not set",
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
            error = DeliveryError(
                f"{where}: TLS certificate rejected: {exc.verify_message}", retryable=False
            )
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
            smtp = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout_s, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
        with smtp:
            if settings.starttls and not settings.ssl:
                smtp.starttls(context=context)
            credentials = settings.credentials()
            if credentials is not None:
                smtp.login(*credentials)
            return smtp.send_message(message)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _describe(refused: Mapping[str, tuple[int, bytes | str]]) -> str:
    return "; ".join(f"{addr} ({code} {_text(msg)})" for addr, (code, msg) in refused.items())


def _refused(where: str, recipients: Mapping[str, tuple[int, bytes | str]]) -> DeliveryError:
    permanent = all(code >= 500 for code, _ in recipients.values())
    return DeliveryError(
        f"{where}: every recipient refused: {_describe(recipients)}", retryable=not permanent
    )
