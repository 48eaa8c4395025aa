"""Events and outbox rows as the poll pipeline writes them, for delivery tests.

The items follow CONTRACT.md's JSON Feed item shape exactly (with `_regwatch`), written by
us in the shape of the real MOFCOM announcements of October/November 2025.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from monitor.detect.feed_item import rfc3339
from monitor.models import OutboxStatus
from monitor.store import Store
from monitor.store.tables import events, outbox, recipients

WWW = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/"


def feed_item(
    *,
    event_id: str,
    event: str,
    detected_at: datetime,
    doc_key: str,
    doc_number: str | None,
    title: str,
    url: str,
    kind: str,
    summary: str,
    published: str,
    issuers: Iterable[str] = ("商务部",),
    effective: Iterable[dict[str, str]] = (),
    elements: Iterable[str] = (),
    control_codes: Iterable[str] = (),
    hs_codes: Iterable[str] = (),
    matched: Iterable[str] = (),
    affects: Iterable[dict[str, Any]] = (),
    relevant: bool = True,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    detected = rfc3339(detected_at)
    codes = list(control_codes)
    regwatch: dict[str, Any] = {
        "schema": 1,
        "event": event,
        "source": "mofcom-zcfb",
        "detected_at": detected,
        "notice": {
            "doc_key": doc_key,
            "doc_number": doc_number,
            "title": title,
            "issuers": list(issuers),
            "published": published,
            "kind": kind,
            "url": url,
            "urls": [url],
            "effective": list(effective),
        },
        "rare_earth": {
            "relevant": relevant,
            "elements": list(elements),
            "control_codes": codes,
            "hs_codes": list(hs_codes),
            "matched": list(matched),
        },
        "affects": list(affects),
    }
    regwatch.update(extra or {})
    display = (
        title if doc_number is None or title.startswith(doc_number) else f"{doc_number} {title}"
    )
    return {
        "id": event_id,
        "url": url,
        "title": display,
        "content_text": summary,
        "date_published": detected,
        "tags": ([*["rare-earth"], *codes] if relevant else []) + [event],
        "_regwatch": regwatch,
    }


def item_62(
    detected_at: datetime, event_id: str = "notice-new-62a1b2c3d4e5f6a7b8c9"
) -> dict[str, Any]:
    return feed_item(
        event_id=event_id,
        event="notice.new",
        detected_at=detected_at,
        doc_key="MOFCOM-2025-62",
        doc_number="商务部公告2025年第62号",
        title="商务部公告2025年第62号 公布对稀土相关技术实施出口管制的决定",
        url=WWW + "art_62d0c5e1a4f34b0c9e7a1f2b3c4d5e6f.html",
        kind="control",
        summary=(
            "New notice 商务部公告2025年第62号 (MOFCOM-2025-62): "
            "公布对稀土相关技术实施出口管制的决定, "
            "published 2025-10-09 by 商务部. Effective 2025-10-09 (whole notice). "
            "Rare-earth relevant: control codes 1E902.a, 1E902.b."
        ),
        published="2025-10-09",
        effective=[{"from": "2025-10-09", "scope": "whole notice"}],
        elements=["Sm", "Dy"],
        control_codes=["1E902.a", "1E902.b"],
        matched=["control code 1E902.a", "control code 1E902.b", "keyword 稀土"],
    )


def item_70(
    detected_at: datetime, event_id: str = "notice-new-70f0e1d2c3b4a5968778"
) -> dict[str, Any]:
    suspended = [
        "MOFCOM-2025-55",
        "MOFCOM-2025-56",
        "MOFCOM-2025-57",
        "MOFCOM-2025-58",
        "MOFCOM-2025-61",
        "MOFCOM-2025-62",
    ]
    return feed_item(
        event_id=event_id,
        event="notice.new",
        detected_at=detected_at,
        doc_key="MOFCOM-2025-70",
        doc_number="商务部 海关总署公告2025年第70号",
        title=(
            "商务部 海关总署公告2025年第70号 "
            "关于暂停实施2025年第55号、56号、57号、58号、61号、62号公告的公告"
        ),
        url=WWW + "art_b1ec77dd3f0d4762952904df7cdaadec.html",
        kind="suspension",
        summary=(
            "New notice 商务部 海关总署公告2025年第70号 (MOFCOM-2025-70), published 2025-11-07. "
            "Suspends MOFCOM-2025-55, MOFCOM-2025-56, MOFCOM-2025-57, MOFCOM-2025-58, "
            "MOFCOM-2025-61, MOFCOM-2025-62 until 2026-11-10. Rare-earth relevant."
        ),
        published="2025-11-07",
        issuers=("商务部", "海关总署"),
        effective=[{"from": "2025-11-07", "scope": "whole notice"}],
        affects=[
            {"doc_key": k, "action": "suspend", "until": "2026-11-10", "scope": None}
            for k in suspended
        ],
        matched=["suspends a rare-earth measure (MOFCOM-2025-61)"],
    )


def item_61_suspension_ended(
    detected_at: datetime, event_id: str = "measure-suspension_ended-61aa00bb11cc22dd33"
) -> dict[str, Any]:
    return feed_item(
        event_id=event_id,
        event="measure.suspension_ended",
        detected_at=detected_at,
        doc_key="MOFCOM-2025-61",
        doc_number="商务部公告2025年第61号",
        title="商务部公告2025年第61号 关于对相关稀土物项实施出口管制的决定",
        url=WWW + "art_61c3a2b1d0e94f8a7b6c5d4e3f2a1b0c.html",
        kind="control",
        summary=(
            "Suspension by MOFCOM-2025-70 of 商务部公告2025年第61号 (MOFCOM-2025-61) ended as of "
            "2026-11-11 and no later notice extended it: the measure applies again."
        ),
        published="2025-10-09",
        effective=[
            {"from": "2025-10-09", "scope": "第三项"},
            {"from": "2025-12-01", "scope": "第一项、第二项"},
        ],
        elements=["Sm", "Dy", "Gd", "Tb", "Lu", "Sc", "Y"],
        matched=["elements Sm, Dy, Gd, Tb, Lu, Sc, Y"],
        extra={"due_date": "2026-11-11", "cause": "MOFCOM-2025-70"},
    )


def item_18_revised(
    detected_at: datetime, event_id: str = "notice-revised-18ab12cd34ef56ab78"
) -> dict[str, Any]:
    return feed_item(
        event_id=event_id,
        event="notice.revised",
        detected_at=detected_at,
        doc_key="MOFCOM-2025-18",
        doc_number="商务部 海关总署公告2025年第18号",
        title="商务部 海关总署公告2025年第18号 关于对部分中重稀土相关物项实施出口管制的决定",
        url=WWW + "art_9c2108ccaf754f22a34abab2fedaa944.html",
        kind="control",
        summary=(
            "Text of 商务部 海关总署公告2025年第18号 (MOFCOM-2025-18) revised: "
            "1 passage added, 1 removed."
        ),
        published="2025-04-04",
        issuers=("商务部", "海关总署"),
        elements=["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"],
        control_codes=["1C902", "1C903", "1C904"],
        hs_codes=["2805301910"],
        extra={
            "diff": {
                "added": ["本公告自2025年4月4日起正式实施（修订）。"],
                "removed": ["本公告自2025年4月4日起正式实施。"],
                "patch": "@@ -1,3 +1,7 @@\n",
                "major_rewrite": False,
            }
        },
    )


def add_event(
    store: Store,
    item: dict[str, Any],
    deliveries: Iterable[tuple[str, str]],
    *,
    created_at: datetime | None = None,
) -> list[int]:
    """Insert `item` as an event with outbox rows (subscriber, channel); the outbox ids."""
    detected = datetime.fromisoformat(item["_regwatch"]["detected_at"].replace("Z", "+00:00"))
    created = created_at or detected
    pairs = list(deliveries)
    with store.begin() as conn:
        conn.execute(
            sa.insert(events).values(
                id=item["id"],
                kind=item["_regwatch"]["event"],
                doc_key=item["_regwatch"]["notice"]["doc_key"],
                source_id=item["_regwatch"]["source"],
                detected_at=detected,
                relevant=item["_regwatch"]["rare_earth"]["relevant"],
                item=item,
            )
        )
        names = sorted({name for name, _ in pairs})
        if names:
            conn.execute(
                sa.insert(recipients), [{"event_id": item["id"], "subscriber": n} for n in names]
            )
        ids = []
        for name, channel in pairs:
            ids.append(
                conn.execute(
                    sa.insert(outbox).values(
                        event_id=item["id"],
                        subscriber=name,
                        channel=channel,
                        status=OutboxStatus.PENDING,
                        attempts=0,
                        created_at=created,
                        next_attempt_at=created,
                    )
                ).inserted_primary_key[0]
            )
    return ids


def outbox_rows(store: Store) -> list[dict[str, Any]]:
    with store.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(outbox).order_by(outbox.c.id)).mappings()]


SLACK_TOKEN_ENV = "REGWATCH_TEST_SLACK_TOKEN"


def make_settings(
    *,
    slack_api_url: str | None = None,
    smtp: tuple[str, int] | None = None,
    subscribers: list[dict[str, Any]] | None = None,
    operator: dict[str, Any] | None = None,
    delivery: dict[str, Any] | None = None,
    email: dict[str, Any] | None = None,
) -> Any:
    """Validated `Settings` built from a config dict, the way a TOML file would give it."""
    from monitor.config import build_settings

    data: dict[str, Any] = {"store": {"url": "sqlite:///unused.db"}}
    if slack_api_url is not None:
        data["slack"] = {"token_env": SLACK_TOKEN_ENV, "api_url": slack_api_url, "timeout": "5s"}
    if smtp is not None:
        data["email"] = {
            "host": smtp[0],
            "port": smtp[1],
            "sender": "regwatch@example.test",
            "starttls": False,
            "timeout": "5s",
            **(email or {}),
        }
    if subscribers is not None:
        data["subscribers"] = subscribers
    if operator is not None:
        data["operator"] = operator
    if delivery is not None:
        data["delivery"] = delivery
    return build_settings(data)
