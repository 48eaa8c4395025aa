"""A notice's current state: GET /notices/<doc_key>.json and `regwatch notice DOC_KEY`.

The document is the feed's `_regwatch.notice` object for the stored notice (built by the
same function, so fields added there appear here too) plus `versions`, each with the time
it was first seen and its content hash (CONTRACT.md "Added in 0.2").
"""

from __future__ import annotations

from typing import Any

from monitor.detect.feed_item import notice_json, rfc3339
from monitor.store import Store
from monitor.store.repository import load_notice
from monitor.store.versions import notice_versions


def notice_document(store: Store, doc_key: str) -> dict[str, Any] | None:
    """The notice stored under `doc_key`, or None (a `StoreError` when it cannot be read)."""
    with store.connect() as conn:
        stored = load_notice(conn, doc_key)
        if stored is None:
            return None
        versions = notice_versions(conn, doc_key)
    return {
        **notice_json(stored.notice),
        "withdrawn_at": rfc3339(stored.withdrawn_at) if stored.withdrawn_at else None,
        "versions": [
            {
                "version": v.version,
                "seen_at": rfc3339(v.seen_at),
                "content_hash": v.content_hash,
                "url": v.url,
            }
            for v in versions
        ],
    }
