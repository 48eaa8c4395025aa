"""Issue 11 end to end (items): a notice with a PDF annex → notice.new with its items → the
annex replaced (two items added, one removed, one HS code changed; page text unchanged) →
notice.revised with exactly that items_diff → `controls --hs` for an added item's code the
day before and on its effective date. Also: new annex bytes with the same items make no
event, and a damaged annex is no event and loses no items.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from monitor.replay.site import ReplaySite, render_detail_page
from tests.e2e.conftest import Cli, write_config
from tests.support.annex_files import Part, Row, annex_pdf, no61_annex
from tests.support.feed_schema import assert_valid_feed

pytestmark = pytest.mark.e2e
BEIJING = timezone(timedelta(hours=8))
PAGE = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_3b7e2f0c9d8a4e61b5c2a7d9e4f10a61.html"
OTHER = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_949f47563b834dad95b0010f375a892c.html"
ANNEX = (
    "https://www.mofcom.gov.cn/cms_files/filemanager/1077459795/attach/202510/"
    "6f1d2c3b4a5e4f60b7c8d9e0a1b2c3d4.pdf"
)
TITLE = "商务部公告2025年第61号 公布对境外相关稀土物项实施出口管制的决定"
ANNEX_NAME = "附件1 稀土相关物项清单"
HOLMIUM = Row("1C909.a", "金属钬；钬铜、钬铁合金；钬靶材", ("2805301990",))
ERBIUM = Row("1C910.b", "氧化铒及其混合物", ("2846901920",))


def page() -> str:
    return render_detail_page(
        title=TITLE,
        doc_number="商务部公告2025年第61号",
        issuing_unit="安全与管制局",
        pub=datetime(2025, 10, 9, 9, 30, tzinfo=BEIJING),
        paragraphs=[
            "为维护国家安全和利益，根据《中华人民共和国出口管制法》等法律法规的有关规定，"
            "决定对附件1所列境外相关稀土物项实施出口管制。",
            "本公告自2025年12月1日起正式实施。",
        ],
        attachments=[(ANNEX, ANNEX_NAME)],
    )


def revised_annex() -> bytes:
    part_one, part_two = no61_annex().parts
    rows = [r for r in part_one.rows if r.code != "1C905.b"]  # one removed
    rows = [replace(r, hs_codes=("2846901950", "2846901993")) if r.code == "1C902.b" else r
            for r in rows]  # fmt: skip
    new_one = Part(part_one.title, (*rows, HOLMIUM, ERBIUM))  # two added
    return annex_pdf(replace(no61_annex(), parts=(new_one, part_two)))


@pytest.fixture
def cli(tmp_path: Path, site: ReplaySite, cli_env: dict[str, str]) -> Cli:
    config = write_config(
        tmp_path / "regwatch.toml",
        f"""
[store]
url = "sqlite:///{tmp_path / "regwatch.db"}"

[sources]
enabled = ["mofcom-zcfb"]

[sources.mofcom-zcfb]
base_url = "{site.base_url}"
politeness = 0
retries = 0
recheck = "0s"

[[subscribers]]
name = "ops"
console = true

