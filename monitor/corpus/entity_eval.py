"""Score the parties read from designation notices against their labels
(monitor/corpus/entities/, README there).

Each `<stem>.json` there names a page (`page`, relative to the folder) and the parties it
lists (`entities`, in printed order). The page is read like a live one (`parse_detail`,
`read_facts`) and row i is compared with label i, field by field: name, name_en, list and
action (the issue's target, ≥ 98 % exact each), and country, alt_names, addresses, until
(reported beside them). A missing or extra row counts as wrong in every field.

    python -m monitor.corpus.entity_eval monitor/corpus/entities
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.adapters.mofcom_detail import parse_detail
from monitor.codec import entity_row_to_json
from monitor.corpus.evaluate import FieldScore, Mismatch
from monitor.detect.identity import read_facts
from monitor.errors import ParseError

TARGET_FIELD_ACCURACY = 0.98
SCORED = ("name", "name_en", "list", "action")
REPORTED = ("country", "alt_names", "addresses", "until")


@dataclass(frozen=True)
class EntityEvalReport:
    pages: int
    rows: int  # labelled rows
    fields: tuple[FieldScore, ...]
    mismatches: tuple[Mismatch, ...]

    def accuracy(self, field: str) -> float:
        return next((f.accuracy for f in self.fields if f.field == field), 1.0)

    @property
    def meets_targets(self) -> bool:
        return all(self.accuracy(f) >= TARGET_FIELD_ACCURACY for f in SCORED)


def _read(label_path: Path, label: dict[str, Any]) -> list[dict[str, Any]]:
    html = (label_path.parent / label["page"]).read_text(encoding="utf-8")
    raw = parse_detail(html, label["url"], "corpus")
    return [entity_row_to_json(row) for row in read_facts(raw).entities]


def evaluate_entities(folder: Path) -> EntityEvalReport:
    fields = (*SCORED, *REPORTED)
    correct = dict.fromkeys(fields, 0)
    total = dict.fromkeys(fields, 0)
    mismatches: list[Mismatch] = []
    pages = rows = 0
    for label_path in sorted(folder.glob("*.json")):
        label = json.loads(label_path.read_text(encoding="utf-8"))
        stem = label_path.stem
        expected: list[dict[str, Any]] = label["entities"]
        pages += 1
        rows += len(expected)
        try:
            got = _read(label_path, label)
        except (OSError, ParseError) as exc:
            got = []
            mismatches.append(Mismatch(stem, "page", label["page"], str(exc)))
        for index in range(max(len(expected), len(got))):
            want = expected[index] if index < len(expected) else None
            have = got[index] if index < len(got) else None
            for name in fields:
                total[name] += 1
                if want is not None and have is not None and want.get(name) == have[name]:
                    correct[name] += 1
                else:
                    mismatches.append(
                        Mismatch(
                            f"{stem}#{index + 1}",
                            name,
                            None if want is None else want.get(name),
                            None if have is None else have[name],
                        )
                    )
    return EntityEvalReport(
        pages=pages,
        rows=rows,
        fields=tuple(FieldScore(n, correct[n], total[n]) for n in fields),
        mismatches=tuple(mismatches),
    )


def format_entity_report(report: EntityEvalReport) -> str:
    lines = [
        f"entity rows: {report.rows} labelled on {report.pages} designation pages",
        "entity field accuracy (exact match, row by row):",
    ]
    for score in report.fields:
        mark = "" if score.field in SCORED else "  (reported)"
        lines.append(
            f"  {score.field:<14} {score.accuracy:7.1%}  ({score.correct}/{score.total}){mark}"
        )
    lines.append(f"entity mismatches: {len(report.mismatches)}")
    for miss in report.mismatches:
        lines.append(f"  {miss.stem} · {miss.field}")
        lines.append(f"      expected {json.dumps(miss.expected, ensure_ascii=False)}")
        lines.append(f"      got      {json.dumps(miss.got, ensure_ascii=False)}")
    verdict = "met" if report.meets_targets else "NOT met"
    lines.append(
        f"entity target ({', '.join(SCORED)} each ≥ {TARGET_FIELD_ACCURACY:.0%}): {verdict}"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or not Path(args[0]).is_dir():
        print("usage: python -m monitor.corpus.entity_eval ENTITY_LABELS_DIR", file=sys.stderr)
        return 2
    report = evaluate_entities(Path(args[0]))
    print(format_entity_report(report))
    return 0 if report.meets_targets else 1


if __name__ == "__main__":
    raise SystemExit(main())
