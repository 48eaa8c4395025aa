"""Plain-JSON forms of the models, used by the store and the feed (pure)."""

from __future__ import annotations

from datetime import date
from typing import Any

from monitor.models import (
    Affect,
    AffectAction,
    Attachment,
    Effective,
    NoticeFacts,
    NoticeKind,
    TextDiff,
    Verdict,
)


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def effective_to_json(items: tuple[Effective, ...]) -> list[dict[str, str]]:
    return [{"from": e.from_.isoformat(), "scope": e.scope} for e in items]


def affect_to_json(affect: Affect) -> dict[str, Any]:
    return {
        "doc_key": affect.doc_key,
        "action": affect.action.value,
        "until": iso_date(affect.until),
        "scope": affect.scope,
    }


def facts_to_json(facts: NoticeFacts) -> dict[str, Any]:
    return {
        "doc_number": facts.doc_number,
        "doc_key": facts.doc_key,
        "issuers": list(facts.issuers),
        "published": iso_date(facts.published),
        "effective": effective_to_json(facts.effective),
        "control_codes": list(facts.control_codes),
        "hs_codes": list(facts.hs_codes),
        "elements": list(facts.elements),
        "kind": facts.kind.value,
        "affects": [affect_to_json(a) for a in facts.affects],
        "mentions": list(facts.mentions),
        "reports": facts.reports,
    }


def facts_from_json(data: dict[str, Any]) -> NoticeFacts:
    return NoticeFacts(
        doc_number=data.get("doc_number"),
        doc_key=data.get("doc_key"),
        issuers=tuple(data.get("issuers", ())),
        published=parse_date(data.get("published")),
        effective=tuple(
            Effective(from_=date.fromisoformat(e["from"]), scope=e["scope"])
            for e in data.get("effective", ())
        ),
        control_codes=tuple(data.get("control_codes", ())),
        hs_codes=tuple(data.get("hs_codes", ())),
        elements=tuple(data.get("elements", ())),
        kind=NoticeKind(data.get("kind", "other")),
        affects=tuple(
            Affect(
                doc_key=a["doc_key"],
                action=AffectAction(a["action"]),
                until=parse_date(a.get("until")),
                scope=a.get("scope"),
            )
            for a in data.get("affects", ())
        ),
        mentions=tuple(data.get("mentions", ())),
        reports=data.get("reports"),
    )


def verdict_to_json(verdict: Verdict) -> dict[str, Any]:
    return {
        "relevant": verdict.relevant,
        "elements": list(verdict.elements),
        "control_codes": list(verdict.control_codes),
        "hs_codes": list(verdict.hs_codes),
        "matched": list(verdict.matched),
    }


def verdict_from_json(data: dict[str, Any]) -> Verdict:
    return Verdict(
        relevant=bool(data.get("relevant")),
        elements=tuple(data.get("elements", ())),
        control_codes=tuple(data.get("control_codes", ())),
        hs_codes=tuple(data.get("hs_codes", ())),
        matched=tuple(data.get("matched", ())),
    )


def attachments_to_json(items: tuple[Attachment, ...]) -> list[dict[str, Any]]:
    return [{"url": a.url, "name": a.name, "sha256": a.sha256} for a in items]


def attachments_from_json(items: list[dict[str, Any]]) -> tuple[Attachment, ...]:
    return tuple(Attachment(url=a["url"], name=a["name"], sha256=a.get("sha256")) for a in items)


def diff_to_json(diff: TextDiff) -> dict[str, Any]:
    return {
        "added": list(diff.added),
        "removed": list(diff.removed),
        "patch": diff.patch,
        "major_rewrite": diff.major_rewrite,
    }
