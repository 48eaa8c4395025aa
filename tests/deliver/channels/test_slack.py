from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from monitor.config import SlackSettings
from monitor.deliver.channels import read_alert
from monitor.deliver.channels.slack import (
    MAX_FIELD,
    MAX_HEADER,
    MAX_TEXT,
    SlackChannel,
    clip,
    render_slack_message,
)
from monitor.errors import ConfigError, DeliveryError
from monitor.replay.slack import SlackStandIn
from tests.support.delivery import (
    feed_item,
    item_18_revised,
    item_61_suspension_ended,
    item_62,
    item_70,
)
from tests.support.smtp import free_port

TOKEN = "xoxb-111-222-regwatchSecretToken"
DETECTED = datetime(2025, 10, 9, 2, 31, tzinfo=UTC)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(TOKEN) as standin:
        yield standin


def channel_for(api_url: str, token: str = TOKEN, **kwargs: object) -> SlackChannel:
    settings = SlackSettings(token_env="REGWATCH_TEST_SLACK_TOKEN", api_url=api_url, timeout_s=5)
    return SlackChannel(settings, token, **kwargs)  # type: ignore[arg-type]


def all_texts(blocks: tuple[dict[str, object], ...] | list[dict[str, object]]) -> list[str]:
    texts: list[str] = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            texts.append(block["text"]["text"])  # type: ignore[index]
        for element in [*block.get("fields", []), *block.get("elements", [])]:  # type: ignore[misc]
            texts.append(element["text"])
    return texts


# -- rendering ----------------------------------------------------------------------------


def test_text_names_the_document_number_and_what_happened() -> None:
    message = render_slack_message(read_alert(item_62(DETECTED)))
    assert message.text.startswith("商务部公告2025年第62号 — new rare-earth notice")
    assert "公布对稀土相关技术实施出口管制的决定" in message.text


def test_text_uses_the_title_when_there_is_no_document_number() -> None:
    item = feed_item(
        event_id="notice-new-abc",
        event="notice.new",
        detected_at=DETECTED,
        doc_key="https://www.mofcom.gov.cn/xwfb/art/2025/art_1.html",
        doc_number=None,
        title="商务部新闻发言人就稀土出口管制答记者问",
        url="https://www.mofcom.gov.cn/xwfb/art/2025/art_1.html",
        kind="commentary",
        summary="",
        published="2025-10-12",
    )
    assert render_slack_message(read_alert(item)).text.startswith(
        "商务部新闻发言人就稀土出口管制答记者问 — new rare-earth notice"
    )


def test_metadata_carries_event_id_and_doc_key() -> None:
    message = render_slack_message(
        read_alert(item_62(DETECTED, event_id="notice-new-0123456789abcdef0123"))
    )
    assert message.metadata == {
        "event_type": "regwatch_event",
        "event_payload": {
            "event_id": "notice-new-0123456789abcdef0123",
            "doc_key": "MOFCOM-2025-62",
        },
    }


def test_blocks_carry_codes_dates_kind_and_the_link() -> None:
    item = item_62(DETECTED)
    message = render_slack_message(read_alert(item))
    joined = "\n".join(all_texts(message.blocks))
    for expected in (
        "1E902.a, 1E902.b",
        "Sm, Dy",
        "control",
        "2025-10-09 (whole notice)",
        item["url"],
    ):
        assert expected in joined
    assert message.blocks[0]["type"] == "header"
    assert message.blocks[0]["text"]["text"] == "商务部公告2025年第62号 — new rare-earth notice"


def test_with_a_public_url_the_link_block_opens_the_notice_page_too() -> None:
    item = item_62(DETECTED)
    plain = render_slack_message(read_alert(item))
    linked = render_slack_message(read_alert(item, public_url="https://regwatch.example.com/"))
    link_of = {b.get("block_id"): b for b in linked.blocks}["link"]
    assert "<https://regwatch.example.com/notices/MOFCOM-2025-62|In regwatch>" in str(link_of)
    assert "In regwatch" not in "\n".join(all_texts(plain.blocks))


