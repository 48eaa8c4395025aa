from __future__ import annotations

import http.client
import json
import time
import urllib.request
from collections.abc import Iterator
from urllib.error import HTTPError
from urllib.parse import urlencode

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from monitor.replay.slack import SlackStandIn

TOKEN = "xoxb-standin-test-token"


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(TOKEN) as standin:
        yield standin


def client(slack: SlackStandIn, token: str = TOKEN) -> WebClient:
    return WebClient(token=token, base_url=slack.api_url, timeout=5, retry_handlers=[])


def post_form(url: str, fields: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=urlencode(fields).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_api_url_is_loopback_with_the_api_path(slack: SlackStandIn) -> None:
    assert slack.api_url.startswith("http://127.0.0.1:") and slack.api_url.endswith("/api/")


def test_auth_test_checks_the_bearer_token(slack: SlackStandIn) -> None:
    assert client(slack).auth_test()["team_id"] == "T0REGWATCH"
    with pytest.raises(SlackApiError) as caught:
        client(slack, "xoxb-wrong").auth_test()
    assert caught.value.response["error"] == "invalid_auth"


def test_a_request_without_token_is_not_authed(slack: SlackStandIn) -> None:
    status, _, body = post_form(slack.api_url + "chat.postMessage", {"channel": "#x", "text": "hi"})
    assert status == 200 and json.loads(body) == {"ok": False, "error": "not_authed"}


def test_json_post_message_is_recorded_with_blocks_and_metadata(slack: SlackStandIn) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*稀土* notice"}}]
    metadata = {
        "event_type": "regwatch_event",
        "event_payload": {"event_id": "e1", "doc_key": "MOFCOM-2025-62"},
    }
    answer = client(slack).chat_postMessage(
        channel="#ree-alerts", text="商务部公告2025年第62号", blocks=blocks, metadata=metadata
    )
    assert answer["ok"] and answer["channel"] == "#ree-alerts" and answer["ts"]
    [posted] = slack.messages
    assert (posted.channel, posted.text, posted.blocks, posted.metadata) == (
        "#ree-alerts",
        "商务部公告2025年第62号",
        blocks,
        metadata,
    )


def test_form_post_message_with_token_field_and_json_encoded_blocks(slack: SlackStandIn) -> None:
    blocks = [{"type": "section", "text": {"type": "plain_text", "text": "hello"}}]
    status, _, body = post_form(
        slack.api_url + "chat.postMessage",
        {
            "token": TOKEN,
            "channel": "C123",
            "text": "hello",
            "blocks": json.dumps(blocks),
        },
    )
    assert status == 200 and json.loads(body)["ok"] is True
    assert slack.messages[0].blocks == blocks


def test_fail_next_429_sends_retry_after_then_recovers(slack: SlackStandIn) -> None:
    slack.fail_next(2, status=429, retry_after=3)
    for _ in range(2):
        status, headers, body = post_form(
            slack.api_url + "chat.postMessage", {"token": TOKEN, "channel": "#x", "text": "t"}
        )
        assert status == 429 and headers["Retry-After"] == "3"
        assert json.loads(body)["error"] == "ratelimited"
    status, _, _ = post_form(
        slack.api_url + "chat.postMessage", {"token": TOKEN, "channel": "#x", "text": "t"}
    )
    assert status == 200 and len(slack.messages) == 1


def test_fail_next_500_answers_html(slack: SlackStandIn) -> None:
    slack.fail_next(status=500)
    status, headers, body = post_form(
        slack.api_url + "chat.postMessage", {"token": TOKEN, "channel": "#x", "text": "t"}
    )
    assert status == 500 and headers["Content-Type"].startswith("text/html") and b"500" in body
    assert slack.messages == []


def test_fail_next_with_an_error_answers_ok_false(slack: SlackStandIn) -> None:
    slack.fail_next(error="channel_not_found")
    with pytest.raises(SlackApiError) as caught:
        client(slack).chat_postMessage(channel="#gone", text="t")
    assert caught.value.response.status_code == 200
    assert caught.value.response["error"] == "channel_not_found"


def test_known_channels_make_others_not_found() -> None:
    with SlackStandIn(TOKEN, channels={"#ree-alerts"}) as slack:
        client(slack).chat_postMessage(channel="#ree-alerts", text="t")
        with pytest.raises(SlackApiError) as caught:
            client(slack).chat_postMessage(channel="#other", text="t")
    assert caught.value.response["error"] == "channel_not_found"


@pytest.mark.parametrize(
    "blocks",
    [
        [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}] * 51,
        [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}],
        [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}],
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
    ],
    ids=["51 blocks", "long text", "long header", "11 fields", "long field"],
)
def test_block_kit_limits_are_enforced(
    slack: SlackStandIn, blocks: list[dict[str, object]]
) -> None:
    with pytest.raises(SlackApiError) as caught:
        client(slack).chat_postMessage(channel="#x", text="t", blocks=blocks)
    assert caught.value.response["error"] == "invalid_blocks"


def test_keep_alive_clients_do_not_stall(slack: SlackStandIn) -> None:
    # Headers and body in separate writes stall a keep-alive client ~40 ms per response.
    host, port = slack.api_url.split("//")[1].split("/")[0].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    body = json.dumps({"channel": "#x", "text": "t"})
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    started = time.perf_counter()
    for _ in range(20):
        connection.request("POST", "/api/chat.postMessage", body=body, headers=headers)
        response = connection.getresponse()
        assert response.status == 200 and json.loads(response.read())["ok"]
    elapsed = time.perf_counter() - started
    connection.close()
    assert len(slack.messages) == 20
    assert elapsed < 0.5, f"20 keep-alive requests took {elapsed:.3f} s"
