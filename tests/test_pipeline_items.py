"""Items through the poll pipeline: a notice stored before annexes were read gets its items
silently; a later change of annex items is a revision with items_diff."""

from __future__ import annotations

from dataclasses import replace

from monitor.models import Attachment, Item
from monitor.pipeline import poll_source
from monitor.runtime import Runtime
from monitor.store import tables as t
from tests import test_pipeline as base
from tests.test_pipeline import N61, SOURCE, Scripted, listing, rows

adapter, rt = base.adapter, base.rt  # the scripted adapter and runtime fixtures

ANNEX = "https://www.mofcom.gov.cn/cms_files/filemanager/1077459795/attach/202510/a1.pdf"
TB = Item("1C904.a", "含铽的钕铁硼永磁材料", ("8505111000",), ("Tb",), source="附件1.pdf")
DY = Item("1C905.a", "含镝的钕铁硼永磁材料", ("8505111000",), ("Dy",), source="附件1.pdf")


def with_annex(*items: Item, read: bool = True) -> object:
    return replace(N61, attachments=(Attachment(ANNEX, "附件1", "ab", items=items, read=read),))


def test_items_fill_in_silently_then_changes_are_revisions(rt: Runtime, adapter: Scripted) -> None:
    stored_by_0_1 = with_annex(read=False)  # hashed, never read: as 0.1 stored it
    adapter.answers = [
        listing(stored_by_0_1),
        listing(N61, read=(with_annex(TB),)),
        listing(N61, read=(with_annex(TB, DY),)),
    ]
    poll_source(rt, SOURCE)
    first_read = poll_source(rt, SOURCE)
    assert first_read.events == ()
    (notice,) = rows(rt.store, t.notices)
    assert [i["code"] for i in notice["items"]] == ["1C904.a"] and notice["version"] == 2
    changed = poll_source(rt, SOURCE)
    assert len(changed.events) == 1
    (event,) = rows(rt.store, t.events)
    assert event["kind"] == "notice.revised"
    assert [i["code"] for i in event["item"]["_regwatch"]["items_diff"]["added"]] == ["1C905.a"]
    assert [len(v["items"]) for v in rows(rt.store, t.versions)] == [0, 1, 2]
