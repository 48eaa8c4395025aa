"""`/notices/<doc_key>`: a notice's facts, URLs, versions and the diffs between them."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from monitor.deliver.channels.wording import describe_affect
from monitor.errors import StoreError
from monitor.serve.pages.render import notice_path, page, problem
from monitor.serve.pages.textdiff import SideBySide, side_by_side
from monitor.store import Store
from monitor.store.notice_pages import NoticeRecord, NoticeVersion, known_notices, notice_record

_LANGUAGES = {
    "zh-Hans": "Chinese (simplified)",
    "zh-Hant": "Chinese (traditional)",
    "en": "English",
}


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, Mapping)]


def notice_view(record: NoticeRecord, known: Mapping[str, str]) -> dict[str, Any]:
    """Everything the notice page shows, read from the stored notice (pure)."""
    meta = (record.latest_item or {}).get("_regwatch")
    notice = meta.get("notice") if isinstance(meta, Mapping) else None
    notice = notice if isinstance(notice, Mapping) else {}
    title_en = notice.get("title_en") if isinstance(notice.get("title_en"), str) else None
    facts = record.facts
    affects = [
        {
            "doc_key": affect.doc_key,
            "href": notice_path(affect.doc_key) if affect.doc_key in known else None,
            "text": describe_affect(
                {
                    "doc_key": affect.doc_key,
                    "action": affect.action.value,
                    "until": affect.until.isoformat() if affect.until else None,
                    "scope": affect.scope,
                }
            ),
        }
        for affect in facts.affects
    ]
    urls = [
        {
            "url": u.url,
            "language": _LANGUAGES.get(u.language, u.language),
            "lang": u.language,
            "source": u.source_id,
            "first_seen": u.first_seen_at,
        }
        for u in record.urls
    ]
    if record.url not in {u.url for u in record.urls}:
        urls.insert(
            0,
            {
                "url": record.url,
                "language": _LANGUAGES.get(record.language, record.language),
                "lang": record.language,
                "source": record.source_id,
                "first_seen": record.first_seen_at,
            },
        )
    versions = list(record.versions)
    return {
        "doc_key": record.doc_key,
        "doc_number": record.doc_number or facts.doc_number,
        "title": record.title,
        "title_en": title_en,
        "kind": facts.kind.value,
        "issuers": facts.issuers,
        "published": record.published or facts.published,
        "effective": facts.effective,
        "affects": affects,
        "control_codes": facts.control_codes,
        "hs_codes": facts.hs_codes,
        "elements": facts.elements,
        "verdict": record.verdict,
        "item_rows": _mappings(notice.get("items")),
        "entities": _mappings(notice.get("entities")),
        "urls": urls,
        "attachments": record.attachments,
        "first_seen_at": record.first_seen_at,
        "last_seen_at": record.last_seen_at,
        "withdrawn_at": record.withdrawn_at,
        "versions": versions[::-1],
        "diffs": _diffs(versions),
        "current": versions[-1] if versions else None,
    }


def _diffs(versions: list[NoticeVersion]) -> list[dict[str, Any]]:
    """Newest change first: each version against the one before it."""
    found: list[dict[str, Any]] = []
    for older, newer in itertools.pairwise(versions):
        diff: SideBySide = side_by_side(older.text, newer.text)
        found.append(
            {
                "older": older,
                "newer": newer,
                "diff": diff,
                "title_changed": older.title != newer.title,
            }
        )
    return found[::-1]


def notice_route(store: Store) -> Callable[..., Any]:
    async def show(request: Request) -> Response:
        doc_key = request.path_params["doc_key"]
        try:
            found = await run_in_threadpool(_read, store, doc_key)
        except StoreError:
            return problem(request, 503, "The store is unavailable", "Try again in a minute.")
        if found is None:
            return problem(request, 404, "No such notice", f"regwatch has no notice {doc_key}.")
        view = found
        context = {
            "title": view["doc_number"] or view["title"],
            "twin": notice_path(doc_key) + ".json",
            "n": view,
        }
        return page(request, "notice.html", context)

    return show


def _read(store: Store, doc_key: str) -> dict[str, Any] | None:
    record = notice_record(store, doc_key)
    if record is None:
        return None
    known = known_notices(store, [a.doc_key for a in record.facts.affects])
    return notice_view(record, known)
