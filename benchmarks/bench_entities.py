"""Reading parties from 100 KB of text, and the lists of parties on a date.

Part 1 — `extract_entities` over 100 KB bodies (CPU seconds, `time.process_time`, best of 5
after a warm-up fold): the real designation pages of monitor/corpus/entities repeated, and
hostile shapes (all short numbered lines, all header lines, all party lines, brackets never
closed, one 100 KB line). Target: every shape well under 100 ms.

Part 2 — `entities_state` + a fuzzy `--name` search over 2,000 parties on 100 notices with
removals and suspensions (target: the state and a search each ≤ 50 ms).

Run: ``python -m benchmarks entities``. The machine may be shared: CPU time is reported.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from monitor.adapters.mofcom_detail import parse_detail
from monitor.controls.entity_search import search
from monitor.controls.listings import entities_state
from monitor.extract.entities import extract_entities
from monitor.models import EntityAction, EntityList, EntityRecord, EntityRow

REPO = Path(__file__).resolve().parents[1]
SIZE = 100_000
TARGET_EXTRACT_S = 0.100
TARGET_STATE_S = 0.050


def _bodies() -> dict[str, str]:
    pages = sorted((REPO / "monitor" / "corpus" / "entities").glob("*.html"))
    real = "\n".join(
        parse_detail(p.read_text(encoding="utf-8"), "https://x/", "b").text for p in pages
    )
    shapes = {
        "designation pages": real,
        "short numbered lines": "1\n",
        "header lines": "决定将下列实体列入管控名单：\n",
        "party lines": "1.甲乙丙公司（Alpha Beta Co., Ltd.）\n地址：美国某州某市1号\n",
        "unclosed brackets": "1.甲（" + "(" * 50 + "A" * 60 + "\n",
        "one long line": "列入管控名单实体" * 20 + "x",
    }
    return {name: (text * (SIZE // len(text) + 1))[:SIZE] for name, text in shapes.items()}


def _cpu(call: Callable[[], object]) -> float:
    call()
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        call()
        best = min(best, time.process_time() - started)
    return best


def _records(parties: int = 2_000, notices: int = 100) -> list[EntityRecord]:
    records: list[EntityRecord] = []
    per = parties // notices
    for n in range(notices):
        day = date(2025, 1, 1) + timedelta(days=3 * n)
        for i in range(per):
            k = n * per + i
            row = EntityRow(
                name=f"第{k}号测试防务公司",
                name_en=f"Test Defense Systems {k} Inc.",
                list_=list(EntityList)[k % 4],
                action=EntityAction.ADD,
                country="US",
            )
            records.append(EntityRecord(f"B-{n}", None, f"https://x/{n}", day, (), row, i))
        if n % 5 == 4:  # remove some, suspend others, by their English names
            for i, action in ((0, EntityAction.REMOVE), (1, EntityAction.SUSPEND)):
                k = (n - 4) * per + i
                row = EntityRow(
                    name=f"Test Defense Systems {k} Inc.",
                    name_en=None,
                    list_=list(EntityList)[k % 4],
                    action=action,
                )
                records.append(
                    EntityRecord(f"B-{n}", None, f"https://x/{n}", day, (), row, per + i)
                )
    return records


def main(argv: list[str]) -> int:
    worst = 0
    print(f"part 1: extract_entities over {SIZE // 1000} KB (CPU s, best of 5)")
    for name, body in _bodies().items():
        seconds = _cpu(lambda body=body: extract_entities("关于将实体列入管控名单的公告", body))  # type: ignore[misc]
        ok = seconds < TARGET_EXTRACT_S
        worst = max(worst, int(not ok))
        rows = len(extract_entities("关于将实体列入管控名单的公告", body))
        print(f"  {name:<22} {seconds * 1000:7.1f} ms  ({rows} rows)  {'ok' if ok else 'OVER'}")
    records = _records()
    print(f"part 2: {len(records)} party rows on 100 notices")
    as_of = date(2026, 1, 1)
    state_s = _cpu(lambda: entities_state(records, as_of))
    state = entities_state(records, as_of)
    search_s = _cpu(lambda: search(state, name="Test Defence Systm 1234"))
    hits = search(state, name="Test Defence Systm 1234").entities
    for label, seconds in (("entities_state", state_s), ("--name search", search_s)):
        ok = seconds <= TARGET_STATE_S
        worst = max(worst, int(not ok))
        print(f"  {label:<22} {seconds * 1000:7.1f} ms  {'ok' if ok else 'OVER'}")
    print(f"  ({len(state.entities)} parties; best hit {hits[0].name_en!r} score {hits[0].score})")
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
