"""Party records for the listings tests: the designation fixtures of monitor/corpus/entities,
read as a live page would be (parse_detail → read_facts)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from monitor.adapters.mofcom_detail import parse_detail
from monitor.detect.identity import read_facts
from monitor.models import EntityRecord

ENTITY_CORPUS = Path(__file__).resolve().parents[2] / "monitor" / "corpus" / "entities"


def page_records(stem: str) -> list[EntityRecord]:
    label = json.loads((ENTITY_CORPUS / f"{stem}.json").read_text(encoding="utf-8"))
    html = (ENTITY_CORPUS / label["page"]).read_text(encoding="utf-8")
    raw = parse_detail(html, label["url"], "test")
    facts = read_facts(raw)
    assert facts.doc_key is not None
    return [
        EntityRecord(
            doc_key=facts.doc_key,
            doc_number=facts.doc_number,
            url=label["url"],
            published=facts.published,
            effective=facts.effective,
            row=row,
            position=position,
        )
        for position, row in enumerate(facts.entities)
    ]


def story() -> list[EntityRecord]:
    """No. 23 lists 8 US parties (2026-04-15); No. 27 removes 2 (2026-06-10); No. 28 suspends
    3 for a year from 2026-07-01; the UEL notice of 2025 and its 2026 removal of 2."""
    return [
        *page_records("mofcom-2026-23"),
        *page_records("mofcom-2026-27.big5"),
        *page_records("mofcom-2026-28"),
        *page_records("uel-2025-7"),
        *page_records("uel-2026-3.en"),
    ]


D = date.fromisoformat
