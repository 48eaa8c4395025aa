"""The US Federal Register documents API replayed (mofcom-site.md §9).

`GET /api/v1/documents.json` filtered by `conditions[agencies][]`, `conditions[type][]`,
`conditions[publication_date][gte]` and `conditions[term]` (words joined with `|` match
any), newest first, `per_page` and `page`; answered `{"count", "total_pages",
"next_page_url", "results"}`. `html_url`s are the real site's.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from monitor.replay.loopback import Answer
from monitor.replay.sites import Request, SmallSite

API_PATH = "/api/v1/documents.json"
_JSON = "application/json; charset=utf-8"
_TYPES = {"RULE": "Rule", "PRORULE": "Proposed Rule", "NOTICE": "Notice",
          "PRESDOCU": "Presidential Document"}  # fmt: skip
AGENCY_NAMES = {
    "industry-and-security-bureau": "Industry and Security Bureau",
    "commerce-department": "Commerce Department",
    "foreign-assets-control-office": "Foreign Assets Control Office",
}


@dataclass(frozen=True)
class Document:
    document_number: str  # 2025-19876
    title: str
    type: str  # RULE, PRORULE, NOTICE, PRESDOCU
    abstract: str
    action: str
    publication_date: dt.date
    effective_on: dt.date | None
    agencies: tuple[str, ...] = ("commerce-department", "industry-and-security-bureau")
    citation: str = ""
    cfr_references: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, object]:
        slug = re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")[:60]
        base = "https://www.federalregister.gov"
        return {
            "document_number": self.document_number, "title": self.title,
            "type": _TYPES[self.type], "abstract": self.abstract, "action": self.action,
            "publication_date": self.publication_date.isoformat(),
            "effective_on": self.effective_on.isoformat() if self.effective_on else None,
            "agencies": [{"raw_name": AGENCY_NAMES.get(a, a).upper(),
                          "name": AGENCY_NAMES.get(a, a), "slug": a} for a in self.agencies],
            "html_url": f"{base}/documents/{self.publication_date:%Y/%m/%d}/"
                        f"{self.document_number}/{slug}",
            "pdf_url": f"https://www.govinfo.gov/content/pkg/FR-{self.publication_date}/pdf/"
                       f"{self.document_number}.pdf",
            "citation": self.citation, "cfr_references": [
                {"title": 15, "part": int(p)} for p in self.cfr_references
            ],
            "comments_close_on": None, "docket_ids": [], "regulation_id_numbers": [],
        }  # fmt: skip


class FederalRegisterSite(SmallSite):
    name = "federalregister"

    def __init__(self) -> None:
        super().__init__()
        self._documents: list[Document] = []

    def publish(self, document: Document) -> None:
        with self._lock:
            self._documents.append(document)

    def route(self, request: Request) -> Answer:
        parts = urlsplit(request.target)
        if parts.path != API_PATH:
            return Answer(404, b'{"status":404,"message":"Not Found"}', _JSON)
        query = parse_qs(parts.query)
        agencies = set(query.get("conditions[agencies][]", []))
        types = set(query.get("conditions[type][]", []))
        since = (query.get("conditions[publication_date][gte]") or [""])[0]
        terms = [t.strip().strip('"').lower() for t in
                 (query.get("conditions[term]") or [""])[0].split("|") if t.strip()]  # fmt: skip
        try:
            per_page = int((query.get("per_page") or ["20"])[0])
            page = int((query.get("page") or ["1"])[0])
        except ValueError:
            return Answer(400, b'{"errors":{"per_page":"is not a number"}}', _JSON)
        hits = [
            d for d in self._documents
            if (not agencies or agencies & set(d.agencies))
            and (not types or d.type in types)
            and (not since or d.publication_date.isoformat() >= since)
            and (not terms or any(t in f"{d.title} {d.abstract}".lower() for t in terms))
        ]  # fmt: skip
        hits.sort(key=lambda d: (d.publication_date, d.document_number), reverse=True)
        shown = hits[(page - 1) * per_page : page * per_page]
        total_pages = math.ceil(len(hits) / per_page) if hits else 0
        body: dict[str, object] = {"count": len(hits), "description": "Documents matching",
                                   "total_pages": total_pages,
                                   "results": [d.as_json() for d in shown]}  # fmt: skip
        if page < total_pages:
            body["next_page_url"] = f"https://www.federalregister.gov{API_PATH}?page={page + 1}"
        return Answer(200, json.dumps(body).encode(), _JSON)

    def refusal(self) -> Answer:
        return Answer(200, b'{"errors":{"conditions":"are invalid"}}', _JSON)
