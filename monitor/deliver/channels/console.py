"""The console channel: the Slack alert, drawn for a terminal.

Used by the default configuration (no file: notifications go to the console) and by
`regwatch demo`, which shows a newcomer what a Slack alert will look like.
`render_terminal` draws the very `SlackMessage` that Slack would receive.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from monitor.deliver.channels.slack import SlackMessage, render_slack_message
from monitor.deliver.channels.wording import Alert
from monitor.errors import DeliveryError

_LINK = re.compile(r"<([^|>]+)\|([^>]*)>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_BOLD_ON, _DIM_ON, _OFF = "\x1b[1m", "\x1b[2m", "\x1b[0m"
RULE_WIDTH = 72


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _plain(mrkdwn: str, *, color: bool, links: list[str]) -> str:
    """Slack mrkdwn → terminal text; link targets are collected and shown once at the end."""

    def keep_label(match: re.Match[str]) -> str:
        url = _unescape(match.group(1))
        if url not in links:
            links.append(url)
        return match.group(2)

    text = _LINK.sub(keep_label, mrkdwn)
    text = _BOLD.sub(
        (lambda m: f"{_BOLD_ON}{m.group(1)}{_OFF}") if color else (lambda m: m.group(1)), text
    )
    return _unescape(text)


def _field_lines(field: Mapping[str, Any], *, color: bool, links: list[str]) -> list[str]:
    label, _, value = str(field.get("text", "")).partition("\n")
    name = _plain(label, color=False, links=links)
    shown = _plain(value, color=color, links=links).splitlines() or [""]
    head = f"{_BOLD_ON}{name}{_OFF}" if color else name
    lines = [f"  {head}: {shown[0]}"]
    indent = " " * (len(name) + 4)
    lines += [indent + more for more in shown[1:]]
    return lines


def render_terminal(message: SlackMessage, *, color: bool = False) -> str:
    """A terminal drawing of a Slack message: header line, fields, link(s)."""
    links: list[str] = []
    lines: list[str] = []
    footer: list[str] = []
    sections = 0
    for block in message.blocks:
        kind = block.get("type")
        if kind == "header":
            title = str(block.get("text", {}).get("text", ""))
            lines.append(f"{_BOLD_ON}{title}{_OFF}" if color else title)
            lines.append("─" * min(RULE_WIDTH, max(len(title) * 2, 20)))
        elif kind == "section":
            text = block.get("text")
            if isinstance(text, Mapping):
                body = _plain(str(text.get("text", "")), color=color, links=links)
                if block.get("block_id") != "link":  # its URL is listed under "Link:"
                    indent = "" if sections == 0 else "  "  # title and summary stand out
                    lines += [indent + _quote(line) for line in body.splitlines()]
                sections += 1
            for field in block.get("fields", ()):
                lines += _field_lines(field, color=color, links=links)
        elif kind == "context":
            for element in block.get("elements", ()):
                footer.append(_plain(str(element.get("text", "")), color=False, links=links))
    lines += [f"  Link: {url}" for url in links]
    for note in footer:
        lines.append(f"{_DIM_ON}{note}{_OFF}" if color else note)
    return "\n".join(lines)


def _quote(line: str) -> str:
    return "  │ " + line[2:] if line.startswith("> ") else line


class ConsoleChannel:
    """Prints each alert (and operator notes) to `stream`."""

    name = "console"

    def __init__(self, stream: TextIO | None = None, *, color: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.color = bool(color) if color is not None else _is_terminal(self.stream)

    def send(self, alert: Alert, destination: str) -> None:
        drawing = render_terminal(render_slack_message(alert), color=self.color)
        self._write(f"\n[{destination}]\n{drawing}\n")

    def send_text(self, destination: str, text: str) -> None:
        self._write(f"\n[{destination}] {text}\n")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError) as exc:  # closed pipe or closed file
            raise DeliveryError(f"console unavailable: {exc}", retryable=True) from None


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
