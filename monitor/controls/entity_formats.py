"""The lists of parties as FollowTheMoney JSON lines and as CSV (pure).

FtM is what sanctions-screening tools load: one line per party (schema Person, Company,
Organization or LegalEntity as the name suggests) and one `Sanction` line per listing
pointing at it. Topics and programs name only the listings in force on the date.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from typing import Any

from monitor.codec import iso_date
from monitor.controls.listings import EntitiesState, EntityState, ListingState
from monitor.models import EntityList, MeasureStatus

TOPICS = {
    EntityList.CONTROL_LIST: "export.control",
    EntityList.WATCH_LIST: "export.risk",
    EntityList.UNRELIABLE_ENTITY: "sanction",
    EntityList.COUNTERMEASURE: "sanction.counter",
}
PROGRAMS = {
    EntityList.CONTROL_LIST: "China MOFCOM Export Control Control List (出口管制管控名单)",
    EntityList.WATCH_LIST: "China MOFCOM Export Control Watch List (出口管制关注名单)",
    EntityList.UNRELIABLE_ENTITY: "China Unreliable Entity List (不可靠实体清单)",
    EntityList.COUNTERMEASURE: "China Anti-Foreign Sanctions Law countermeasures (反制措施)",
}
AUTHORITY = "Ministry of Commerce of the People's Republic of China (商务部)"
CSV_COLUMNS = (
    "id", "name", "name_en", "alt_names", "country", "addresses", "list", "status", "from",
    "until", "doc_key", "url", "measures", "score",
)  # fmt: skip

_COMPANY = re.compile(
    r"公司|株式会社|集团|集團|有限|(?i:\b(?:inc|llc|l\.l\.c|ltd|limited|corp|corporation|co|"
    r"company|gmbh|ag|s\.?a|s\.?p\.?a|b\.?v|n\.?v|plc|oy|ab|as|a\.s|sas|s\.l|k\.k|oü|se)\b\.?)"
)
_ORGANIZATION = re.compile(
    r"研究所|研究院|大学|大學|学院|學院|协会|協會|基金会|基金會|联合体|聯合體|中心|委员会|委員會|"
    r"(?i:\b(?:institute|university|college|association|foundation|consortium|agency|"
    r"center|centre|council|committee|laboratory)\b)"
)


def schema_for(entity: EntityState) -> str:
    names = " ".join(n for n in (entity.name, entity.name_en or "") if n)
    if "·" in entity.name or "•" in entity.name:
        return "Person"
    if _COMPANY.search(names):
        return "Company"
    if _ORGANIZATION.search(names):
        return "Organization"
    return "LegalEntity"


def ftm_lines(state: EntitiesState) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for entity in state.entities:
        lines.append(_ftm_entity(entity))
        lines.extend(_ftm_sanction(entity, listing) for listing in entity.listings)
    return lines


def ftm_text(state: EntitiesState) -> str:
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in ftm_lines(state))


def _ftm_entity(entity: EntityState) -> dict[str, Any]:
    in_force = [x for x in entity.listings if x.status is MeasureStatus.IN_FORCE]
    properties: dict[str, list[str]] = {
        "name": _unique([entity.name, entity.name_en]),
        "alias": list(entity.alt_names),
        "country": [entity.country.lower()] if entity.country else [],
        "address": list(entity.addresses),
        "topics": _unique([TOPICS[x.list_] for x in in_force]),
        "program": _unique([PROGRAMS[x.list_] for x in in_force]),
        "sourceUrl": _unique([x.url for x in entity.listings]),
    }
    return {
        "id": entity.id,
        "schema": schema_for(entity),
        "properties": {k: v for k, v in properties.items() if v},
    }


def _ftm_sanction(entity: EntityState, listing: ListingState) -> dict[str, Any]:
    basis = f"{entity.id}|{listing.list_.value}|{listing.doc_key}"
    properties: dict[str, list[str]] = {
        "entity": [entity.id],
        "authority": [AUTHORITY],
        "country": ["cn"],
        "program": [PROGRAMS[listing.list_]],
        "status": [listing.status.value],
        "startDate": [listing.from_.isoformat()],
        "endDate": [listing.until.isoformat()] if listing.until else [],
        "sourceUrl": [listing.url],
        "recordId": [listing.doc_key],
    }
    return {
        "id": "regwatch-listing-" + hashlib.sha256(basis.encode()).hexdigest()[:16],
        "schema": "Sanction",
        "properties": {k: v for k, v in properties.items() if v},
    }


def csv_text(state: EntitiesState) -> str:
    """One row per listing, with the party's names and addresses repeated on each."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entity in state.entities:
        for listing in entity.listings:
            writer.writerow(
                [
                    entity.id,
                    entity.name,
                    entity.name_en or "",
                    "; ".join(entity.alt_names),
                    entity.country or "",
                    "; ".join(entity.addresses),
                    listing.list_.value,
                    listing.status.value,
                    listing.from_.isoformat(),
                    iso_date(listing.until) or "",
                    listing.doc_key,
                    listing.url,
                    "; ".join(listing.measures),
                    "" if entity.score is None else entity.score,
                ]
            )
    return out.getvalue()


def _unique(values: list[str | None]) -> list[str]:
    return [v for v in dict.fromkeys(values) if v]
