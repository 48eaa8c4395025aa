"""What `regwatch demo` prints: step lines, Slack alerts, event counts, the controls table.

Pure functions of what the demo observed; the walk-through (`monitor.demo.walk`) writes them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from monitor.config import Settings
from monitor.controls.codes import base_code
from monitor.controls.document import ControlsState, Suspension
from monitor.deliver.channels.console import render_terminal
from monitor.deliver.channels.slack import SlackMessage
from monitor.demo.world import Step, WrittenDigest
from monitor.models import MeasureStatus
from monitor.replay.slack import PostedMessage

MAX_CODES_SHOWN = 48  # characters of the control-code column


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") + " Beijing"


def step_line(step: Step) -> str:
    """▶ 2025-10-09 23:30 Beijing  published 8: 商务部公告2025年第61号; …"""
    if step.morning:
        return f"\n▶ {when(step.at)}  the next morning: yesterday's digests are due"
    parts = [step.note] if step.note else []
    if step.pages:
        labels = [page.label for page in step.pages]
        parts.append(f"published {len(labels)}: " + "; ".join(labels))
    return f"\n▶ {when(step.at)}  " + (" — ".join(parts) or "the clock moves on")


def events_line(events: Sequence[tuple[str, bool]]) -> str | None:
    """'events: 8 notice.new — 4 rare-earth relevant' for (kind, relevant) pairs."""
    if not events:
        return None
    relevant = sum(1 for _kind, is_relevant in events if is_relevant)
    kinds = ", ".join(f"{n} {kind}" for kind, n in Counter(k for k, _ in events).items())
    return f"  events: {kinds} — {relevant} rare-earth relevant"


def group_by_event(messages: Iterable[PostedMessage]) -> list[tuple[SlackMessage, list[str]]]:
    """One message per event with every channel it went to (so the watch filter shows)."""
    grouped: dict[str, tuple[SlackMessage, list[str]]] = {}
    for posted in messages:
        metadata = posted.metadata or {}
        payload = metadata.get("event_payload") or {}
        key = str(payload.get("event_id") or posted.ts)
        if key not in grouped:
            message = SlackMessage(
                text=posted.text or "", blocks=tuple(posted.blocks or ()), metadata=dict(metadata)
            )
            grouped[key] = (message, [])
        grouped[key][1].append(posted.channel)
    return list(grouped.values())


def alert_lines(message: SlackMessage, channels: Sequence[str], *, color: bool) -> str:
    """A Slack alert as it would look, indented under the step it belongs to."""
    drawing = render_terminal(message, color=color)
    body = "\n".join("    " + line for line in drawing.splitlines())
    return f"\n  Slack → {', '.join(channels)}\n{body}"


def digest_lines(written: WrittenDigest) -> str:
    return (
        f"\n  ✉ digest email to {written.subscriber}: {written.subject}\n"
        f"    written to {written.eml} and {written.html.name}"
    )


def intro(
    settings: Settings, *, site_url: str, slack_url: str, server_url: str, output: str
) -> str:
    subscribers = []
    for sub in settings.subscribers:
        watching = (
            "watching "
            + ", ".join(sub.watch.elements + sub.watch.control_codes + sub.watch.keywords)
            if sub.watch
            else "every rare-earth change"
        )
        subscribers.append(f"{sub.name} (Slack {sub.slack_channel}, {watching})")
    return "\n".join(
        [
            "regwatch demo — MOFCOM's rare-earth export controls from 2025-04 to today "
            "(2026-11-21), replayed offline",
            "",
            f"  MOFCOM replay    {site_url}",
            f"  Slack stand-in   {slack_url}",
            f"  JSON feed        {server_url}/feed.json   (with the events that are not "
            "rare-earth relevant: ?all=1)",
            f"  controls state   {server_url}/controls.json?as_of=2025-11-08",
            f"  web pages        {server_url}/",
            f"  digest emails    {output}",
            "  subscribers      " + ";\n                   ".join(subscribers),
            "",
            "The real daemon polls the replay on an accelerated clock. Each ▶ line is one",
            "simulated moment; Slack alerts are drawn from the messages the stand-in received.",
        ]
    )


def controls_table(state: ControlsState) -> str:
    """One line per measure (and per paragraph suspended on its own): status and until."""
    rows = [("measure", "status", "suspended until", "suspended by", "rare earth", "codes")]
    for measure in state.measures:
        codes = ", ".join(dict.fromkeys(base_code(c) for c in measure.control_codes))
        if len(codes) > MAX_CODES_SHOWN:
            codes = codes[: MAX_CODES_SHOWN - 1] + "…"
        rows.append(
            (
                measure.doc_key,
                measure.status.value,
                *_suspension_cells(measure.suspension),
                "yes" if measure.rare_earth else "",
                codes,
            )
        )
        for paragraph in measure.paragraphs:
            rows.append(
                (
                    f"  {paragraph.scope}",
                    paragraph.status.value,
                    *_suspension_cells(paragraph.suspension),
                    "",
                    "",
                )
            )
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    in_force = [c.code for c in state.controls if c.status is MeasureStatus.IN_FORCE]
    if in_force:
        lines += ["", "control codes in force: " + ", ".join(in_force)]
    return "\n".join("  " + line if line else line for line in lines)


def _suspension_cells(suspension: Suspension | None) -> tuple[str, str]:
    """(suspended until, suspended by); blank when not suspended or open-ended."""
    if suspension is None:
        return "", ""
    return (suspension.until.isoformat() if suspension.until else ""), suspension.by


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if ord(ch) >= 0x1100 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def hs_answer(answer: dict[str, Any]) -> str:
    """One line per measure of an `hs` lookup: its status and why it matched."""
    if not answer["measures"]:
        return "  no measure lists it"
    return "\n".join(
        f"  {m['doc_key']:<16} {m['status']:<10} {'; '.join(m['matched'][:3])}"
        for m in answer["measures"]
    )
