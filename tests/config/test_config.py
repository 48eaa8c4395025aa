from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from monitor.config import build_settings, load_settings, parse_duration, parse_now
from monitor.config.environment import require_feed_tokens
from monitor.errors import ConfigError

FULL = """
[store]
url = "sqlite:///{tmp}/x.db"

[server]
listen = "127.0.0.1:9090"

[slack]
token_env = "SLACK_BOT_TOKEN"
api_url = "http://127.0.0.1:9999/api/"

[email]
host = "smtp.example.com"
port = 587
sender = "regwatch@example.com"
starttls = true
username_env = "SMTP_USER"
password_env = "SMTP_PASSWORD"

[[subscribers]]
name = "magnets"
slack_channel = "#ree-alerts"
email = ["magnets-team@example.com"]
digest_at = "08:00"
timezone = "Asia/Shanghai"
feed_token_env = "FEED_TOKEN_MAGNETS"
[subscribers.watch]
elements = ["Dy", "Tb"]
control_codes = ["1C9*", "1E902*"]
hs_codes = ["8505*"]
keywords = ["钕铁硼", "NdFeB"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "regwatch.toml"
    path.write_text(text.replace("{tmp}", str(tmp_path)), encoding="utf-8")
    return path


def test_defaults_work_with_no_file(tmp_path: Path) -> None:
    settings = load_settings(None, environ={})
    assert settings.store.url.startswith("sqlite:///")
    assert (settings.server.host, settings.server.port) == ("127.0.0.1", 8080)
    assert [s.name for s in settings.subscribers] == ["console"]
    assert settings.subscribers[0].console
    assert settings.sources.dir.name in ("sources", "_sources")
    assert settings.now is None


def test_contract_example_loads(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, FULL), environ={})
    sub = settings.subscriber("magnets")
    assert sub is not None and sub.watch is not None
    assert sub.watch.elements == ("Dy", "Tb")
    assert sub.digest_at == time(8, 0)
    assert sub.email == ("magnets-team@example.com",)
    assert settings.server.port == 9090
    assert settings.slack is not None and settings.slack.api_url.endswith("/api/")


def test_config_path_from_environment(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nlisten = "127.0.0.1:7000"\n')
    settings = load_settings(None, environ={"REGWATCH_CONFIG": str(path)})
    assert settings.server.port == 7000


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[store]\nurl = 5\n", "store.url"),
        ("[server]\nlisten = 'nonsense'\n", "server.listen"),
        ("[serverr]\nlisten = '127.0.0.1:1'\n", "serverr"),
        ("[slack]\ntoken = 'xoxb-123'\n", "slack.token"),
        ("[email]\nhost='h'\nsender='a@b'\npassword='hunter2'\n", "email.password"),
        ("[[subscribers]]\nname='a'\ntimezone='Mars/Base'\n", "subscribers[0].timezone"),
        (
            "[[subscribers]]\nname='a'\n[subscribers.watch]\nelements=['EU']\n",
            "subscribers[0].watch.elements[0]",
        ),
        ("[[subscribers]]\nname='a'\nslack_channel='#x'\n", "subscribers[0].slack_channel"),
        ("[[subscribers]]\nname='a'\ndigest_at='8 o clock'\n", "subscribers[0].digest_at"),
        ("[[subscribers]]\nname='a'\n[[subscribers]]\nname='a'\n", "subscribers[1].name"),
        ("[delivery]\nmax_age = 'forever'\n", "delivery.max_age"),
        ("[sources]\ndir = 'does-not-exist'\n", "sources.dir"),
        ("[logging]\nformat = 'xml'\n", "logging.format"),
        ("[server]\npublic_url = 'ftp://regwatch.example.com'\n", "server.public_url"),
        ("[server]\npublic_url = 'https://regwatch.example.com/?a=1'\n", "server.public_url"),
        ("[server]\nusers_env = 'not a name'\n", "server.users_env"),
        ("[server]\ntoken_env = 5\n", "server.token_env"),
        ("[server]\nusers = 'alice:hash'\n", "server.users"),
        ("[schedule]\nrequest_deadline = '0s'\n", "schedule.request_deadline"),
        ("[schedule]\npoll_deadline = 'soon'\n", "schedule.poll_deadline"),
        ("[schedule]\ntick = 0\n", "schedule.tick"),
        ("[schedule]\ntick = '0s'\n", "schedule.tick"),
        ("[schedule]\njitter = 1.5\n", "schedule.jitter"),
        ("[schedule]\njitter = -0.1\n", "schedule.jitter"),
        ("[schedule]\nlease = '0m'\n", "schedule.lease"),
        ("[schedule]\nmax_workers = 0\n", "schedule.max_workers"),
        ("[server]\npublic_url = 'javascript:alert(1)'\n", "server.public_url"),
        ("[server]\nheader_timeout = 0\n", "server.header_timeout"),
        ("[server]\nmax_connections = 0\n", "server.max_connections"),
        ("[server]\nlimit_concurrency = -5\n", "server.limit_concurrency"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text), environ={})
    assert caught.value.key == key
    assert key in str(caught.value)


def test_secret_in_file_is_refused_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"slack\.token_env"):
        load_settings(write(tmp_path, "[slack]\ntoken = 'xoxb-1'\n"), environ={})


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", environ={})
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[store\n"), environ={})


def test_now_pins_the_clock_from_flag_or_environment() -> None:
    assert load_settings(None, now="2026-11-21T09:00:00+08:00", environ={}).now is not None
    pinned = load_settings(None, environ={"REGWATCH_NOW": "2026-11-21T01:00:00Z"}).now
    assert pinned is not None and pinned.utcoffset() is not None
    with pytest.raises(ConfigError, match="offset"):
        parse_now("2026-11-21T09:00:00")


def test_durations() -> None:
    assert parse_duration("15m", "k") == 900
    assert parse_duration("2h", "k") == 7200
    assert parse_duration(30, "k") == 30
    assert parse_duration("1.5s", "k") == 1.5
    with pytest.raises(ConfigError):
        parse_duration("soon", "k")


def test_source_overrides_are_kept_for_the_catalog() -> None:
    settings = build_settings({"sources": {"mofcom-zcfb": {"base_url": "http://127.0.0.1:9100"}}})
    assert settings.sources.overrides["mofcom-zcfb"]["base_url"] == "http://127.0.0.1:9100"


def test_server_page_settings() -> None:
    settings = build_settings(
        {
            "server": {
                "listen": "0.0.0.0:8080",
                "public_url": "https://regwatch.example.com/watch/",
                "users_env": "REGWATCH_USERS",
                "token_env": "REGWATCH_PAGES_TOKEN",
            }
        }
    )
    assert settings.server.public_url == "https://regwatch.example.com/watch"
    assert settings.server.users_env == "REGWATCH_USERS"
    assert settings.server.token_env == "REGWATCH_PAGES_TOKEN"
    assert build_settings({}).server.public_url is None


def test_deadlines_have_defaults_and_can_be_set(tmp_path: Path) -> None:
    default = load_settings(write(tmp_path, ""), environ={}).schedule
    assert (default.request_deadline_s, default.poll_deadline_s) == (60.0, 240.0)
    text = "[schedule]\nrequest_deadline = '20s'\npoll_deadline = '2m'\n"
    schedule = load_settings(write(tmp_path, text), environ={}).schedule
    assert (schedule.request_deadline_s, schedule.poll_deadline_s) == (20.0, 120.0)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[slack]\ntoken_env = 'xoxb-1234-s3cr3t'\n", "slack.token_env"),
        (
            "[[subscribers]]\nname='a'\nfeed_token_env='s3cr3t value'\n",
            "subscribers[0].feed_token_env",
        ),
        ("[email]\nhost='h'\nsender='a@b'\npassword_env='hunter2!'\n", "email.password_env"),
    ],
)
def test_a_secret_typed_into_an_env_key_is_never_echoed(
    tmp_path: Path, text: str, key: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text), environ={})
    assert caught.value.key == key
    for secret in ("s3cr3t", "hunter2"):
        assert secret not in str(caught.value)


def test_an_unset_feed_token_variable_is_named(tmp_path: Path) -> None:
    text = "[[subscribers]]\nname='a'\n[[subscribers]]\nname='magnets'\nfeed_token_env='FEED_TOKEN_MAGNETS'\n"
    settings = load_settings(write(tmp_path, text), environ={})
    with pytest.raises(ConfigError) as caught:
        require_feed_tokens(settings, environ={})
    assert caught.value.key == "subscribers[1].feed_token_env"
    assert "FEED_TOKEN_MAGNETS is not set" in str(caught.value)
    require_feed_tokens(settings, environ={"FEED_TOKEN_MAGNETS": "t0ken"})  # set: fine


def test_the_default_lease_lets_a_dead_replicas_sources_go_within_30_s() -> None:
    schedule = build_settings({}).schedule
    assert schedule.lease_s + schedule.tick_s <= 30
    # sends are not renewed: their claims keep five minutes, or a longer configured lease
    assert schedule.send_claim_s == 300
    longer = build_settings({"schedule": {"lease": "10m"}}).schedule
    assert longer.lease_s == longer.send_claim_s == 600
