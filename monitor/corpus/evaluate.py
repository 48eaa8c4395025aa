"""Score extraction and relevance against the gold corpus (monitor/corpus/README.md).

Every `<stem>.html` with a `<stem>.json` beside it is parsed and read like a live page
(`mofcom_detail.parse_detail`, `identity.read_facts`, `assess`), and compared with its
labels in their stored JSON form (codec): lists as sets (issuers in printed order),
`effective` as a set of (from, scope), `affects` as a set of (doc_key, action, until,
scope). A notice acting on another corpus notice is assessed with that notice's verdict,
as the store would do.

    python -m monitor.corpus.evaluate monitor/corpus
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from monitor.adapters.article import parse_article
from monitor.adapters.mofcom_detail import parse_detail
from monitor.codec import facts_to_json
from monitor.detect.classify import assess
from monitor.detect.identity import read_facts
from monitor.errors import ParseError
from monitor.extract.docnumbers import collapse
from monitor.models import NoticeFacts, RawNotice, Verdict

TARGET_RECALL = 1.0
TARGET_PRECISION = 0.97
TARGET_FIELD_ACCURACY = 0.99
FIELDS = (
    "doc_key", "doc_number", "issuers", "published", "effective", "control_codes",
    "hs_codes", "elements", "kind", "affects", "relevant", "mentions", "reports", "relevance",
)  # fmt: skip
# Issue 10's targets for the fields real-world text makes hard; the rest keep the default.
FIELD_TARGETS = {"mentions": 0.97, "reports": 0.97, "elements": 0.98, "control_codes": 0.98}
SCRIPTS = ("zh-Hans", "zh-Hant", "en")


def field_target(name: str) -> float:
    return FIELD_TARGETS.get(name, TARGET_FIELD_ACCURACY)


@dataclass(frozen=True)
class Mismatch:
    stem: str
    field: str
    expected: Any
    got: Any


@dataclass(frozen=True)
class FieldScore:
    field: str
    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass(frozen=True)
class EvalReport:
    pages: int
    true_positives: int
    false_positives: int
    false_negatives: int
    fields: tuple[FieldScore, ...]
    mismatches: tuple[Mismatch, ...]
    by_script: tuple[tuple[str, EvalReport], ...] = ()  # the same scores per labelled script

    @property
    def relevance_precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def relevance_recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    def accuracy(self, field: str) -> float:
        return next((f.accuracy for f in self.fields if f.field == field), 1.0)

    @property
    def meets_targets(self) -> bool:
        return (
            self.pages > 0
            and self.relevance_recall >= TARGET_RECALL
            and self.relevance_precision >= TARGET_PRECISION
            and all(f.accuracy >= field_target(f.field) for f in self.fields)
            and all(r.meets_targets for _, r in self.by_script)
        )


@dataclass(frozen=True)
class _Page:
    stem: str
    labels: dict[str, Any]
    raw: RawNotice | None
    error: str | None = None
    script: str = "zh-Hans"


def load_pages(corpus_dir: Path) -> list[_Page]:
    pages: list[_Page] = []
    for label_path in sorted(corpus_dir.glob("*.json")):
        html_path = label_path.with_suffix(".html")
        if not html_path.is_file():
            continue  # controls_expected.json, timeline.json …
        data = json.loads(label_path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "labels" not in data:
            continue
        stem = label_path.stem
        url = str(data.get("url") or f"https://corpus.invalid/{stem}.html")
        source = str(data.get("source_id") or data.get("source") or "corpus")
        script = str(data.get("language") or "zh-Hans")
        # News and commentary are read as the live path reads an article or feed item.
        parse = parse_article if data.get("form") == "article" else parse_detail
        try:
            raw = parse(html_path.read_text(encoding="utf-8"), url, source)
        except ParseError as exc:
            pages.append(_Page(stem, data["labels"], None, f"parse error: {exc}", script))
            continue
        if not raw.title and data.get("list_title"):
            raw = replace(raw, title=str(data["list_title"]))
        pages.append(_Page(stem, data["labels"], raw, script=script))
    return pages


def _verdicts(pages: list[_Page], facts: dict[str, NoticeFacts]) -> dict[str, Verdict]:
    """Assess every page, then again with the verdicts of the corpus notices it acts on
    (or, for news, reports on), as the store would."""
    first = {p.stem: assess(p.raw.title, p.raw.text, facts[p.stem]) for p in pages if p.raw}
    by_key: dict[str, Verdict] = {}
    for stem, verdict in first.items():
        key = facts[stem].doc_key
        if key and (key not in by_key or verdict.relevant):
            by_key[key] = verdict
    final: dict[str, Verdict] = {}
    for page in pages:
        if page.raw is None:
            continue
        page_facts = facts[page.stem]
        related = [by_key[a.doc_key] for a in page_facts.affects if a.doc_key in by_key]
        reported = by_key.get(page_facts.reports) if page_facts.reports else None
        final[page.stem] = (
            assess(page.raw.title, page.raw.text, page_facts, acted_on=related, reported=reported)
            if related or reported
            else first[page.stem]
        )
    return final


def _got(facts: NoticeFacts, verdict: Verdict) -> dict[str, Any]:
    """The labelled fields as the store writes them (codec), and the verdict."""
    return {**facts_to_json(facts), "relevant": verdict.relevant, "relevance": _relevance(verdict)}


def _relevance(verdict: Verdict) -> str:
    """subject | passing | none, as the reasons say (detect.substance)."""
    if verdict.relevant:
        return "subject"
    passing = any(m.startswith("passing mention") for m in verdict.matched)
    return "passing" if passing else "none"


def _affect_key(item: dict[str, Any]) -> tuple[Any, ...]:
    return (item.get("doc_key"), item.get("action"), item.get("until"), item.get("scope"))


def _collapse(value: Any) -> Any:
    return collapse(value) if isinstance(value, str) else value


_NORMALISE: dict[str, Callable[[Any], Any]] = {
    "doc_number": _collapse,
    "issuers": lambda v: list(v or []),
    "effective": lambda v: frozenset((e["from"], e["scope"]) for e in v or []),
    "control_codes": lambda v: frozenset(v or []),
    "hs_codes": lambda v: frozenset(v or []),
    "elements": lambda v: frozenset(v or []),
    "affects": lambda v: frozenset(_affect_key(a) for a in v or []),
    "mentions": lambda v: list(v or []),
    "relevant": bool,
}


def evaluate_corpus(corpus_dir: Path) -> EvalReport:
    pages = load_pages(corpus_dir)
    facts = {p.stem: read_facts(p.raw) for p in pages if p.raw}
    verdicts = _verdicts(pages, facts)
    overall = _score(pages, facts, verdicts)
    by_script = tuple(
        (script, _score([p for p in pages if p.script == script], facts, verdicts))
        for script in SCRIPTS
        if any(p.script == script for p in pages)
    )
    return replace(overall, by_script=by_script)


def _score(
    pages: list[_Page], facts: dict[str, NoticeFacts], verdicts: dict[str, Verdict]
) -> EvalReport:
    correct = dict.fromkeys(FIELDS, 0)
    total = dict.fromkeys(FIELDS, 0)
    mismatches: list[Mismatch] = []
    tp = fp = fn = 0
    for page in pages:
        if page.raw is None:
            mismatches.append(Mismatch(page.stem, "parse", "a detail page", page.error))
            for name in FIELDS:
                total[name] += name in page.labels
            fn += bool(page.labels.get("relevant"))
            continue
        got = _got(facts[page.stem], verdicts[page.stem])
        for name in FIELDS:
            if name not in page.labels:
                continue
            normalise = _NORMALISE.get(name, lambda v: v)
            expected, actual = page.labels[name], got[name]
            total[name] += 1
            if normalise(expected) == normalise(actual):
                correct[name] += 1
            else:
                mismatches.append(Mismatch(page.stem, name, expected, actual))
        if "relevant" in page.labels:
            expected_relevant, got_relevant = bool(page.labels["relevant"]), got["relevant"]
            tp += expected_relevant and got_relevant
            fp += got_relevant and not expected_relevant
            fn += expected_relevant and not got_relevant
    return EvalReport(
        pages=len(pages),
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        fields=tuple(FieldScore(n, correct[n], total[n]) for n in FIELDS),
        mismatches=tuple(mismatches),
    )


def _show(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = sorted(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def format_report(report: EvalReport) -> str:
    lines = [f"corpus: {report.pages} pages", *_scores(report)]
    for script, part in report.by_script:
        lines.append(f"[{script}] {part.pages} pages")
        lines += ["  " + line for line in _scores(part)]
    lines.append(f"mismatches: {len(report.mismatches)}")
    for miss in report.mismatches:
        lines.append(f"  {miss.stem} · {miss.field}")
        lines.append(f"      expected {_show(miss.expected)}")
        lines.append(f"      got      {_show(miss.got)}")
    verdict = "met" if report.meets_targets else "NOT met"
    targets = ", ".join(f"{name} ≥ {value:.0%}" for name, value in FIELD_TARGETS.items())
    lines.append(
        f"targets per script and overall (recall {TARGET_RECALL:.0%}, precision ≥ "
        f"{TARGET_PRECISION:.0%}, {targets}, every other field ≥ "
        f"{TARGET_FIELD_ACCURACY:.0%}): {verdict}"
    )
    return "\n".join(lines)


def _scores(report: EvalReport) -> list[str]:
    lines = [
        f"relevance: precision {report.relevance_precision:.1%} "
        f"(tp {report.true_positives}, fp {report.false_positives}), "
        f"recall {report.relevance_recall:.1%} (fn {report.false_negatives})",
        "field accuracy (exact match):",
    ]
    for score in report.fields:
        if score.total:
            lines.append(
                f"  {score.field:<14} {score.accuracy:7.1%}  ({score.correct}/{score.total})"
            )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print("usage: python -m monitor.corpus.evaluate CORPUS_DIR", file=sys.stderr)
        return 2
    corpus = Path(args[0])
    if not corpus.is_dir():
        print(f"not a folder: {corpus}", file=sys.stderr)
        return 2
    report = evaluate_corpus(corpus)
    print(format_report(report))
    return 0 if report.meets_targets else 1


if __name__ == "__main__":
    raise SystemExit(main())
