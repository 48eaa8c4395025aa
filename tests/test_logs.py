from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from monitor.config import build_settings
from monitor.logs import configure_from_settings, configure_logging, redact, secret_values


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def test_json_lines_carry_source_and_event_ids(restore_root: None) -> None:
    out = io.StringIO()
    configure_logging("json", "INFO", stream=out)
    logging.getLogger("regwatch.test").info(
        "event %s", "notice.new", extra={"source_id": "mofcom-zcfb", "event_id": "ev1"}
    )
    logging.getLogger("regwatch.test").debug("hidden")
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["msg"] == "event notice.new"
    assert entry["source_id"] == "mofcom-zcfb" and entry["event_id"] == "ev1"
    assert entry["level"] == "INFO" and entry["logger"] == "regwatch.test"
    assert entry["ts"].endswith("+00:00")


def test_text_lines_and_exceptions(restore_root: None) -> None:
    out = io.StringIO()
    configure_logging("text", "DEBUG", stream=out)
    try:
        raise ValueError("bad page")
    except ValueError:
        logging.getLogger("regwatch.test").exception("poll crashed", extra={"source_id": "my news"})
    text = out.getvalue()
    first = text.splitlines()[0]
    assert first.endswith('ERROR regwatch.test poll crashed source_id="my news"')
    assert "ValueError: bad page" in text


def test_configuring_twice_does_not_duplicate_lines(restore_root: None) -> None:
    out = io.StringIO()
    configure_logging("text", "INFO", stream=out)
    configure_logging("text", "INFO", stream=out)
    logging.getLogger("regwatch.test").info("once")
    assert out.getvalue().count("once") == 1


def test_secrets_never_reach_the_output(
    restore_root: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "s3cr3t-slack-value")
    monkeypatch.setenv("FEED_TOKEN_A", "feed-token-abcdef")
    settings = build_settings(
        {
            "slack": {"token_env": "SLACK_BOT_TOKEN"},
            "logging": {"format": "json"},
            "subscribers": [{"name": "a", "feed_token_env": "FEED_TOKEN_A"}],
        }
    )
    assert set(secret_values(settings)) == {"s3cr3t-slack-value", "feed-token-abcdef"}
    out = io.StringIO()
    configure_from_settings(settings, stream=out)
    log = logging.getLogger("regwatch.test")
    log.warning("slack said no to s3cr3t-slack-value", extra={"url": "?token=feed-token-abcdef"})
    log.warning("store postgresql+psycopg://regwatch:hunter2@db/regwatch unreachable")
    output = out.getvalue()
    for secret in ("s3cr3t-slack-value", "feed-token-abcdef", "hunter2"):
        assert secret not in output
    assert "postgresql+psycopg://regwatch:***@db/regwatch" in output


def test_redact_patterns() -> None:
    assert redact("Authorization: Bearer abc.def-ghi") == "Authorization: Bearer ***"
    assert redact("token xoxb-1234-5678-abcd") == "token xox?-***"
    assert redact("nothing here") == "nothing here"
