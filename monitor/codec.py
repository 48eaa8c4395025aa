"""Plain-JSON forms of the models, used by the store and the feed (pure)."""

from __future__ import annotations

from datetime import date
from typing import Any

from monitor.models import (
    Affect,
    AffectAction,
    Attachment,
    Effective,
    EntityAction,
    EntityList,
    EntityRow,
    Item,
    ItemsDiff,
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
        "entities": [entity_row_to_json(e) for e in facts.entities],
        "mentions": list(facts.mentions),
        "reports": facts.reports,
    }


def entity_row_to_json(row: EntityRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "name_en": row.name_en,
        "country": row.country,
        "list": row.list_.value,
        "action": row.action.value,
        "alt_names": list(row.alt_names),
        "addresses": list(row.addresses),
        "until": iso_date(row.until),
    }


def entity_row_from_json(data: dict[str, Any]) -> EntityRow:
    return EntityRow(
        name=data["name"],
        name_en=data.get("name_en"),
        list_=EntityList(data["list"]),
        action=EntityAction(data["action"]),
        country=data.get("country"),
        alt_names=tuple(data.get("alt_names", ())),
        addresses=tuple(data.get("addresses", ())),
        until=parse_date(data.get("until")),
    )


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
        entities=tuple(entity_row_from_json(e) for e in data.get("entities", ())),
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
    return [
        {
            "url": a.url,
            "name": a.name,
            "sha256": a.sha256,
            "items": items_to_json(a.items),
            "error": a.error,
            "read": a.read,
        }
        for a in items
    ]


def attachments_from_json(items: list[dict[str, Any]]) -> tuple[Attachment, ...]:
    return tuple(
        Attachment(
            url=a["url"],
            name=a["name"],
            sha256=a.get("sha256"),
            items=items_from_json(a.get("items") or []),
            error=a.get("error"),
            read=bool(a.get("read", False)),
        )
        for a in items
    )


def item_to_json(item: Item) -> dict[str, Any]:
    """CONTRACT.md § Items: code, description, description_en, hs_codes, elements, source;
    `part` and `notes` beside them."""
    return {
        "code": item.code,
        "description": item.description,
        "description_en": item.description_en,
        "hs_codes": list(item.hs_codes),
        "elements": list(item.elements),
        "source": item.source,
        "part": item.part,
        "notes": item.notes,
    }


def items_to_json(items: tuple[Item, ...]) -> list[dict[str, Any]]:
    return [item_to_json(i) for i in items]


def items_from_json(data: list[dict[str, Any]]) -> tuple[Item, ...]:
    return tuple(
        Item(
            code=i.get("code"),
            description=i.get("description", ""),
            hs_codes=tuple(i.get("hs_codes", ())),
            elements=tuple(i.get("elements", ())),
            source=i.get("source", "text"),
            description_en=i.get("description_en"),
            notes=i.get("notes") or "",
            part=i.get("part"),
        )
        for i in data
    )


def items_diff_to_json(diff: ItemsDiff) -> dict[str, Any]:
    return {
        "added": items_to_json(diff.added),
        "removed": items_to_json(diff.removed),
        "changed": [
            {"code": c.code, "before": item_to_json(c.before), "after": item_to_json(c.after)}
            for c in diff.changed
        ],
    }


def diff_to_json(diff: TextDiff) -> dict[str, Any]:
    return {
        "added": list(diff.added),
        "removed": list(diff.removed),
        "patch": diff.patch,
        "major_rewrite": diff.major_rewrite,
    }
