"""Issue 2 end to end: the CLI against a loopback replay of MOFCOM's 政策发布 column.

baseline → new notices → a revised page → a withdrawn page → every fault mode (no event,
baseline kept, exit 3 naming the source) → recovery.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from monitor.replay.site import ReplaySite, render_detail_page
from tests.e2e.conftest import Cli, write_config
from tests.support.feed_schema import assert_valid_feed

pytestmark = pytest.mark.e2e
BEIJING = timezone(timedelta(hours=8))
ART = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/"


def notice_page(
    number: int, title: str, paragraphs: list[str], when: datetime, joint: bool = True
) -> tuple[str, str, str]:
    issuers = "商务部 海关总署" if joint else "商务部"
    doc_number = f"{issuers}公告2025年第{number}号"
    full_title = f"{doc_number} {title}"
    html = render_detail_page(
        title=full_title,
        doc_number=doc_number,
        issuing_unit="安全与管制局",
        pub=when,
        paragraphs=paragraphs,
    )
    return full_title, html, doc_number


N18 = notice_page(
    18,
    "关于对部分中重稀土相关物项实施出口管制的决定",
    [
        "根据《中华人民共和国出口管制法》等法律法规的有关规定，为维护国家安全和利益，经国务院批准，决定对钐、钆、铽、镝、镥、钪、钇等7类中重稀土相关物项实施出口管制。",
        "1C902 钐相关物项。a. 金属钐、钐钴合金。参考海关商品编号：2805301910。",
        "1C904 铽相关物项，含铽的钕铁硼永磁材料。",
        "本公告自公布之日起正式实施。",
    ],
    datetime(2025, 4, 4, 18, 0, tzinfo=BEIJING),
)
N55 = notice_page(
    55,
    "关于对超硬材料相关物项实施出口管制的决定",
    [
        "决定对人造金刚石微粉、单晶、线锯及砂轮实施出口管制。",
        "本公告自2025年11月8日起正式实施。",
    ],
    datetime(2025, 10, 9, 15, 0, tzinfo=BEIJING),
)
N61 = notice_page(
    61,
    "公布对境外相关稀土物项实施出口管制的决定",
    [
        "境外出口经营者将含有中国原产稀土成分且价值比例达到0.1%及以上的物项再出口的，应当申请两用物项出口许可证。",
        "本公告第一条第（一）项、第（二）项自2025年12月1日起实施，其余条款自公布之日起实施。",
    ],
    datetime(2025, 10, 9, 9, 30, tzinfo=BEIJING),
    joint=False,
)
N62 = notice_page(
    62,
    "公布对稀土相关技术实施出口管制的决定",
    [
        "决定对稀土开采、冶炼分离、金属冶炼、磁材制造、稀土二次资源回收利用相关技术及其载体实施出口管制（1E902.a）。",
        "本公告自公布之日起正式实施。",
    ],
    datetime(2025, 10, 9, 9, 30, tzinfo=BEIJING),
    joint=False,
)
N70 = notice_page(
    70,
    "关于暂停实施商务部公告2025年第55号、第56号、第57号、第58号、第61号、第62号的公告",
    [
        "决定暂停实施商务部公告2025年第61号、第62号，以及商务部 海关总署公告2025年第55号、第56号、第57号、第58号，暂停至2026年11月10日。",
        "本公告自公布之日起实施。",
    ],
    datetime(2025, 11, 7, 20, 0, tzinfo=BEIJING),
)

URLS = {
    18: ART + "art_9c2108ccaf754f22a34abab2fedaa944.html",
    55: ART + "art_949f47563b834dad95b0010f375a892c.html",
    61: ART + "art_3b7e2f0c9d8a4e61b5c2a7d9e4f10a61.html",
    62: ART + "art_5d1c9e7a2b4f4c62a8e3f6b0d7c21e62.html",
    70: ART + "art_b1ec77dd3f0d4762952904df7cdaadec.html",
}


def publish(site: ReplaySite, number: int, page: tuple[str, str, str], day: date) -> None:
    title, html, _ = page
    site.publish(URLS[number], html, title=title, date=day)


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
""",
    )
    return Cli(config, cli_env)


def feed_ids(cli: Cli) -> list[str]:
    result = cli("feed", "--all")
    assert result.code == 0, result.stderr
    document = result.json()
    assert_valid_feed(document)
    return [
        item["_regwatch"]["event"] + " " + item["_regwatch"]["notice"]["doc_key"]
        for item in document["items"]
    ]


