"""The poll pipeline with a scripted adapter: baseline, new, revised, withdrawn, faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from monitor import metrics
from monitor.adapters.base import ListedItem, PollResult, SourceState
from monitor.clock import FixedClock
from monitor.config import Subscriber, build_settings
from monitor.detect.identity import read_facts
from monitor.errors import FetchError
from monitor.fetch.client import Fetcher
from monitor.models import RawNotice, SourceDef
from monitor.pipeline import poll_deadline_s, poll_source, poll_sources
from monitor.replay.site import ReplaySite, render_detail_page
from monitor.runtime import Runtime
from monitor.store import Store
from monitor.store import tables as t

SOURCE = SourceDef(
    id="mofcom-zcfb",
    name="MOFCOM",
    kind="scripted",
    url="https://www.mofcom.gov.cn/zwgk/zcfb/index.html",
    interval_s=900,
)
BASE = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/"


def page(number: int, title: str, body: str, *, day: date, hexid: str) -> RawNotice:
    doc_number = f"商务部公告2025年第{number}号"
    text = f"【发布单位】安全与管制局\n【发布文号】{doc_number}\n【发文日期】{day:%Y年%m月%d日}\n{body}"
    return RawNotice(
        source_id=SOURCE.id,
        url=f"{BASE}art_{hexid}.html",
        title=f"{doc_number} {title}",
        text=text,
        published=day,
        doc_number=doc_number,
    )


N62 = page(
    62,
    "公布对稀土相关技术实施出口管制的决定",
    "一、稀土开采、冶炼分离技术（1E902.a）实施出口管制。\n本公告自公布之日起正式实施。",
    day=date(2025, 10, 9),
    hexid="a" * 32,
)
N61 = page(
    61,
    "公布对境外相关稀土物项实施出口管制的决定",
    "对含有中国稀土成分价值比例达到0.1%的境外物项实施管制。",
    day=date(2025, 10, 9),
    hexid="b" * 32,
)
N58 = page(
    58,
    "关于对部分锂电池和人造石墨负极材料相关物项实施出口管制的决定",
    "对锂电池相关物项实施出口管制。",
    day=date(2025, 10, 9),
    hexid="c" * 32,
)


@dataclass
class Scripted:
    """An adapter that answers from a queue of results (or raises)."""

    answers: list[Any] = field(default_factory=list)
    options: frozenset[str] = frozenset()
    states: list[SourceState] = field(default_factory=list)

    def poll(self, source: SourceDef, fetcher: object, state: SourceState, **_: Any) -> PollResult:
        self.states.append(state)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def listing(*notices: RawNotice, read: tuple[RawNotice, ...] | None = None) -> PollResult:
    listed = tuple(ListedItem(n.url, n.title, n.published) for n in notices)
    return PollResult(
        unchanged=False,
        notices=notices if read is None else read,
        listed=listed,
        window_start=min((n.published for n in notices if n.published), default=None)
        - timedelta(days=1)
        if notices
        else None,
        requests=1 + len(notices),
    )


@pytest.fixture
def adapter(monkeypatch: pytest.MonkeyPatch) -> Scripted:
    scripted = Scripted()
    monkeypatch.setattr("monitor.pipeline.adapters", lambda: {"scripted": scripted})
    return scripted


@pytest.fixture
def rt(store: Store) -> Runtime:
    settings = build_settings({})
    settings = type(settings)(
        **{
            **settings.__dict__,
            "subscribers": (
                Subscriber(name="everyone", console=True),
                Subscriber(name="magnets", slack_channel="#ree", email=("m@example.com",)),
            ),
        }
    )
    return Runtime(
        settings=settings,
        store=store,
        clock=FixedClock(datetime(2025, 10, 9, 2, 0, tzinfo=UTC)),
        fetcher=None,
        sources={SOURCE.id: SOURCE},
        channels=None,
    )  # type: ignore[arg-type]


def rows(store: Store, table: sa.Table) -> list[dict[str, Any]]:
    with store.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(table)).mappings()]


def test_first_poll_is_a_silent_baseline(rt: Runtime, adapter: Scripted) -> None:
    adapter.answers = [listing(N58)]
    outcome = poll_source(rt, SOURCE)
    assert outcome.ok and outcome.baseline and outcome.events == ()
    assert [n["doc_key"] for n in rows(rt.store, t.notices)] == ["MOFCOM-2025-58"]
    assert rows(rt.store, t.events) == [] and rows(rt.store, t.outbox) == []
    assert adapter.states[0].first_run


def test_new_notice_makes_one_event_with_outbox_rows(rt: Runtime, adapter: Scripted) -> None:
    adapter.answers = [listing(N58), listing(N62, N58, read=(N62,)), listing(N62, N58, read=(N62,))]
    poll_source(rt, SOURCE)
    second = poll_source(rt, SOURCE)
    assert len(second.events) == 1
    (event,) = rows(rt.store, t.events)
    assert event["kind"] == "notice.new" and event["doc_key"] == "MOFCOM-2025-62"
    assert event["item"]["_regwatch"]["notice"]["doc_key"] == "MOFCOM-2025-62"
    outbox = {(r["subscriber"], r["channel"]) for r in rows(rt.store, t.outbox)}
    assert event["relevant"]  # 1E902.a is a rare-earth technology code
    assert outbox == {("everyone", "console"), ("magnets", "slack"), ("magnets", "email")}
    # Seeing the same page again changes nothing.
    third = poll_source(rt, SOURCE)
    assert third.events == () and len(rows(rt.store, t.events)) == 1


def test_revised_text_makes_a_diff_and_a_version(rt: Runtime, adapter: Scripted) -> None:
    revised = RawNotice(**{**N62.__dict__, "text": N62.text.replace("1E902.a", "1E902.a、1E902.b")})
    adapter.answers = [listing(N62), listing(N62, read=(revised,))]
    poll_source(rt, SOURCE)
    outcome = poll_source(rt, SOURCE)
    assert len(outcome.events) == 1
    (event,) = rows(rt.store, t.events)
    assert event["kind"] == "notice.revised"
    diff = event["item"]["_regwatch"]["diff"]
    assert any("1E902.b" in line for line in diff["added"])
    assert [v["version"] for v in rows(rt.store, t.versions)] == [1, 2]


def test_markup_only_change_is_not_a_revision(rt: Runtime, adapter: Scripted) -> None:
    spaced = RawNotice(**{**N62.__dict__, "text": N62.text.replace("\n", "\n\n  ")})
    adapter.answers = [listing(N62), listing(N62, read=(spaced,))]
    poll_source(rt, SOURCE)
    assert poll_source(rt, SOURCE).events == ()


def test_withdrawn_only_after_three_polls_without_it(rt: Runtime, adapter: Scripted) -> None:
    adapter.answers = [listing(N62, N61), listing(N61), PollResult(unchanged=True), listing(N61)]
    poll_source(rt, SOURCE)
    assert poll_source(rt, SOURCE).events == ()
    assert poll_source(rt, SOURCE).events == ()
    outcome = poll_source(rt, SOURCE)
    kinds = [e["kind"] for e in rows(rt.store, t.events)]
    assert kinds == ["notice.withdrawn"] and len(outcome.events) == 1


def test_reappearing_resets_the_withdrawn_count(rt: Runtime, adapter: Scripted) -> None:
    adapter.answers = [
        listing(N62, N61),
        listing(N61),
        listing(N62, N61),
        listing(N61),
        listing(N61),
    ]
    for _ in range(5):
        poll_source(rt, SOURCE)
    assert rows(rt.store, t.events) == []


def test_a_failed_fetch_records_health_and_keeps_the_baseline(
    rt: Runtime, adapter: Scripted
) -> None:
    adapter.answers = [listing(N62), FetchError("challenge", "HTTP 412 script challenge")]
    poll_source(rt, SOURCE)
    before = rows(rt.store, t.notices)
    outcome = poll_source(rt, SOURCE)
    assert not outcome.ok and outcome.reason == "challenge"
    (source,) = rows(rt.store, t.sources)
    assert source["consecutive_failures"] == 1 and "412" in source["last_error"]
    assert rows(rt.store, t.notices) == before and rows(rt.store, t.events) == []


def test_an_empty_list_where_there_were_notices_is_a_failure(
    rt: Runtime, adapter: Scripted
) -> None:
    adapter.answers = [listing(N62), PollResult(unchanged=False)]
    poll_source(rt, SOURCE)
    outcome = poll_source(rt, SOURCE)
    assert not outcome.ok and outcome.reason == "empty_list"
    assert rows(rt.store, t.events) == []


def test_a_failed_first_poll_is_not_a_baseline(rt: Runtime, adapter: Scripted) -> None:
    adapter.answers = [FetchError("connect", "refused"), listing(N62)]
    poll_source(rt, SOURCE)
    second = poll_source(rt, SOURCE)
    assert second.baseline and second.events == ()


def test_news_item_naming_a_known_notice_is_an_alias(rt: Runtime, adapter: Scripted) -> None:
    news = RawNotice(
        source_id=SOURCE.id,
        url="https://www.mofcom.gov.cn/xwfb/rcxwfb/art/2025/art_" + "d" * 32 + ".html",
        title="商务部新闻发言人就商务部公告2025年第62号答记者问",
        text="问：请介绍稀土相关技术出口管制。",
        published=date(2025, 10, 9),
    )
    adapter.answers = [listing(N62), listing(news, N62, read=(news,))]
    poll_source(rt, SOURCE)
    assert poll_source(rt, SOURCE).events == ()
    assert len(rows(rt.store, t.notices)) == 1
    urls = {r["url"]: r["doc_key"] for r in rows(rt.store, t.notice_urls)}
    assert urls[news.url] == "MOFCOM-2025-62"


def test_backfill_is_silent(rt: Runtime, adapter: Scripted) -> None:
    adapter.answers = [listing(N58), listing(N62, N61, N58, read=(N62, N61))]
    poll_source(rt, SOURCE)
    outcome = poll_source(rt, SOURCE, since=date(2025, 1, 1))
    assert outcome.ok and outcome.events == ()
    assert len(rows(rt.store, t.notices)) == 3


def test_a_notice_another_process_stored_first_is_a_conflict(
    rt: Runtime, adapter: Scripted, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter.answers = [listing(N62), listing(N62)]
    poll_source(rt, SOURCE)
    before = rows(rt.store, t.notices)
    # As if another replica committed N62 after this poll looked it up.
    monkeypatch.setattr("monitor.pipeline.load_notice", lambda tx, doc_key: None)
    outcome = poll_source(rt, SOURCE)
    assert not outcome.ok and outcome.reason == "conflict"
    assert outcome.error is not None and "\n" not in outcome.error
    (source,) = rows(rt.store, t.sources)
    assert source["last_error_reason"] == "conflict" and source["consecutive_failures"] == 1
    assert rows(rt.store, t.notices) == before and rows(rt.store, t.events) == []


ENGLISH = SourceDef(
    id="mofcom-english", name="MOFCOM (English)", kind="scripted",
    url="https://english.mofcom.gov.cn/Policies/AnnouncementsOrders/index.html", interval_s=900,
)  # fmt: skip
N62_EN = RawNotice(
    source_id=ENGLISH.id,
    url="https://english.mofcom.gov.cn/Policies/AnnouncementsOrders/art/2025/art_62.html",
    title="MOFCOM Announcement No. 62 of 2025 on Export Controls on Rare Earth Technologies",
    text="[Issuing Document Number] MOFCOM Announcement No. 62 of 2025\n"
    "Export controls apply to rare earth mining and separation technologies (1E902.a).",
    published=date(2025, 10, 9),
    language="en",
)


def test_one_poll_files_every_copy_before_its_event(rt: Runtime, adapter: Scripted) -> None:
    # Baseline of both sources, then the English copy is read first in the same poll.
    adapter.answers = [listing(N58), listing(), listing(N62_EN), listing(N62, N58, read=(N62,))]
    poll_sources(rt, [ENGLISH, SOURCE])
    outcomes = poll_sources(rt, [ENGLISH, SOURCE])
    assert all(o.ok for o in outcomes)
    (event,) = rows(rt.store, t.events)
    notice = event["item"]["_regwatch"]["notice"]
    assert event["kind"] == "notice.new" and notice["doc_key"] == "MOFCOM-2025-62"
    assert set(notice["urls"]) == {N62.url, N62_EN.url}
    assert notice["url"] == N62.url  # the Chinese text is the notice
    assert event["item"]["title"] == N62.title


def test_a_failed_source_in_a_poll_does_not_stop_the_others(rt: Runtime, adapter: Scripted) -> None:
    adapter.answers = [FetchError("challenge", "HTTP 412"), listing(N62)]
    failed, ok = poll_sources(rt, [ENGLISH, SOURCE])
    assert not failed.ok and failed.reason == "challenge"
    assert ok.ok and ok.baseline
    assert [n["doc_key"] for n in rows(rt.store, t.notices)] == ["MOFCOM-2025-62"]


def failures_counted(reason: str) -> float:
    value = metrics.REGISTRY.get_sample_value(
        "regwatch_fetch_failures_total", {"source": SOURCE.id, "reason": reason}
    )
    return value or 0.0


@pytest.mark.parametrize(
    ("raised", "reason"),
    [
        (RecursionError("maximum recursion depth exceeded"), "too_deep"),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "decode"),
        (ZeroDivisionError("division by zero"), "crashed"),
    ],
)
def test_an_exception_escaping_the_adapter_is_a_recorded_failure(
    rt: Runtime, adapter: Scripted, raised: Exception, reason: str
) -> None:
    adapter.answers = [listing(N62), raised, listing(N62, N61, read=(N61,))]
    poll_source(rt, SOURCE)
    counted = failures_counted(reason)
    outcome = poll_source(rt, SOURCE)
    assert not outcome.ok and outcome.reason == reason
    (source,) = rows(rt.store, t.sources)
    assert source["consecutive_failures"] == 1 and source["last_error_reason"] == reason
    assert failures_counted(reason) == counted + 1
    assert rows(rt.store, t.events) == []
    # The next good poll announces what the failed one would have.
    assert len(poll_source(rt, SOURCE).events) == 1


def test_a_crash_while_storing_the_pages_is_a_failure_and_stores_nothing(
    rt: Runtime, adapter: Scripted, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter.answers = [listing(N62), listing(N62, N61, read=(N61,))]
    poll_source(rt, SOURCE)
    before = rows(rt.store, t.notices)

    def deep(raw: RawNotice) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("monitor.pipeline.read_facts", deep)
    outcome = poll_source(rt, SOURCE)
    assert not outcome.ok and outcome.reason == "too_deep"
    assert rows(rt.store, t.notices) == before and rows(rt.store, t.events) == []


def test_a_crash_filing_one_source_of_a_poll_fails_only_that_source(
    rt: Runtime, adapter: Scripted, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter.answers = [listing(), listing(N62), listing(N62_EN), listing(N62, N61, read=(N61,))]
    poll_sources(rt, [ENGLISH, SOURCE])
    real = read_facts

    def deep_for_english(raw: RawNotice) -> object:
        if raw.url == N62_EN.url:
            raise RecursionError("maximum recursion depth exceeded")
        return real(raw)

    monkeypatch.setattr("monitor.pipeline.read_facts", deep_for_english)
    broken, fine = poll_sources(rt, [ENGLISH, SOURCE])
    assert not broken.ok and broken.reason == "too_deep"
    assert fine.ok and len(fine.events) == 1
    urls = {r["url"] for r in rows(rt.store, t.notice_urls)}
    assert N61.url in urls and N62_EN.url not in urls


def test_an_item_with_a_javascript_link_never_becomes_a_notice_url(
    rt: Runtime, adapter: Scripted
) -> None:
    hostile = RawNotice(**{**N61.__dict__, "url": "javascript:alert(document.cookie)"})
    foreign = RawNotice(**{**N58.__dict__, "url": "https://mofcom.gov.cn.evil.example/58.html"})
    adapter.answers = [listing(N62), listing(N62, hostile, foreign, read=(hostile, foreign))]
    poll_source(rt, SOURCE)
    before = metrics.REGISTRY.get_sample_value(
        "regwatch_items_dropped_total", {"source": SOURCE.id, "reason": "unsafe_scheme"}
    )
    outcome = poll_source(rt, SOURCE)
    assert outcome.ok and outcome.events == ()
    urls = {r["url"] for r in rows(rt.store, t.notice_urls)}
    assert urls == {N62.url}
    after = metrics.REGISTRY.get_sample_value(
        "regwatch_items_dropped_total", {"source": SOURCE.id, "reason": "unsafe_scheme"}
    )
    assert after == (before or 0) + 1


def test_mojibake_is_refused_before_it_is_stored(rt: Runtime, adapter: Scripted) -> None:
    garbled = RawNotice(
        **{**N61.__dict__, "title": N61.title.encode().decode("latin-1"),
           "text": N61.text.encode().decode("cp1252", errors="replace")}
    )  # fmt: skip
    adapter.answers = [listing(N62), listing(N62, garbled, read=(garbled,)),
                       listing(N62, N61, read=(N61,))]  # fmt: skip
    poll_source(rt, SOURCE)
    outcome = poll_source(rt, SOURCE)
    assert not outcome.ok and outcome.reason == "mojibake"
    assert {r["url"] for r in rows(rt.store, t.notice_urls)} == {N62.url}
    # Read right on the next poll: one notice.new, no false revision, no stray duplicate.
    third = poll_source(rt, SOURCE)
    assert len(third.events) == 1
    assert [e["kind"] for e in rows(rt.store, t.events)] == ["notice.new"]
    assert len(rows(rt.store, t.notices)) == 2


# -- rechecks reach notices that scrolled off page 1 --------------------------------------


def test_a_revision_off_page_one_is_found_within_a_day(store: Store) -> None:
    site = ReplaySite()
    day = date(2025, 4, 4)
    urls = []
    for n in range(1, 13):  # 12 notices, 3 to a page: the first is on page 4
        urls.append(f"{BASE}art_{n:032x}.html")
        html = render_detail_page(
            f"商务部公告2025年第{n}号 关于稀土相关物项实施出口管制的决定",
            f"商务部公告2025年第{n}号", "安全与管制局",
            datetime(2025, 4, 4, 9, 0, tzinfo=UTC) + timedelta(days=n),
            ["对钐、钆、铽、镝等中重稀土相关物项实施出口管制（1C902）。", "本公告自公布之日起实施。"],
        )  # fmt: skip
        site.publish(urls[-1], html, title=f"商务部公告2025年第{n}号", date=day + timedelta(days=n))
    source = SourceDef(
        id="mofcom-zcfb", name="zcfb", kind="mofcom-jpaas", url=SOURCE.url, interval_s=900,
        options={"web_id": "8f43c7ad3afc411fb56f281724b73708",
                 "tpl_set_id": "52551ea0e2c14bca8c84792f7aa37ead",
                 "page_id": "fc8bdff48fa345a48b651c1285b70b8f",
                 "page_size": 3, "first_run_pages": 4, "fetch_attachments": False},
    )  # fmt: skip
    clock = FixedClock(datetime(2025, 4, 20, 0, 5, tzinfo=UTC))
    with Fetcher(politeness_s=0, retries=0, transport=site.transport()) as fetcher:
        runtime = Runtime(
            settings=build_settings({}),
            store=store,
            clock=clock,
            fetcher=fetcher,
            sources={source.id: source},
            channels=None,
        )  # type: ignore[arg-type]
        assert poll_source(runtime, source).baseline
        clock.advance(timedelta(hours=1))
        poll_source(runtime, source)  # the first hourly recheck
        corrected = render_detail_page(
            "商务部公告2025年第1号 关于稀土相关物项实施出口管制的决定", "商务部公告2025年第1号",
            "安全与管制局", datetime(2025, 4, 5, 9, 0, tzinfo=UTC),
            ["对钐、钆、铽、镝、镥等中重稀土相关物项实施出口管制（1C902、1C905）。",
             "本公告自公布之日起实施。"],
        )  # fmt: skip
        site.revise(urls[0], corrected)
        events: list[str] = []
        for _ in range(24):  # hourly, a day long
            clock.advance(timedelta(hours=1))
            outcome = poll_source(runtime, source)
            assert outcome.ok, outcome.error
            events += outcome.events
    kinds = [(e["kind"], e["doc_key"]) for e in rows(store, t.events)]
    assert kinds == [("notice.revised", "MOFCOM-2025-1")]
    assert len(events) == 1


def test_the_poll_deadline_comes_from_the_source_else_the_schedule() -> None:
    settings = build_settings({"schedule": {"poll_deadline": "3m"}})
    assert poll_deadline_s(SOURCE, settings) == 180.0
    own = SourceDef(**{**SOURCE.__dict__, "options": {"poll_deadline": "90s"}})
    assert poll_deadline_s(own, settings) == 90.0
