"""Each new replay's real fault modes, polled through the pipeline over loopback: a source
failure (named reason), never an event, and the baseline kept (after the fault, the next
poll announces exactly what is new)."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.config import build_settings
from monitor.fetch.client import Fetcher
from monitor.pipeline import poll_source
from monitor.replay.federal_register import Document
from monitor.replay.mofcom_pages import render_detail_page
from monitor.replay.searches import PolicyHit, Story
from monitor.runtime import Runtime, open_runtime
from monitor.store import tables as t
from tests.support.source_replays import BEIJING, EN_LIST, Replays, started_replays


def new_on_exportcontrol(replays: Replays) -> None:
    replays.exportcontrol.publish(
        9, "/article/zcfg/gnzcfg/zcfggzqd/202510/20251009093016.html",
        "商务部公告2025年第62号 公布对稀土相关技术实施出口管制的决定", dt.date(2025, 10, 9),
        ["决定对稀土开采、冶炼分离、金属冶炼、磁材制造相关技术实施出口管制（1E902.a）。"],
    )  # fmt: skip


def new_on_english(replays: Replays) -> None:
    title = "MOFCOM Announcement No. 62 of 2025 on Export Controls on Rare Earth Technologies"
    page = render_detail_page(title, "MOFCOM Announcement No. 62 of 2025",
                              "Department of Security and Control",
                              dt.datetime(2025, 10, 9, 11, 0),
                              ["Export controls apply to rare earth mining, smelting and "
                               "separation technologies (1E902.a)."], language="en")  # fmt: skip
    replays.english.publish(EN_LIST, "https://english.mofcom.gov.cn/Policies/AnnouncementsOrders/"
                            "art/2025/art_62c0ffee62c0ffee62c0ffee62c0ffee.html",
                            "MOFCOM Announcement No. 62 of 2025", dt.date(2025, 10, 9), page)  # fmt: skip


def new_on_federal_register(replays: Replays) -> None:
    replays.federal_register.publish(Document(
        "2025-20871", "Controls on Rare Earth Permanent Magnets", "RULE",
        "BIS controls NdFeB magnets containing dysprosium.", "Interim final rule.",
        dt.date(2025, 10, 20), dt.date(2025, 11, 1)))  # fmt: skip


def new_on_news(language: str) -> Callable[[Replays], None]:
    def publish(replays: Replays) -> None:
        replays.news.publish(language, Story(
            "商务部公告2025年第61号：对境外相关稀土物项实施出口管制" if language == "zh-CN" else
            "China extends rare earth controls to foreign-made products",
            f"https://www.example-news.com/{language}/2025/10/09/rare-earth.html", "Example News",
            "https://www.example-news.com", dt.datetime(2025, 10, 9, 12, 0, tzinfo=BEIJING),
        ))  # fmt: skip

    return publish


def new_on_govcn(replays: Replays) -> None:
    replays.govcn.publish(PolicyHit(
        "商务部公告2025年第61号 公布对境外相关稀土物项实施出口管制的决定",
        "https://www.gov.cn/zhengce/zhengceku/202510/content_7043311.htm", "商务部",
        "商务部公告2025年第61号", dt.date(2025, 10, 9)))  # fmt: skip


CASES = [
    ("mofcom-exportcontrol", "exportcontrol", new_on_exportcontrol, "412", "challenge"),
    ("mofcom-exportcontrol", "exportcontrol", new_on_exportcontrol, "202-empty", "empty_body"),
    ("mofcom-exportcontrol", "exportcontrol", new_on_exportcontrol, "success-false",
     "bad_envelope"),
    ("mofcom-exportcontrol", "exportcontrol", new_on_exportcontrol, "mojibake", "mojibake"),
    ("mofcom-exportcontrol", "exportcontrol", new_on_exportcontrol, "gbk-label", None),
    ("mofcom-english-announcements", "english", new_on_english, "412", "challenge"),
    ("mofcom-english-announcements", "english", new_on_english, "202-empty", "empty_body"),
    ("mofcom-english-announcements", "english", new_on_english, "gbk-body", None),
    ("federal-register-bis", "federal_register", new_on_federal_register, "202-empty",
     "empty_body"),
    ("federal-register-bis", "federal_register", new_on_federal_register, "success-false",
     "bad_envelope"),
    ("federal-register-bis", "federal_register", new_on_federal_register, "412", "challenge"),
    ("news-search-zh", "news", new_on_news("zh-CN"), "mojibake", "mojibake"),
    ("news-search-zh", "news", new_on_news("zh-CN"), "gbk-label", None),
    ("news-search-en", "news", new_on_news("en-US"), "412", "challenge"),
    ("govcn-export-control", "govcn", new_on_govcn, "success-false", "bad_envelope"),
    ("govcn-export-control", "govcn", new_on_govcn, "mojibake", "mojibake"),
    ("govcn-export-control", "govcn", new_on_govcn, "gbk-body", None),
]  # fmt: skip


@pytest.fixture
def replays() -> Iterator[Replays]:
    with started_replays() as started:
        started.publish_baseline()
        yield started


@pytest.fixture
def runtime(tmp_path: Path, replays: Replays) -> Iterator[Runtime]:
    data = tomllib.loads(replays.config_toml(f"sqlite:///{tmp_path / 'regwatch.db'}"))
    rt = open_runtime(build_settings(data), fetcher=Fetcher(politeness_s=0, retries=0))
    yield rt
    rt.close()


def events(rt: Runtime) -> list[tuple[str, str]]:
    with rt.store.connect() as conn:
        rows = conn.execute(sa.select(t.events.c.kind, t.events.c.doc_key)).all()
    return [(str(kind), str(key)) for kind, key in rows]


@pytest.mark.parametrize(("source_id", "site", "publish", "fault", "reason"), CASES)
def test_a_fault_is_a_source_failure_never_an_alert_never_a_lost_baseline(
    runtime: Runtime, replays: Replays, source_id: str, site: str,
    publish: Callable[[Replays], None], fault: str, reason: str | None,
) -> None:  # fmt: skip
    source = runtime.sources[source_id]
    assert poll_source(runtime, source).ok  # the baseline
    publish(replays)
    getattr(replays, site).set_fault(fault)
    during = poll_source(runtime, source)
    if reason is not None:
        assert not during.ok and during.reason == reason
        assert events(runtime) == []
    getattr(replays, site).set_fault(None)
    after = poll_source(runtime, source)
    assert after.ok and not after.baseline
    announced = events(runtime)
    # A news item reporting a numbered notice no official source has shown yet is a report;
    # one naming no number is an item of its own (keyed by its URL), like any page.
    reports = source.options.get("report") is True and not announced[0][1].startswith("http")
    expected = "notice.reported" if reports else "notice.new"
    assert len(announced) == 1 and announced[0][0] == expected, announced
    with runtime.store.connect() as conn:
        titles = [str(x) for x in conn.execute(sa.select(t.notices.c.title)).scalars()]
    assert not any("??" in title or "鈥" in title for title in titles), titles