[[subscribers]]
name = "erbium"
console = true
[subscribers.watch]
hs_codes = ["28469019"]
""",
    )
    return Cli(config, cli_env)


def newest(cli: Cli) -> dict:  # type: ignore[type-arg]
    document = cli("feed", "--all").json()
    assert_valid_feed(document)
    return document["items"][0]["_regwatch"] if document["items"] else {}


def events(cli: Cli) -> list[str]:
    return [i["_regwatch"]["event"] for i in cli("feed", "--all").json()["items"]]


def test_annex_items_new_revised_and_looked_up(cli: Cli, site: ReplaySite) -> None:
    site.publish(OTHER, render_detail_page(
        title="商务部 海关总署公告2025年第55号 关于对超硬材料相关物项实施出口管制的决定",
        doc_number="商务部 海关总署公告2025年第55号", issuing_unit="安全与管制局",
        pub=datetime(2025, 10, 9, 15, 0, tzinfo=BEIJING),
        paragraphs=["决定对人造金刚石微粉实施出口管制。", "本公告自2025年11月8日起正式实施。"],
    ), title="商务部 海关总署公告2025年第55号", date=date(2025, 10, 9))  # fmt: skip
    assert cli("poll", now="2025-10-09T08:00:00+08:00").code == 0  # the silent baseline

    site.add_attachment(ANNEX, annex_pdf(no61_annex()))
    site.publish(PAGE, page(), title=TITLE, date=date(2025, 10, 9))
    first = cli("poll", now="2025-10-09T10:00:00+08:00")
    assert first.code == 0, first.stderr
    new = newest(cli)
    assert new["event"] == "notice.new" and new["notice"]["doc_key"] == "MOFCOM-2025-61"
    items = new["notice"]["items"]
    assert [i["code"] for i in items] == [
        "1C902.a", "1C902.b", "1C904.a", "1C904.b", "1C905.a", "1C905.b",
        "1C902.a", "1C904.a", "1C904.a", "1C905.a",
    ]  # fmt: skip
    assert {i["source"] for i in items} == {"附件1 稀土相关物项清单.pdf"}
    assert items[0]["hs_codes"] == ["2805301910", "3824999922"] and items[0]["elements"] == ["Sm"]
    assert "8505111000" in new["rare_earth"]["hs_codes"]

    # New bytes (other page breaks), same items: no revision.
    site.add_attachment(ANNEX, annex_pdf(no61_annex(), rows_per_page=3))
    assert cli("poll", now="2025-10-09T11:00:00+08:00").code == 0
    assert events(cli) == ["notice.new"]

    # A damaged annex: the notice stays as it was, no event, no items lost.
    site.add_attachment(ANNEX, annex_pdf(no61_annex())[:700])
    assert cli("poll", now="2025-10-09T12:00:00+08:00").code == 0
    assert events(cli) == ["notice.new"]

    site.add_attachment(ANNEX, revised_annex())
    revised = cli("poll", now="2025-10-10T10:00:00+08:00")
    assert revised.code == 0, revised.stderr
    event = newest(cli)
    assert event["event"] == "notice.revised"
    assert event["diff"]["added"] == [] and event["diff"]["removed"] == []
    diff = event["items_diff"]
    assert [(i["code"], i["hs_codes"]) for i in diff["added"]] == [
        ("1C909.a", ["2805301990"]),
        ("1C910.b", ["2846901920"]),
    ]
    assert [(i["code"], i["description"]) for i in diff["removed"]] == [
        ("1C905.b", "氧化镝及其混合物")
    ]
    assert [
        (c["code"], c["before"]["hs_codes"], c["after"]["hs_codes"]) for c in diff["changed"]
    ] == [("1C902.b", ["2846901940", "2846901993"], ["2846901950", "2846901993"])]
    assert len(event["notice"]["items"]) == 11
    erbium = cli("feed", "--subscriber", "erbium")
    assert erbium.code == 0, erbium.stderr
    heard = [i["_regwatch"]["event"] for i in erbium.json()["items"]]
    assert "notice.revised" in heard  # the HS watch hears the new item under its code

    before = cli("controls", "--hs", "2846901920", "--as-of", "2025-11-30")
    assert before.code == 0, before.stderr
    (measure,) = before.json()["measures"]
    assert (measure["doc_key"], measure["status"]) == ("MOFCOM-2025-61", "pending")
    assert measure["matched"] == ["item 1C910.b HS 2846901920"]
    after = cli("controls", "--hs", "28469019", "--as-of", "2025-12-01").json()
    assert [(m["doc_key"], m["status"]) for m in after["measures"]] == [
        ("MOFCOM-2025-61", "in_force")
    ]
    assert {i["code"] for i in after["items"]} == {"1C902.b", "1C904.b", "1C910.b"}
    assert all(i["status"] == "in_force" for i in after["items"])
    state = cli("controls", "--as-of", "2025-12-01").json()
    assert len([i for i in state["items"] if i["doc_key"] == "MOFCOM-2025-61"]) == 11
    bad = cli("controls", "--hs", "85A5")
    assert bad.code == 2 and "hs" in bad.stderr


def test_an_unreadable_annex_still_alerts_the_notice(cli: Cli, site: ReplaySite) -> None:
    assert cli("poll", now="2025-10-09T08:00:00+08:00").code == 0
    site.add_attachment(ANNEX, annex_pdf(no61_annex(), image_only=True))
    site.publish(PAGE, page(), title=TITLE, date=date(2025, 10, 9))
    result = cli("poll", now="2025-10-09T10:00:00+08:00")
    assert result.code == 0, result.stderr
    event = newest(cli)
    assert event["event"] == "notice.new" and "items" not in event["notice"]
    assert "image_only" in result.stderr  # the operator sees why the annex gave no items
