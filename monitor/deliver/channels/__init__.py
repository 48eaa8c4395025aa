"""Where alerts go: Slack, email (daily digests) and the console.

A channel is anything with the `AlertChannel` shape; email is a `MailSender` because it
sends finished digests, not single alerts. `Channels` holds the ones the settings enable
and is built once per process by `Channels.from_settings`. Every channel raises
`DeliveryError(retryable=…)` when it could not deliver; none of them touches the store.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol, TextIO

from monitor.config import Settings
from monitor.deliver.channels.wording import Alert, read_alert
from monitor.models import Channel

__all__ = ["Alert", "AlertChannel", "Channels", "MailSender", "read_alert"]


class AlertChannel(Protocol):
    """Delivers one event (its `Alert`, read once from the stored feed item) to one
    destination."""

    name: str

    def send(self, alert: Alert, destination: str) -> None:
        """Deliver, or raise `DeliveryError`."""
        ...

    def send_text(self, destination: str, text: str) -> None:
        """A plain note (operator alerts), or raise `DeliveryError`."""
        ...


class MailSender(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand `message` to the mail server, or raise `DeliveryError`."""
        ...


@dataclass(frozen=True)
class Channels:
    slack: AlertChannel | None = None
    email: MailSender | None = None
    console: AlertChannel | None = None

    def for_outbox(self, channel: Channel) -> AlertChannel | None:
        """The channel that delivers outbox rows of kind `channel` one by one."""
        if channel is Channel.SLACK:
            return self.slack
        if channel is Channel.CONSOLE:
            return self.console
        return None

    @classmethod
    def from_settings(cls, settings: Settings, *, console_stream: TextIO | None = None) -> Channels:
        """The channels `settings` enable. A configured channel whose secret is missing in
        the environment is a `ConfigError` naming the variable, before anything is sent."""
        # Imported here: slack-sdk and Jinja2 take ~0.1 s each, and only delivering needs them.
        from monitor.deliver.channels.console import ConsoleChannel
        from monitor.deliver.channels.email import SmtpSender
        from monitor.deliver.channels.slack import SlackChannel

        slack = None
        if settings.slack is not None:
            slack = SlackChannel(settings.slack, settings.slack.token() or "")
        email = SmtpSender(settings.email) if settings.email is not None else None
        return cls(
            slack=slack,
            email=email,
            console=ConsoleChannel(console_stream if console_stream is not None else sys.stdout),
        )
