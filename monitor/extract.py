"""Facts from notice text (pure). STUB: being replaced by the full extractor."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from monitor.models import NoticeFacts

_NUMBER = re.compile(r"((?:商务部|商務部|海关总署|海關總署|、|\s)*公告\s*(\d{4})\s*年\s*第\s*(\d+)\s*[号號])")


def doc_key_for(doc_number: str) -> str | None:
    text = unicodedata.normalize("NFKC", doc_number)
    match = _NUMBER.search(text)
    if not match:
        return None
    return f"MOFCOM-{match.group(2)}-{int(match.group(3))}"


def extract_facts(
    title: str,
    text: str,
    *,
    published: date | None = None,
    doc_number: str | None = None,
    language: str = "zh-Hans",
) -> NoticeFacts:
    number = doc_number or (m.group(1).strip() if (m := _NUMBER.search(title)) else None)
    return NoticeFacts(
        doc_number=number,
        doc_key=doc_key_for(number) if number else None,
        published=published,
    )
