"""The `/controls` timeline: runs of status per rare-earth measure, and their SVG."""

from __future__ import annotations

from datetime import date

from monitor.models import Affect, AffectAction, MeasureStatus, NoticeKind
from monitor.serve.pages.timeline import change_days, measure_timeline, render_svg
from tests.controls.test_state import rec, suspend, whole

D = date.fromisoformat
NO_57 = rec("MOFCOM-2025-57", "2025-10-09", effective=whole("2025-11-08"), elements=("Ho",))
NO_70 = rec(
    "MOFCOM-2025-70",
    "2025-11-07",
    kind=NoticeKind.SUSPENSION,
    effective=whole("2025-11-07"),
    affects=(suspend("MOFCOM-2025-57", "2026-11-10"),),
)
NO_23 = rec("MOFCOM-2023-23", "2023-07-03", effective=whole("2023-08-01"))
NO_51 = rec(
    "MOFCOM-2024-51",
    "2024-11-15",
    effective=whole("2024-12-01"),
    affects=(Affect("MOFCOM-2023-23", AffectAction.REPEAL),),
    relevant=False,
)
GALLIUM = rec("MOFCOM-2024-46", "2024-12-03", relevant=False)
RECORDS = [NO_57, NO_70, NO_23, NO_51, GALLIUM]


def spans(as_of: str) -> dict[str, list[tuple[str, str, MeasureStatus, str]]]:
    timeline = measure_timeline(RECORDS, D(as_of))
    return {
        row.doc_key: [
            (s.start.isoformat(), s.end.isoformat(), s.status, s.cause) for s in row.segments
        ]
        for row in timeline.rows
    }


def test_change_days_are_publications_effective_days_and_days_after_holds() -> None:
    days = change_days(RECORDS, D("2023-01-01"), D("2026-11-21"))
    assert days[0] == D("2023-01-01")
    assert {D("2025-10-09"), D("2025-11-08"), D("2026-11-11"), D("2024-12-01")} <= set(days)
    assert days == sorted(set(days))
    assert change_days(RECORDS, D("2025-01-01"), D("2025-10-31"))[-1] == D("2025-10-09")


def test_segments_tell_the_2025_story_with_their_causes() -> None:
    rows = spans("2026-11-21")
    assert "MOFCOM-2024-46" not in rows and "MOFCOM-2024-51" not in rows  # not rare-earth
    no57 = rows["MOFCOM-2025-57"]
    assert [(start, status) for start, _, status, _ in no57] == [
        ("2025-10-09", MeasureStatus.PENDING),
        ("2025-11-07", MeasureStatus.SUSPENDED),
        ("2026-11-11", MeasureStatus.IN_FORCE),
    ]
    assert no57[0][1] == "2025-11-06" and no57[1][1] == "2026-11-10"
    assert no57[-1][1] == "2026-11-21"
    assert no57[1][3] == "suspended by number of MOFCOM-2025-70 until 2026-11-10"
    assert (
        no57[2][3]
        == "in force again: the suspension by number of MOFCOM-2025-70 until 2026-11-10 ended"
    )
    assert no57[0][3].startswith("published by number of MOFCOM-2025-57, takes effect 2025-11-08")
    no23 = rows["MOFCOM-2023-23"]
    assert [status for _, _, status, _ in no23] == [
        MeasureStatus.PENDING,
        MeasureStatus.IN_FORCE,
        MeasureStatus.REPEALED,
    ]
    assert no23[1][3] == "in force under number of MOFCOM-2023-23"
    assert no23[2][:1] == ("2024-12-01",) and no23[2][3] == "repealed by number of MOFCOM-2024-51"


def test_a_date_inside_the_suspension_ends_the_chart_there() -> None:
    rows = spans("2025-12-01")
    assert rows["MOFCOM-2025-57"][-1][:3] == ("2025-11-07", "2025-12-01", MeasureStatus.SUSPENDED)
    assert "MOFCOM-2025-57" not in spans("2025-10-01")  # not published yet


def test_svg_has_a_row_per_measure_and_a_title_per_segment() -> None:
    timeline = measure_timeline(RECORDS, D("2026-11-21"))
    svg = str(render_svg(timeline))
    assert svg.startswith("<svg") and 'role="group"' in svg  # its links stay reachable
    assert svg.count('<g class="row"') == len(timeline.rows) == 3
    assert '<a href="/notices/MOFCOM-2025-57"><text class="label"' in svg
    assert svg.count("<rect") == sum(len(r.segments) for r in timeline.rows)
    assert "number of MOFCOM-2025-57: suspended 2025-11-07 to 2026-11-10" in svg
    for year in ("2023", "2024", "2025", "2026"):
        assert f">{year}</text>" in svg


def test_svg_escapes_what_the_store_says() -> None:
    hostile = rec("<script>", "2025-10-09", effective=whole("2025-10-09"))
    svg = str(render_svg(measure_timeline([hostile], D("2025-12-01"))))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_open_and_extended_suspensions_name_every_notice() -> None:
    from tests.controls.test_state import extend

    open_hold = rec(
        "MOFCOM-2025-80",
        "2025-12-01",
        kind=NoticeKind.SUSPENSION,
        effective=whole("2025-12-01"),
        affects=(suspend("MOFCOM-2025-57", None),),
    )
    rows = {r.doc_key: r for r in measure_timeline([NO_57, open_hold], D("2026-01-01")).rows}
    assert rows["MOFCOM-2025-57"].segments[-1].cause == "suspended by number of MOFCOM-2025-80"
    extension = rec(
        "MOFCOM-2026-90",
        "2026-11-01",
        kind=NoticeKind.SUSPENSION,
        effective=whole("2026-11-01"),
        affects=(extend("MOFCOM-2025-57", "2027-01-10"),),
    )
    rows = {r.doc_key: r for r in measure_timeline([NO_57, NO_70, extension], D("2026-11-21")).rows}
    last = rows["MOFCOM-2025-57"].segments[-1]
    assert last.status is MeasureStatus.SUSPENDED
    assert last.cause == (
        "suspended by number of MOFCOM-2025-70 until 2027-01-10, "
        "extended by number of MOFCOM-2026-90"
    )
