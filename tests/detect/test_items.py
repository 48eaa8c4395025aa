"""Items assembled, hashed with the notice and diffed between versions (detect/items.py)."""

from __future__ import annotations

from dataclasses import replace

from monitor.detect.diff import content_hash
from monitor.detect.items import (
    annexed_hash,
    assemble_items,
    diff_items,
    first_annex_read,
    keep_last_good_annexes,
    with_item_codes,
)
from monitor.models import Attachment, Item, ItemChange, Notice, NoticeFacts, Verdict

SM = Item("1C902.a", "金属钐", ("2805301910",), ("Sm",), source="附件1.pdf")
TB = Item("1C904.a", "金属铽", ("2805301300",), ("Tb",), source="附件1.pdf")
DY = Item("1C905.a", "金属镝", ("2805301200",), ("Dy",), source="附件1.pdf")
TEXT = Item("1C902.b", "氧化钐", ("2846901940",), ("Sm",))
URL = "https://www.mofcom.gov.cn/cms_files/filemanager/1077459795/attach/202510/a.pdf"


def _notice(attachments: tuple[Attachment, ...], text_items: tuple[Item, ...] = ()) -> Notice:
    items = assemble_items(text_items, attachments)
    return Notice(
        doc_key="MOFCOM-2025-61",
        title="公告",
        url="https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_1.html",
        text="正文",
        source_id="mofcom-zcfb",
        content_hash=annexed_hash(content_hash("公告", "正文"), attachments),
        facts=NoticeFacts(),
        verdict=Verdict(relevant=False),
        attachments=attachments,
        items=items,
    )


def test_assemble_keeps_text_first_and_each_row_once() -> None:
    annex = Attachment(URL, "附件1", items=(SM, TB, SM))
    assert assemble_items([TEXT], [annex]) == (TEXT, SM, TB)


def test_hash_covers_annex_items_not_bytes() -> None:
    text_hash = content_hash("公告", "正文")
    assert annexed_hash(text_hash, [Attachment(URL, "附件1", sha256="aa")]) == text_hash
    one = annexed_hash(text_hash, [Attachment(URL, "附件1", sha256="aa", items=(SM,))])
    same_items_new_bytes = annexed_hash(
        text_hash, [Attachment(URL, "附件1", sha256="bb", items=(SM,))]
    )
    other_items = annexed_hash(text_hash, [Attachment(URL, "附件1", sha256="aa", items=(SM, TB))])
    assert one == same_items_new_bytes != text_hash
    assert other_items != one


def test_items_widen_the_verdict_and_make_it_relevant() -> None:
    verdict = with_item_codes(Verdict(relevant=False), [SM, Item(None, "其他", ("85076000",))])
    assert verdict.relevant
    assert verdict.control_codes == ("1C902.a",)
    assert verdict.hs_codes == ("2805301910", "85076000")
    assert verdict.elements == ("Sm",)
    assert verdict.matched == ("item 1C902.a", "item HS 2805301910", "item element Sm")
    plain = Verdict(relevant=False)
    assert with_item_codes(plain, []) is plain
    kept = with_item_codes(Verdict(relevant=True, matched=("keyword 稀土",)), [TB])
    assert kept.matched == ("keyword 稀土",) and kept.control_codes == ("1C904.a",)
    battery = with_item_codes(plain, [Item("3A001", "锂离子电池", ("85076000",))])
    assert not battery.relevant


def test_a_failed_annex_keeps_its_last_good_items() -> None:
    stored = _notice((Attachment(URL, "附件1", sha256="aa", items=(SM, TB)),), (TEXT,))
    failed = _notice((Attachment(URL, "附件1", error="fetch: timeout"),), (TEXT,))
    kept = keep_last_good_annexes(failed, stored)
    assert kept.items == stored.items
    assert kept.content_hash == stored.content_hash
    assert kept.attachments[0].error == "fetch: timeout"
    assert kept.attachments[0].sha256 == "aa"
    assert kept.verdict.control_codes == ("1C902.b", "1C902.a", "1C904.a")


def test_nothing_to_keep() -> None:
    good = _notice((Attachment(URL, "附件1", items=(SM,)),))
    assert keep_last_good_annexes(good, None) is good
    assert keep_last_good_annexes(good, good) is good
    failed = _notice((Attachment(URL, "附件1", error="malformed: x"),))
    never_read = _notice((Attachment(URL, "附件1", error="malformed: y"),))
    assert keep_last_good_annexes(failed, never_read).items == ()
    other_url = _notice((Attachment(URL + "?2", "附件2", items=(SM,)),))
    assert keep_last_good_annexes(failed, other_url).items == ()


def test_diff_added_removed_changed() -> None:
    tb_new_hs = replace(TB, hs_codes=("2805301300", "3824999922"))
    ho = Item("1C909.a", "金属钬", ("28053019",), ("Ho",), source="附件1.pdf")
    er = Item("1C910.a", "金属铒", ("28053019",), ("Er",), source="附件1.pdf")
    diff = diff_items([SM, TB, DY], [SM, tb_new_hs, ho, er])
    assert diff.added == (ho, er)
    assert diff.removed == (DY,)
    assert diff.changed == (ItemChange("1C904.a", TB, tb_new_hs),)
    assert bool(diff)
    assert not diff_items([SM, TB], [TB, SM])


def test_diff_pairs_across_parts_and_never_pairs_codeless_rows() -> None:
    moved = replace(SM, part="第二部分", hs_codes=("8505111000",))
    diff = diff_items([SM], [moved])
    assert diff.changed == (ItemChange("1C902.a", SM, moved),)
    loose_old, loose_new = Item(None, "零部件", ("8505",)), Item(None, "零部件", ("850511",))
    diff = diff_items([loose_old], [loose_new])
    assert diff.added == (loose_new,) and diff.removed == (loose_old,) and not diff.changed


def test_first_read_of_annexes_of_a_notice_stored_before_items() -> None:
    old_row = _notice((Attachment(URL, "附件1", sha256="aa"),))  # stored by 0.1: never read
    read_now = _notice((Attachment(URL, "附件1", sha256="aa", items=(SM,), read=True),))
    assert first_annex_read(read_now, old_row)
    read_before = _notice((Attachment(URL, "附件1", sha256="aa", read=True),))
    assert not first_annex_read(read_now, read_before)  # read then, no items: a real change
    other_text = replace(read_now, text="新的正文")
    assert not first_annex_read(other_text, old_row)
    assert not first_annex_read(old_row, old_row)  # nothing read now