def test_a_suspension_says_what_it_suspends_and_until_when() -> None:
    message = render_slack_message(read_alert(item_70(DETECTED)))
    assert "suspends MOFCOM-2025-55" in message.text and "until 2026-11-10" in message.text
    joined = "\n".join(all_texts(message.blocks))
    for key in ("MOFCOM-2025-55", "MOFCOM-2025-58", "MOFCOM-2025-61", "MOFCOM-2025-62"):
        assert f"{key} suspended until 2026-11-10" in joined


def test_a_lapsed_suspension_is_about_the_measure_itself() -> None:
    message = render_slack_message(read_alert(item_61_suspension_ended(DETECTED)))
    assert message.text.startswith("商务部公告2025年第61号 — suspension by MOFCOM-2025-70 ended")
    assert "applies again from 2026-11-11" in message.text
    assert message.metadata["event_payload"]["doc_key"] == "MOFCOM-2025-61"


def test_a_revision_shows_added_and_removed_text() -> None:
    message = render_slack_message(read_alert(item_18_revised(DETECTED)))
    joined = "\n".join(all_texts(message.blocks))
    assert "*Added*\n> 本公告自2025年4月4日起正式实施（修订）。" in joined
    assert "*Removed*\n> 本公告自2025年4月4日起正式实施。" in joined
    assert "text revised" in message.text


def test_mrkdwn_control_characters_are_escaped() -> None:
    item = item_62(DETECTED)
    item["_regwatch"]["notice"]["title"] = "A <b>&</b> title"
    item["content_text"] = "x < y & z > w"
    joined = "\n".join(all_texts(render_slack_message(read_alert(item)).blocks))
    assert "A &lt;b&gt;&amp;&lt;/b&gt; title" in joined
    assert "x &lt; y &amp; z &gt; w" in joined
    assert "<b>" not in joined


def test_huge_revisions_stay_within_slack_limits(slack: SlackStandIn) -> None:
    item = item_18_revised(DETECTED)
    item["_regwatch"]["diff"]["added"] = [f"第{i}条 " + "稀土&<>" * 120 for i in range(400)]
    item["_regwatch"]["diff"]["removed"] = ["旧" * 5000]
    item["_regwatch"]["notice"]["title"] = "长" * 400
    item["content_text"] = "摘要" * 3000
    message = render_slack_message(read_alert(item))
    assert len(message.blocks) <= 50
    assert len(message.blocks[0]["text"]["text"]) <= MAX_HEADER
    for block in message.blocks:
        if isinstance(block.get("text"), dict):
            assert len(block["text"]["text"]) <= MAX_TEXT
        for field in block.get("fields", []):
            assert len(field["text"]) <= MAX_FIELD
    assert any(text.endswith("…") for text in all_texts(message.blocks))
    channel_for(slack.api_url).send(
        read_alert(item), "#ree-alerts"
    )  # the stand-in checks the limits too
    assert len(slack.messages) == 1


def test_clip_never_leaves_half_an_escape_or_link() -> None:
    assert clip("abc", 3) == "abc"
    assert clip("abcdef", 4) == "abc…"
    assert clip("x" * 10 + "&amp;", 13) == "x" * 10 + "…"
    assert clip("see <https://example.org/long|label> now", 20) == "see…"


# -- sending through slack-sdk's WebClient -------------------------------------------------


def test_send_posts_text_blocks_and_metadata(slack: SlackStandIn) -> None:
    item = item_62(DETECTED)
    channel_for(slack.api_url).send(read_alert(item), "#ree-alerts")
    [posted] = slack.messages
    assert posted.channel == "#ree-alerts"
    assert posted.text == render_slack_message(read_alert(item)).text
    assert posted.blocks == list(render_slack_message(read_alert(item)).blocks)
    assert posted.metadata == {
        "event_type": "regwatch_event",
        "event_payload": {"event_id": item["id"], "doc_key": "MOFCOM-2025-62"},
    }


def test_429_waits_retry_after_then_succeeds(slack: SlackStandIn) -> None:
    sleeps = Sleeps()
    slack.fail_next(1, status=429, retry_after=1)
    channel_for(slack.api_url, sleep=sleeps).send(read_alert(item_62(DETECTED)), "#ree-alerts")
    assert len(slack.messages) == 1
    assert len(sleeps) == 1 and 1 <= sleeps[0] < 2  # Retry-After plus slack-sdk's jitter
    assert [status for _, status, _ in slack.requests] == [429, 200]


