"""`federal-register`: the US Federal Register documents API (mofcom-site.md §9).

`GET https://www.federalregister.gov/api/v1/documents.json` with `conditions[agencies][]`,
`conditions[type][]`, `conditions[term]`, `conditions[publication_date][gte]`, `per_page`,
`order=newest`, `fields[]`; answered `{"count": N, "total_pages": P, "results": [...]}`.
Every document becomes a notice keyed `FR-<document_number>` (never by a MOFCOM number its
text cites), in English, with its `effective_on`; it is classified like any notice.

Options: `agencies` (slugs, e.g. ["industry-and-security-bureau"]), `types` (RULE,
PRORULE, NOTICE, PRESDOCU), `terms` (full-text search terms, sent joined with ` | `, the
search syntax's OR: unverified), `start_date` (YYYY-MM-DD), `per_page`,
`first_run_pages`, `max_pages`. Steady state is one conditional GET of page 1.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from monitor.adapters import listing
from monitor.adapters.base import ListedItem, PollResult, Progress, SourceState
from monitor.adapters.text import normalise_line
from monitor.errors import ConfigError, FetchError
from monitor.models import Page, RawNotice, SourceDef

if TYPE_CHECKING:  # the HTTP stack is not needed to read source definitions
    from monitor.fetch.client import Fetcher

API_PATH = "/api/v1/documents.json"
FEDERAL_REGISTER_OPTIONS = frozenset(
    {"agencies", "types", "terms", "start_date", "per_page", "first_run_pages", "max_pages"}
)
TYPES = ("RULE", "PRORULE", "NOTICE", "PRESDOCU")
FIELDS = (
    "document_number", "title", "type", "abstract", "action", "publication_date",
    "effective_on", "agencies", "html_url", "pdf_url", "citation", "cfr_references",
    "comments_close_on", "regulation_id_numbers", "docket_ids",
)  # fmt: skip
_TYPE_NAMES = {"Rule": "Final rule", "Proposed Rule": "Proposed rule", "Notice": "Notice",
               "Presidential Document": "Presidential document"}  # fmt: skip


def api_url(source: SourceDef, page: int) -> str:
    """The documents.json query, in a stable order (so the body hash is comparable)."""
    options = source.options
    parts = urlsplit(source.url)
    params: list[tuple[str, str]] = [
        ("conditions[agencies][]", str(a)) for a in options.get("agencies", ())
    ]
    params += [("conditions[type][]", str(t)) for t in options.get("types", ())]
    terms = options.get("terms")
    if terms:
        params.append(("conditions[term]", " | ".join(str(t) for t in terms)))
    if "start_date" in options:
        params.append(("conditions[publication_date][gte]", str(options["start_date"])))
    params += [("fields[]", f) for f in FIELDS]
    params += [("order", "newest"), ("per_page", str(options.get("per_page", 20)))]
    if page > 1:
        params.append(("page", str(page)))
    query = "&".join(f"{quote(k, safe='[]')}={quote(v, safe='')}" for k, v in params)
    return f"{parts.scheme}://{parts.netloc}{API_PATH}?{query}"


def parse_documents(page: Page, source: SourceDef) -> tuple[tuple[RawNotice, ...], int | None]:
    """One API answer → a notice per document, and `total_pages`."""
    try:
        answer = json.loads(page.text)
    except ValueError as error:
        raise FetchError("bad_envelope", f"not JSON: {error}", page.url) from error
    if not isinstance(answer, dict) or "errors" in answer:
        raise FetchError("bad_envelope", f"unexpected answer {page.text[:120]!r}", page.url)
    results = answer.get("results", [] if answer.get("count") == 0 else None)
    if not isinstance(results, list):
        raise FetchError("bad_envelope", "no results list", page.url)
    notices = tuple(n for r in results if isinstance(r, dict) and (n := _document(r, source)))
    if results and not notices:
        raise FetchError("bad_envelope", "no document with a number and a URL", page.url)
    total = answer.get("total_pages")
    return notices, total if isinstance(total, int) else None


def _document(result: Mapping[str, Any], source: SourceDef) -> RawNotice | None:
    number = str(result.get("document_number") or "").strip()
    url = str(result.get("html_url") or "").strip()
    if not number or not url.startswith(("https://", "http://")):
        return None
    title = normalise_line(str(result.get("title") or ""))
    agencies = "; ".join(
        str(a.get("name") or a.get("raw_name") or "")
        for a in result.get("agencies") or ()
        if isinstance(a, dict)
    )
    effective = listing.parse_date(str(result.get("effective_on") or ""))
    lines = [
        title,
        f"{_TYPE_NAMES.get(str(result.get('type')), str(result.get('type') or ''))}"
        f" — {agencies}".strip(" —"),
        normalise_line(str(result.get("action") or "")),
        normalise_line(str(result.get("abstract") or "")),
        f"Citation: {result['citation']}" if result.get("citation") else "",
        f"Effective date: {effective.isoformat()}" if effective else "",
        f"FR Doc. {number}",
    ]
    return RawNotice(
        source_id=source.id, url=url, title=title or f"FR Doc. {number}",
        text="\n".join(line for line in lines if line),
        published=listing.parse_date(str(result.get("publication_date") or "")),
        doc_number=f"FR Doc. {number}", language="en", doc_key=f"FR-{number}",
        effective_on=effective,
        attachments=(),
    )  # fmt: skip


def check_options(options: Mapping[str, Any]) -> None:
    if not options.get("agencies") and not options.get("terms"):
        raise ConfigError("agencies", "name agencies or terms (or both)")
    listing.need_texts(options, "agencies")
    listing.need_texts(options, "terms")
    listing.need_texts(options, "types")
    for kind in options.get("types", ()):
        if kind not in TYPES:
            raise ConfigError("types", f"expected some of {', '.join(TYPES)}, got {kind!r}")
    if "start_date" in options:
        value = options["start_date"]
        try:
            date.fromisoformat(value.isoformat() if isinstance(value, date) else str(value))
        except ValueError:
            raise ConfigError("start_date", f"expected YYYY-MM-DD, got {value!r}") from None
    listing.need_count(options, "per_page", high=1000)
    listing.need_count(options, "first_run_pages")
    listing.need_count(options, "max_pages")


class FederalRegisterAdapter:
    options = FEDERAL_REGISTER_OPTIONS

    def check_options(self, options: Mapping[str, Any]) -> None:
        check_options(options)

    def poll(
        self,
        source: SourceDef,
        fetcher: Fetcher,
        state: SourceState,
        *,
        since: date | None = None,
        progress: Progress | None = None,
    ) -> PollResult:
        validators = listing.conditional_validators(state, since)
        first = fetcher.get(source, api_url(source, 1), validators=validators, expect="json")
        requests = 1
        if listing.unchanged(first, validators):
            return listing.unchanged_result(first, requests)
        notices, total = parse_documents(first, source)
        pages = [notices]
        while listing.wants_next_page(
            source, state, _listed(pages[-1]), read=len(pages), since=since,
            more=total is not None and len(pages) < total,
        ):  # fmt: skip
            requests += 1
            page = fetcher.get(source, api_url(source, len(pages) + 1), expect="json")
            pages.append(parse_documents(page, source)[0])
            if progress is not None:
                progress(len(pages), total)
        every: dict[str, RawNotice] = {}
        for notice in (n for documents in pages for n in documents):
            every.setdefault(notice.url, notice)
        # A search answer is not a complete listing: nothing is inferred withdrawn from it.
        return PollResult(
            unchanged=False, notices=listing.wanted_notices(every.values(), state, since),
            listed=_listed(every.values()), list_validators=listing.page_validators(first),
            requests=requests,
        )  # fmt: skip


def _listed(notices: Any) -> tuple[ListedItem, ...]:
    return tuple(ListedItem(n.url, n.title, n.published) for n in notices)
