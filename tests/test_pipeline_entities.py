"""The pipeline stores the parties of each version of a designation notice it stores."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from monitor.pipeline import poll_source
from monitor.runtime import Runtime
from monitor.store import tables as t
from tests.test_pipeline import N58, SOURCE, Scripted, adapter, listing, page, rows, rt

__all__ = ["adapter", "rt"]  # the fixtures, shared with tests/test_pipeline.py

N30 = page(
    30,
    "关于将2家欧盟实体列入出口管制管控名单的公告",
    "商务部决定将下列2家实体列入出口管制管控名单：\n"
    "1.诺德泽防务系统有限公司（Nordsee Defence Systems GmbH）\n"
    "地址：德国不来梅市港口大街27号\n"
    "2.莱茵河谷光电有限公司（Rheintal Optronik GmbH）\n"
    "本公告自公布之日起正式实施。",
    day=date(2025, 10, 9),
    hexid="d" * 32,
)


def party_rows(rt: Runtime) -> list[tuple[str, int, str, str | None]]:
    found = rows(rt.store, t.entity_rows)
    return sorted((r["doc_key"], r["position"], r["name"], r["country"]) for r in found)


def test_new_and_revised_designations_write_their_parties(rt: Runtime, adapter: Scripted) -> None:
    revised = replace(
        N30, text=N30.text.replace("本公告", "3.波罗的海声呐技术公司（Baltic Sonar OÜ）\n本公告")
    )
    adapter.answers = [listing(N58), listing(N30, N58, read=(N30,)), listing(N30, read=(revised,))]
    poll_source(rt, SOURCE)
    assert party_rows(rt) == []
    new = poll_source(rt, SOURCE)
    assert len(new.events) == 1
    assert party_rows(rt) == [
        ("MOFCOM-2025-30", 0, "诺德泽防务系统有限公司", "DE"),
        ("MOFCOM-2025-30", 1, "莱茵河谷光电有限公司", None),
    ]
    (event,) = rows(rt.store, t.events)
    assert [e["name_en"] for e in event["item"]["_regwatch"]["notice"]["entities"]] == [
        "Nordsee Defence Systems GmbH",
        "Rheintal Optronik GmbH",
    ]
    poll_source(rt, SOURCE)
    assert [name for *_, name, _ in party_rows(rt)] == [
        "诺德泽防务系统有限公司",
        "莱茵河谷光电有限公司",
        "波罗的海声呐技术公司",
    ]