def test_baseline_new_revised_withdrawn_faults_recovery(cli: Cli, site: ReplaySite) -> None:
    publish(site, 18, N18, date(2025, 4, 4))
    publish(site, 55, N55, date(2025, 10, 9))

    first = cli("poll", now="2025-10-09T08:00:00+08:00")
    assert first.code == 0, first.stderr
    assert feed_ids(cli) == []  # baseline is silent

    publish(site, 61, N61, date(2025, 10, 9))
    publish(site, 62, N62, date(2025, 10, 9))
    second = cli("poll", now="2025-10-09T10:00:00+08:00")
    assert second.code == 0, second.stderr
    assert sorted(feed_ids(cli)) == ["notice.new MOFCOM-2025-61", "notice.new MOFCOM-2025-62"]
    assert "2025年第62号" in second.stdout  # the console channel printed the alert

    _, html, _ = N62
    site.revise(
        URLS[62],
        html.replace(
            "（1E902.a）", "（1E902.a）以及稀土生产线装配、调试、维护、维修、升级技术（1E902.b）"
        ),
    )
    third = cli("poll", now="2025-10-10T10:00:00+08:00")
    assert third.code == 0, third.stderr
    newest = cli("feed", "--all").json()["items"][0]["_regwatch"]
    assert newest["event"] == "notice.revised" and newest["notice"]["doc_key"] == "MOFCOM-2025-62"
    assert any("1E902.b" in passage for passage in newest["diff"]["added"])

    site.withdraw(URLS[61])
    for hour in (11, 12):
        assert cli("poll", now=f"2025-10-10T{hour}:00:00+08:00").code == 0
        assert "notice.withdrawn MOFCOM-2025-61" not in feed_ids(cli)
    assert cli("poll", now="2025-10-10T13:00:00+08:00").code == 0
    assert feed_ids(cli)[0] == "notice.withdrawn MOFCOM-2025-61"
    events_before = feed_ids(cli)

    publish(site, 70, N70, date(2025, 11, 7))
    for mode in (
        "412",
        "521",
        "202-empty",
        "empty-body",
        "bad-envelope",
        "truncated",
        "500",
        "reset",
    ):
        site.set_fault(mode)
        failed = cli("poll", now="2025-11-07T21:00:00+08:00")
        assert failed.code == 3, (mode, failed.stderr)
        assert "mofcom-zcfb" in failed.stderr, mode
        assert feed_ids(cli) == events_before, mode
    site.set_fault("no-body-container", path_prefix="/zwgk/zcfb/art/")
    failed = cli("poll", now="2025-11-07T21:00:00+08:00")
    assert failed.code == 3 and feed_ids(cli) == events_before

    site.set_fault(None)
    sources = cli("sources")
    assert sources.code == 0 and "mofcom-zcfb" in sources.stdout

    recovered = cli("poll", now="2025-11-07T22:00:00+08:00")
    assert recovered.code == 0, recovered.stderr
    assert feed_ids(cli)[0] == "notice.new MOFCOM-2025-70"


def test_user_errors_exit_2_with_one_line(cli: Cli, tmp_path: Path) -> None:
    unknown = cli("poll", "no-such-source")
    assert unknown.code == 2 and "no-such-source" in unknown.stderr
    assert "Traceback" not in unknown.stderr and len(unknown.stderr.strip().splitlines()) == 1
    bad_date = cli("controls", "--as-of", "2025-13-01")
    assert bad_date.code == 2 and "--as-of" in bad_date.stderr
    broken = write_config(tmp_path / "bad.toml", "[store]\nurl = 42\n")
    result = Cli(broken, cli.env)("poll")
    assert result.code == 2 and "store.url" in result.stderr and "Traceback" not in result.stderr


def test_backfill_walks_history_silently_with_progress(cli: Cli, site: ReplaySite) -> None:
    for index in range(40):
        day = date(2024, 1, 1) + timedelta(days=10 * index)
        number = 100 + index
        title, html, _ = notice_page(
            number,
            "关于对外贸易有关事项的公告",
            ["本公告自公布之日起实施。"],
            datetime(day.year, day.month, day.day, 10, tzinfo=BEIJING),
        )
        site.publish(
            ART.replace("2025", str(day.year)) + f"art_{number:032x}.html",
            html,
            title=title,
            date=day,
        )
    result = cli(
        "backfill", "--since", "2024-06-01", "mofcom-zcfb", now="2025-03-01T08:00:00+08:00"
    )
    assert result.code == 0, result.stderr
    assert "mofcom-zcfb [" in result.stderr and "pages" in result.stderr  # the progress bar
    assert feed_ids(cli) == []  # history is stored, never alerted
    controls = cli("controls", "--as-of", "2025-02-01")
    assert controls.code == 0
    listing = [r for r in site.requests if "/api-gateway/" in r.path]
    assert len(listing) >= 2  # it paged past the first 15 items
    polled = cli("poll", now="2025-03-01T09:00:00+08:00")
    assert polled.code == 0 and feed_ids(cli) == []
