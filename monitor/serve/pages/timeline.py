"""The timeline chart of `/controls`: each rare-earth measure's status from 2023 to a date (pure).

The status of every measure is the controls state (`monitor.controls.state`) evaluated on
each day something can change: a notice's publication or effective day, and the day after a
suspension ends. Between two such days nothing changes, so the runs of equal status are the
chart's segments, each named with the notices that caused it. The SVG uses classes only (the
pages' style sheet colours them) and a <title> per segment, read out by screen readers and
shown on hover.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

from monitor.controls.document import ControlsState, MeasureState
from monitor.controls.state import controls_state
from monitor.models import MeasureRecord, MeasureStatus
from monitor.serve.pages.render import notice_path

START = date(2023, 1, 1)
STATUS_LABELS: Mapping[MeasureStatus, str] = {
    MeasureStatus.PENDING: "pending",
    MeasureStatus.IN_FORCE: "in force",
    MeasureStatus.SUSPENDED: "suspended",
    MeasureStatus.REPEALED: "repealed",
}
_DAY = timedelta(days=1)
_WIDTH = 720
_PAD = 8
_AXIS = 26
_ROW = 44


@dataclass(frozen=True)
class Segment:
    start: date
    end: date  # inclusive
    status: MeasureStatus
    cause: str  # the notices behind this status, in words


@dataclass(frozen=True)
class TimelineRow:
    doc_key: str
    label: str  # the document number
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Timeline:
    start: date
    end: date
    rows: tuple[TimelineRow, ...]


def change_days(records: Sequence[MeasureRecord], start: date, end: date) -> list[date]:
    """Every day in [start, end] on which a status can change, `start` first."""
    days = {start}
    for record in records:
        published = record.published or record.facts.published or record.first_seen
        days.update(d for d in (published,) if d is not None)
        days.update(e.from_ for e in record.facts.effective)
        days.update(a.until + _DAY for a in record.facts.affects if a.until is not None)
    return sorted(d for d in days if start <= d <= end)


def measure_timeline(
    records: Sequence[MeasureRecord], as_of: date, *, start: date = START
) -> Timeline:
    """The rare-earth measures of the controls state on `as_of`, each as runs of status."""
    final = controls_state(records, as_of)
    days = change_days(records, start, as_of)
    states: list[ControlsState] = [controls_state(records, day) for day in days]
    names = {r.doc_key: r.doc_number or r.doc_key for r in records}
    rows = []
    for measure in final.measures:
        if not measure.rare_earth:
            continue
        segments: list[Segment] = []
        for index, state in enumerate(states):
            found = next((m for m in state.measures if m.doc_key == measure.doc_key), None)
            if found is None:
                continue
            last = days[index + 1] - _DAY if index + 1 < len(days) else as_of
            previous = segments[-1] if segments else None
            cause = _cause(found, previous, names)
            if previous and previous.status is found.status and previous.cause == cause:
                segments[-1] = Segment(previous.start, last, found.status, cause)
            else:
                segments.append(Segment(days[index], last, found.status, cause))
        rows.append(TimelineRow(measure.doc_key, names[measure.doc_key], tuple(segments)))
    return Timeline(start, as_of, tuple(rows))


def _cause(measure: MeasureState, previous: Segment | None, names: Mapping[str, str]) -> str:
    def name(doc_key: str) -> str:
        return names.get(doc_key, doc_key)

    own = name(measure.doc_key)
    if measure.status is MeasureStatus.SUSPENDED and measure.suspension is not None:
        text = f"suspended by {name(measure.suspension.by)}"
        if measure.suspension.until is not None:
            text += f" until {measure.suspension.until.isoformat()}"
        if measure.suspension.extended_by:
            text += ", extended by " + ", ".join(name(k) for k in measure.suspension.extended_by)
        return text
    if measure.status is MeasureStatus.REPEALED:
        return f"repealed by {name(measure.repealed_by)}" if measure.repealed_by else "repealed"
    if measure.status is MeasureStatus.PENDING:
        first = measure.effective[0].from_.isoformat() if measure.effective else "a later date"
        return f"published by {own}, takes effect {first}"
    if previous is not None and previous.status is MeasureStatus.SUSPENDED:
        return f"in force again: the suspension {previous.cause.removeprefix('suspended ')} ended"
    if previous is not None and previous.status is MeasureStatus.IN_FORCE:
        return previous.cause
    return f"in force under {own}"


def _x(day: date, timeline: Timeline) -> float:
    span = (timeline.end - timeline.start).days + 1
    return _PAD + (day - timeline.start).days / span * (_WIDTH - 2 * _PAD)


def render_svg(timeline: Timeline, *, title_id: str = "timeline-title") -> Markup:
    """The chart as inline SVG markup (escaped: every text comes from the store)."""
    height = _AXIS + _ROW * len(timeline.rows) + 4
    out = [
        f'<svg class="timeline" viewBox="0 0 {_WIDTH} {height}" role="group" '
        f'aria-labelledby="{title_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">Status of each rare-earth measure from '
        f"{timeline.start.isoformat()} to {timeline.end.isoformat()}</title>",
    ]
    for year in range(timeline.start.year, timeline.end.year + 1):
        tick = max(date(year, 1, 1), timeline.start)
        x = _x(tick, timeline)
        out.append(f'<line class="tick" x1="{x:.1f}" y1="14" x2="{x:.1f}" y2="{height}"/>')
        out.append(f'<text class="year" x="{x + 3:.1f}" y="12">{year}</text>')
    for index, row in enumerate(timeline.rows):
        top = _AXIS + index * _ROW
        out.append(f'<g class="row" data-doc-key="{escape(row.doc_key)}">')
        out.append(
            f'<a href="{escape(notice_path(row.doc_key))}"><text class="label" x="{_PAD}" '
            f'y="{top + 13}">{escape(row.label)}</text></a>'
        )
        for segment in row.segments:
            x1 = _x(segment.start, timeline)
            x2 = _x(segment.end + _DAY, timeline)
            status = STATUS_LABELS[segment.status]
            tip = (
                f"{row.label}: {status} {segment.start.isoformat()} to "
                f"{segment.end.isoformat()} ({segment.cause})"
            )
            out.append(
                f'<rect class="seg {segment.status.value}" data-status="{segment.status.value}" '
                f'x="{x1:.1f}" y="{top + 18}" width="{max(x2 - x1, 1.5):.1f}" height="16">'
                f"<title>{escape(tip)}</title></rect>"
            )
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))
