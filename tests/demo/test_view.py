"""The demo's controls table, drawn from the typed controls state."""

from __future__ import annotations

from datetime import date

from monitor.controls.document import (
    CodeState,
    ControlsState,
    ListedIn,
    MeasureState,
    ParagraphState,
    Suspension,
)
from monitor.demo.view import MAX_CODES_SHOWN, controls_table
from monitor.models import MeasureStatus, NoticeKind


def measure(doc_key: str, status: MeasureStatus, **fields: object) -> MeasureState:
    values: dict[str, object] = {
        "doc_key": doc_key,
        "doc_number": None,
        "title": f"title of {doc_key}",
        "url": f"https://example.test/{doc_key}",
        "rare_earth": False,
        "status": status,
        "effective": (),
        "suspension": None,
        "control_codes": (),
        "elements": (),
        "kind": NoticeKind.CONTROL,
        "published": date(2025, 10, 9),
    }
    values.update(fields)
    return MeasureState(**values)  # type: ignore[arg-type]


def code(name: str, status: MeasureStatus) -> CodeState:
    return CodeState(
        code=name,
        description="",
        elements=(),
        hs_codes=(),
        doc_key="A-18",
        status=status,
        sub_items=(),
        verified=True,
        listed_in=ListedIn.NOTICE,
        printed_in=("A-18",),
    )


def test_table_has_a_line_per_measure_and_paragraph_and_the_codes_in_force() -> None:
    state = ControlsState(
        as_of=date(2026, 1, 1),
        measures=(
            measure(
                "A-61",
                MeasureStatus.SUSPENDED,
                rare_earth=True,
                suspension=Suspension(by="A-70", until=date(2026, 11, 10)),
                control_codes=("1C902.a", "1C902.b", "1C903"),
            ),
            measure(
                "A-46",
                MeasureStatus.IN_FORCE,
                paragraphs=(
                    ParagraphState(
                        scope="第二款",
                        status=MeasureStatus.SUSPENDED,
                        suspension=Suspension(by="A-72", until=None),
                    ),
                ),
            ),
        ),
        controls=(code("1C902", MeasureStatus.SUSPENDED), code("1C904", MeasureStatus.IN_FORCE)),
    )
    assert controls_table(state).splitlines() == [
        "  measure   status     suspended until  suspended by  rare earth  codes",
        "  --------  ---------  ---------------  ------------  ----------  ------------",
        "  A-61      suspended  2026-11-10       A-70          yes         1C902, 1C903",
        "  A-46      in_force",
        "    第二款  suspended                   A-72",  # CJK characters take two columns
        "",
        "  control codes in force: 1C904",
    ]


def test_long_code_lists_are_cut() -> None:
    codes = tuple(f"1C{n}" for n in range(900, 920))
    state = ControlsState(
        as_of=date(2026, 1, 1),
        measures=(measure("A-1", MeasureStatus.PENDING, control_codes=codes),),
        controls=(),
    )
    line = controls_table(state).splitlines()[2]
    assert line.endswith("…") and len(line.split("  ")[-1].strip()) == MAX_CODES_SHOWN
    assert "control codes in force" not in controls_table(state)
