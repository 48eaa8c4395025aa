"""`controls --hs` over a store with 50 measures and 2,000 items, and `/controls.json?hs=…`.

Targets (issue 11): the answer in ≤ 50 ms (store read + controls state + lookup + JSON, the
work `regwatch controls --hs` does after start-up), the endpoint ≥ 200 requests/s. The store
is a temporary SQLite file filled through the store's own writes; the server is the real one
(uvicorn, one worker) on 127.0.0.1, loaded from another process by the feed benchmark's load
generator (wrk when installed). The machine is shared: figures are a floor.

Run: ``python -m benchmarks lookup``.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import httpx

from benchmarks.bench_feed import load
from monitor.clock import FixedClock
from monitor.config import build_settings
from monitor.controls.queries import controls_document
from monitor.models import Effective, Item, Notice, NoticeFacts, NoticeKind, Verdict
from monitor.serve.runner import start_in_thread
from monitor.store import Store, open_store
from monitor.store.repository import insert_notice

ANSWER_TARGET_MS = 50.0
ENDPOINT_TARGET_RPS = 200.0
MEASURES, ITEMS_EACH = 50, 40
QUERY = "8505111000"


def notices() -> list[Notice]:
    out = []
    for m in range(MEASURES):
        key = f"MOFCOM-2025-{100 + m}"
        items = tuple(
            Item(
                code=f"1C9{2 + i % 12:02d}.{'abc'[i % 3]}",
                description=f"含稀土的物项（第{m}号公告第{i + 1}项）",
                hs_codes=(f"{2846900000 + m * 100 + i}", "8505111000" if i == 0 else "3824999922"),
                elements=(("Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y")[i % 7],),
                source="附件1.pdf",
            )
            for i in range(ITEMS_EACH)
        )
        published = date(2025, 1, 1 + m % 28)
        out.append(
            Notice(
                doc_key=key,
                title=f"商务部公告2025年第{100 + m}号 关于对相关物项实施出口管制的决定",
                url=f"https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_{m:032x}.html",
                text="决定对附件所列物项实施出口管制。",
                source_id="mofcom-zcfb",
                content_hash=f"{m:064x}",
                facts=NoticeFacts(
                    doc_number=f"商务部公告2025年第{100 + m}号",
                    doc_key=key,
                    published=published,
                    effective=(Effective(published, "whole notice"),),
                    kind=NoticeKind.CONTROL,
                ),
                verdict=Verdict(relevant=True),
                doc_number=f"商务部公告2025年第{100 + m}号",
                published=published,
                items=items,
            )
        )
    return out


def fill(store: Store) -> None:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    with store.begin() as tx:
        for notice in notices():
            insert_notice(tx, notice, now=now)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    seconds = float(args[0]) if args else 5.0
    day = date(2025, 12, 1)
    with tempfile.TemporaryDirectory(prefix="regwatch-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'regwatch.db'}"
        store = open_store(url)
        fill(store)
        answer = controls_document(store, day, hs=QUERY)
        assert len(answer["measures"]) == MEASURES, "every measure lists an item under the code"
        timings = []
        for _ in range(40):
            started = time.perf_counter()
            json.dumps(controls_document(store, day, hs=QUERY), ensure_ascii=False)
            timings.append((time.perf_counter() - started) * 1000)
        cpu_started = time.process_time()
        for _ in range(20):
            controls_document(store, day, hs=QUERY)
        cpu_ms = (time.process_time() - cpu_started) / 20 * 1000
        settings = build_settings({"store": {"url": url}, "server": {"listen": "127.0.0.1:0"}})
        handle = start_in_thread(settings, store, FixedClock(datetime.now(UTC)), port=0)
        try:
            endpoint = f"{handle.url}/controls.json?hs={QUERY}&as_of={day.isoformat()}"
            with httpx.Client(trust_env=False) as http:
                assert http.get(endpoint).status_code == 200
            load(endpoint, headers={}, seconds=min(1.0, seconds), connections=16)
            result = load(endpoint, headers={}, seconds=seconds, connections=16)
        finally:
            handle.stop()
            store.dispose()
    median = statistics.median(timings)
    answer_ok = cpu_ms <= ANSWER_TARGET_MS
    endpoint_ok = result.rps >= ENDPOINT_TARGET_RPS
    print(f"store: SQLite, {MEASURES} measures, {MEASURES * ITEMS_EACH} items; query hs={QUERY}")
    print(
        f"answer (store read + state + lookup + JSON): median {median:.1f} ms wall, "
        f"{cpu_ms:.1f} ms CPU, target {ANSWER_TARGET_MS:.0f} ms  {'ok' if answer_ok else 'MISSED'}"
    )
    print(
        f"GET /controls.json?hs=…: {result.rps:.0f} req/s (p50 {result.p50_ms:.1f} ms, "
        f"p99 {result.p99_ms:.1f} ms, {result.tool}), target {ENDPOINT_TARGET_RPS:.0f}  "
        f"{'ok' if endpoint_ok else 'MISSED'}"
    )
    return 0 if answer_ok and endpoint_ok else 1


if __name__ == "__main__":
    sys.exit(main())
