"""An English headline for every notice (`title_en`, CONTRACT.md "Added in 0.2"; pure).

The title of an English-language copy when that is what regwatch holds, else composed from
the extracted facts: number, kind, what is controlled, elements, effective date. No
translation service: every word comes from the facts.
"""

from __future__ import annotations

import re

from monitor.models import Notice, NoticeKind

_KEY = re.compile(r"(?P<series>[A-Z]+)-(?:(?P<order>ORDER)-)?(?P<year>\d{4})-(?P<num>\d+)$")
_SERIES = {"MOFCOM": "MOFCOM", "GACC": "GACC", "UEL": "Unreliable Entity List Working Mechanism"}
_KINDS = {
    NoticeKind.CONTROL: "export controls",
    NoticeKind.SUSPENSION: "suspension",
    NoticeKind.REPEAL: "repeal",
    NoticeKind.ADJUSTMENT: "adjustment",
    NoticeKind.DESIGNATION: "export control list designation",
    NoticeKind.UNRELIABLE_ENTITY: "Unreliable Entity List decision",
    NoticeKind.LICENSE: "licensing",
    NoticeKind.COMMENTARY: "commentary",
    NoticeKind.OTHER: "notice",
}


def title_en(notice: Notice) -> str:
    """Never empty: the English copy's title, else a headline composed from the facts."""
    if notice.title_en:
        return notice.title_en
    if notice.language == "en" and notice.title.strip():
        return " ".join(notice.title.split())
    facts = notice.facts
    subject = _KINDS[facts.kind]
    if notice.verdict.relevant and facts.kind is not NoticeKind.COMMENTARY:
        subject += " (rare earths)" if facts.kind is NoticeKind.CONTROL else ", rare-earth related"
    if facts.affects:
        subject += " of " + ", ".join(a.doc_key for a in facts.affects)
    elements = notice.verdict.elements or facts.elements
    if elements:
        subject += f" ({', '.join(elements)})"
    if facts.effective:
        subject += f", effective {facts.effective[0].from_.isoformat()}"
    return f"{_name(notice.doc_key)}: {subject}"


def _name(doc_key: str) -> str:
    match = _KEY.match(doc_key)
    if match:
        series = _SERIES.get(match["series"], match["series"])
        form = "Order" if match["order"] else "Announcement"
        return f"{series} {form} No. {int(match['num'])} of {match['year']}"
    if doc_key.startswith("STATECOUNCIL-"):
        return f"State Council Decree No. {doc_key.removeprefix('STATECOUNCIL-')}"
    return "Report" if doc_key.startswith(("http://", "https://")) else doc_key
