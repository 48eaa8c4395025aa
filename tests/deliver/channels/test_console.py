from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from monitor.deliver.channels import read_alert
from monitor.deliver.channels.console import ConsoleChannel, render_terminal
from monitor.deliver.channels.slack import render_slack_message
from monitor.errors import DeliveryError
from tests.support.delivery import item_18_revised, item_62, item_70

DETECTED = datetime(2025, 10, 9, 2, 31, tzinfo=UTC)


def test_terminal_drawing_has_header_fields_and_link() -> None:
    item = item_62(DETECTED)
    drawing = render_terminal(render_slack_message(read_alert(item)))
    lines = drawing.splitlines()
    assert lines[0] == "商务部公告2025年第62号 — new rare-earth notice"
    assert set(lines[1]) == {"─"}
    assert "  Control codes: 1E902.a, 1E902.b" in lines
    assert "  Elements: Sm, Dy" in lines
    assert f"  Link: {item['url']}" in lines
    assert sum(item["url"] in line for line in lines) == 1  # the link once, not per mention
    assert lines[-1].endswith(f"event {item['id']}")
    assert "<" not in drawing and "*" not in drawing and "&amp;" not in drawing


def test_terminal_drawing_lists_affects_and_diff() -> None:
    suspension = render_terminal(render_slack_message(read_alert(item_70(DETECTED))))
    assert "  • MOFCOM-2025-61 suspended until 2026-11-10" in suspension.splitlines()
    revision = render_terminal(render_slack_message(read_alert(item_18_revised(DETECTED))))
    assert "    │ 本公告自2025年4月4日起正式实施（修订）。" in revision.splitlines()


def test_color_only_when_asked() -> None:
    message = render_slack_message(read_alert(item_62(DETECTED)))
    assert "\x1b[" not in render_terminal(message)
    assert "\x1b[1m商务部公告2025年第62号" in render_terminal(message, color=True)


def test_console_channel_prints_to_its_stream() -> None:
    stream = io.StringIO()
    ConsoleChannel(stream).send(read_alert(item_62(DETECTED)), "console")
    printed = stream.getvalue()
    assert "[console]" in printed and "商务部公告2025年第62号 — new rare-earth notice" in printed
    assert "\x1b[" not in printed  # a StringIO is not a terminal


def test_a_closed_stream_is_a_retryable_delivery_error() -> None:
    stream = io.StringIO()
    stream.close()
    with pytest.raises(DeliveryError) as caught:
        ConsoleChannel(stream).send(read_alert(item_62(DETECTED)), "console")
    assert caught.value.retryable