def test_a_long_retry_after_is_left_to_the_outbox(slack: SlackStandIn) -> None:
    sleeps = Sleeps()
    slack.fail_next(1, status=429, retry_after=120)
    with pytest.raises(DeliveryError) as caught:
        channel_for(slack.api_url, sleep=sleeps, max_inline_wait_s=30).send(
            read_alert(item_62(DETECTED)), "#ree-alerts"
        )
    assert caught.value.retryable and caught.value.retry_after_s == 120
    assert sleeps == [] and slack.messages == []


def test_server_error_is_retryable(slack: SlackStandIn) -> None:
    slack.fail_next(1, status=500)
    with pytest.raises(DeliveryError) as caught:
        channel_for(slack.api_url).send(read_alert(item_62(DETECTED)), "#ree-alerts")
    assert caught.value.retryable
    assert "HTTP 500" in str(caught.value)


@pytest.mark.parametrize("error", ["channel_not_found", "account_inactive", "not_in_channel"])
def test_permanent_slack_errors_are_not_retryable(slack: SlackStandIn, error: str) -> None:
    slack.fail_next(1, error=error)
    with pytest.raises(DeliveryError) as caught:
        channel_for(slack.api_url).send(read_alert(item_62(DETECTED)), "#ree-alerts")
    assert not caught.value.retryable
    assert error in str(caught.value)


def test_internal_error_answer_is_retryable(slack: SlackStandIn) -> None:
    slack.fail_next(1, error="internal_error")
    with pytest.raises(DeliveryError) as caught:
        channel_for(slack.api_url).send(read_alert(item_62(DETECTED)), "#ree-alerts")
    assert caught.value.retryable


def test_invalid_token_is_permanent_and_the_token_is_nowhere(
    slack: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "xoxb-999-888-wrongSecretToken"
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DeliveryError) as caught:
        channel_for(slack.api_url, token=wrong).send(read_alert(item_62(DETECTED)), "#ree-alerts")
    error = caught.value
    assert not error.retryable and "invalid_auth" in str(error)
    assert error.__cause__ is None and error.__context__ is None  # no slack-sdk request attached
    assert wrong not in repr(error) and wrong not in str(error.args)
    assert wrong not in caplog.text and TOKEN not in caplog.text
    assert wrong not in repr(channel_for(slack.api_url, token=wrong))


def test_unreachable_slack_is_retryable() -> None:
    url = f"http://127.0.0.1:{free_port()}/api/"
    with pytest.raises(DeliveryError) as caught:
        channel_for(url, connection_retries=0).send(read_alert(item_62(DETECTED)), "#ree-alerts")
    assert caught.value.retryable
    assert "unreachable" in str(caught.value)


def test_a_missing_token_names_the_variable() -> None:
    settings = SlackSettings(token_env="MY_SLACK_TOKEN", api_url="http://127.0.0.1:9/api/")
    with pytest.raises(ConfigError) as caught:
        SlackChannel(settings, "")
    assert "MY_SLACK_TOKEN" in str(caught.value)


def test_send_text_posts_a_plain_note(slack: SlackStandIn) -> None:
    channel_for(slack.api_url).send_text(
        "#regwatch-ops", "*source down*\nmofcom-zcfb failed 3 times"
    )
    [posted] = slack.messages
    assert (
        posted.channel == "#regwatch-ops"
        and posted.text is not None
        and "mofcom-zcfb" in posted.text
    )


def test_text_and_blocks_show_title_en_beside_the_chinese_title() -> None:
    item = item_62(DETECTED)
    english = "MOFCOM Announcement No. 62 of 2025: export controls (rare earths)"
    item["_regwatch"]["notice"]["title_en"] = english
    message = render_slack_message(read_alert(item))
    assert message.text.endswith(f"公布对稀土相关技术实施出口管制的决定 ({english})")
    assert any(f"_{english}_" in text for text in all_texts(message.blocks))
    # Without one (items stored before 0.2), nothing is added.
    plain = render_slack_message(read_alert(item_62(DETECTED)))
    assert "(MOFCOM" not in plain.text
