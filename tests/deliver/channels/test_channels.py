from __future__ import annotations

import io

import pytest

from monitor.config import build_settings
from monitor.deliver.channels import Channels
from monitor.deliver.channels.console import ConsoleChannel
from monitor.deliver.channels.email import SmtpSender
from monitor.deliver.channels.slack import SlackChannel
from monitor.errors import ConfigError
from monitor.models import Channel
from tests.support.delivery import SLACK_TOKEN_ENV, make_settings


def test_default_settings_deliver_to_the_console_only() -> None:
    stream = io.StringIO()
    channels = Channels.from_settings(build_settings({}), console_stream=stream)
    assert channels.slack is None and channels.email is None
    assert isinstance(channels.console, ConsoleChannel) and channels.console.stream is stream
    assert channels.for_outbox(Channel.CONSOLE) is channels.console
    assert channels.for_outbox(Channel.EMAIL) is None


def test_slack_and_email_are_built_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SLACK_TOKEN_ENV, "xoxb-from-env")
    settings = make_settings(slack_api_url="http://127.0.0.1:9/api/", smtp=("127.0.0.1", 2525))
    channels = Channels.from_settings(settings)
    assert (
        isinstance(channels.slack, SlackChannel)
        and channels.for_outbox(Channel.SLACK) is channels.slack
    )
    assert isinstance(channels.email, SmtpSender)


def test_a_configured_slack_without_token_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(SLACK_TOKEN_ENV, raising=False)
    settings = make_settings(slack_api_url="http://127.0.0.1:9/api/")
    with pytest.raises(ConfigError) as caught:
        Channels.from_settings(settings)
    assert caught.value.key == "slack.token_env" and SLACK_TOKEN_ENV in str(caught.value)


def test_configured_smtp_credentials_must_be_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REGWATCH_TEST_SMTP_PASSWORD", raising=False)
    monkeypatch.setenv("REGWATCH_TEST_SMTP_USER", "regwatch")
    settings = make_settings(
        smtp=("127.0.0.1", 2525),
        email={
            "username_env": "REGWATCH_TEST_SMTP_USER",
            "password_env": "REGWATCH_TEST_SMTP_PASSWORD",
        },
    )
    with pytest.raises(ConfigError) as caught:
        Channels.from_settings(settings)
    assert "REGWATCH_TEST_SMTP_PASSWORD" in str(caught.value)
