"""The pages over HTTP from a real server on 127.0.0.1, read back with an HTML parser."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from bs4 import BeautifulSoup

from monitor.clock import FixedClock
from monitor.config import Settings, build_settings
from monitor.detect.feed_item import item_for_event
from monitor.errors import StoreError
from monitor.serve.pages.auth import hash_password
from monitor.serve.pages.render import notice_path
from monitor.serve.runner import start_in_thread
from monitor.store import Store
from monitor.store.repository import insert_notice, replace_notice
from monitor.store.tables import events
from tests.support.sample_events import (
    NO_58,
    NO_61,
    NO_62,
    NO_70,
    by_id,
    insert_events,
    sample_events,
)

CLOCK = FixedClock(datetime(2026, 11, 20, 17, 0, tzinfo=UTC))
SEEN = datetime(2025, 10, 9, 2, 30, tzinfo=UTC)
REVISED_62 = replace(
    NO_62,
    text=NO_62.text.replace("磁材制造", "磁材制造、二次资源回收")
    + "\n本公告自公布之日起正式实施。",
    content_hash="f" * 64,
)
PASSWORD = "rare-earth-2025"


def settings_for(store_url: str, **server: str) -> Settings:
    return build_settings(
        {
            "store": {"url": store_url},
            "server": {"listen": "127.0.0.1:0", **server},
            "subscribers": [{"name": "magnets"}, {"name": "all-rare-earths"}],
        }
    )


def fill(store: Store) -> None:
    with store.begin() as conn:
        for notice in (NO_61, NO_62, NO_70, NO_58):
            insert_notice(conn, notice, now=SEEN)
        replace_notice(conn, REVISED_62, version=2, now=SEEN + timedelta(days=2))
    insert_events(store, sample_events(), {"evt-62-new": ["magnets"], "evt-70-new": ["magnets"]})


@pytest.fixture
def client(sqlite_store: Store, tmp_path: object) -> Iterator[httpx.Client]:
    fill(sqlite_store)
    url = str(sqlite_store.engine.url)
    handle = start_in_thread(settings_for(url), sqlite_store, CLOCK, port=0)
    with httpx.Client(base_url=handle.url, timeout=10, trust_env=False) as http:
        yield http
    handle.stop()


def soup(response: httpx.Response) -> BeautifulSoup:
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def twin(page: BeautifulSoup) -> str:
    link = page.find("link", rel="alternate", type="application/json")
    assert link is not None
    visible = page.select_one("p.twin a")
    assert visible is not None and visible["href"] == link["href"]
    return str(link["href"])


def test_index_lists_relevant_events_newest_first(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page = soup(response)
    assert twin(page) == "/feed.json"
    rows = page.select("li.event")
    assert [row["data-doc-key"] for row in rows] == [
        "MOFCOM-2025-61",
        "MOFCOM-2025-70",
        "MOFCOM-2025-61",
        "MOFCOM-2025-62",
        "MOFCOM-2025-62",
    ]
    first = rows[1]
    assert first.select_one("h2.doc a")["href"] == "/notices/MOFCOM-2025-70"
    assert first.select_one(".happened").get_text().startswith("suspends MOFCOM-2025-55")
    assert first.select_one("time").get_text() == "2025-11-07"
    assert all(label.get("for") for label in page.select("form.filters label"))


def test_index_filters_by_the_url_parameters(client: httpx.Client) -> None:
    page = soup(client.get("/", params={"kind": "notice.new", "all": "1"}))
    assert [r["data-event"] for r in page.select("li.event")] == ["notice.new"] * 3
    assert twin(page) == "/feed.json?kind=notice.new&all=1"
    assert page.select_one("#f-kind option[selected]")["value"] == "notice.new"
    mine = soup(client.get("/", params={"subscriber": "magnets"}))
    assert [r["data-doc-key"] for r in mine.select("li.event")] == [
        "MOFCOM-2025-70",
        "MOFCOM-2025-62",
    ]
    codes = soup(client.get("/", params={"code": "3A001", "all": "1"}))
    assert [r["data-doc-key"] for r in codes.select("li.event")] == ["MOFCOM-2025-58"]
    control = soup(client.get("/", params={"kind": "suspension"}))
    assert [r["data-doc-key"] for r in control.select("li.event")] == ["MOFCOM-2025-70"]
    nothing = soup(client.get("/", params={"element": "Ho"}))
    assert nothing.select("li.event") == [] and "match these filters" in nothing.text


def test_index_pages_with_before(client: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("monitor.serve.pages.events.PAGE_SIZE", 2)
    page = soup(client.get("/"))
    older = page.select_one("nav.pager a[rel=next]")
    assert older is not None
    second = soup(client.get(str(older["href"])))
    assert [r["data-event"] for r in second.select("li.event")] == [
        "measure.effective",
        "notice.revised",
    ]
    assert second.select_one("nav.pager a")["href"] == "/"


def test_bad_filters_get_a_400_page(client: httpx.Client) -> None:
    response = client.get("/", params={"element": "Fe"})
    assert response.status_code == 400
    assert "rare-earth element symbol" in soup(response).select_one("[role=alert]").get_text()


def test_json_clients_still_get_the_index(client: httpx.Client) -> None:
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.json()["links"][0] == "/feed.json"


def test_notice_page_shows_facts_versions_and_the_diff(client: httpx.Client) -> None:
    response = client.get("/notices/MOFCOM-2025-62")
    assert response.status_code == 200
    page = soup(response)
    assert twin(page) == "/notices/MOFCOM-2025-62.json"
    assert page.h1.get_text(strip=True) == NO_62.doc_number
    versions = page.select("table.versions tbody tr")
    assert [row.td.get_text() for row in versions] == ["2", "1"]
    diff = page.select_one("table.sbs")
    assert [i.get_text() for i in diff.select("ins")] == [
        "、二次资源回收",
        "本公告自公布之日起正式实施。",
    ]
    assert diff.select("del") == []
    urls = [a["href"] for a in page.select("ul.urls a")]
    assert urls == [NO_62.url]


def test_notice_page_links_affected_notices_the_store_holds(client: httpx.Client) -> None:
    page = soup(client.get("/notices/MOFCOM-2025-70"))
    affects = page.select("ul.affects li")
    linked = {li.a["href"] for li in affects if li.a}
    assert "/notices/MOFCOM-2025-61" in linked
    unlinked = [li.get_text() for li in affects if not li.a]
    assert any(text.startswith("MOFCOM-2025-55") for text in unlinked)


def test_unknown_notice_is_404(client: httpx.Client) -> None:
    response = client.get("/notices/MOFCOM-1999-1")
    assert response.status_code == 404 and "No such notice" in soup(response).h1.get_text()
    # The JSON twin has its own route; the page never answers for it.
    assert "text/html" not in client.get("/notices/MOFCOM-2025-62.json").headers.get(
        "content-type", ""
    )


def test_notices_keyed_by_url_have_pages(client: httpx.Client, sqlite_store: Store) -> None:
    key = "https://aqygzj.mofcom.gov.cn/zhxx/art/2025/art_f9d2f5eef48de5b72dc09710ac3a76bd.html"
    news = replace(NO_58, doc_key=key, doc_number=None, url=key, urls=())
    news = replace(news, facts=replace(news.facts, doc_key=None, doc_number=None))
    with sqlite_store.begin() as conn:
        insert_notice(conn, news, now=SEEN)
    page = soup(client.get(notice_path(key)))
    assert page.select_one("dl.facts code").get_text() == key
    assert twin(page) == notice_path(key) + ".json"


def test_controls_page_has_the_chart_table_and_lookup(client: httpx.Client) -> None:
    page = soup(client.get("/controls", params={"as_of": "2025-12-01"}))
    assert twin(page) == "/controls.json?as_of=2025-12-01"
    assert page.h1.get_text() == "Controls on 2025-12-01"
    rows = {
        r["data-doc-key"]: r["data-status"] for r in page.select("table.measures tr[data-doc-key]")
    }
    assert rows["MOFCOM-2025-61"] == "suspended" and rows["MOFCOM-2025-70"] == "in_force"
    svg = page.select_one("svg.timeline")
    assert svg is not None and svg.select("g.row")
    titles = [t.get_text() for t in svg.select("rect title")]
    assert any("suspended by 商务部 海关总署公告2025年第70号" in t for t in titles)
    lookup = soup(client.get("/controls", params={"as_of": "2025-12-01", "element": "sm"}))
    assert twin(lookup) == "/controls.json?as_of=2025-12-01&element=Sm"
    matched = [li["data-doc-key"] for li in lookup.select("ul.matches li")]
    assert matched and all(key.startswith("MOFCOM-2025-6") for key in matched)


def test_controls_page_refuses_bad_dates(client: httpx.Client) -> None:
    assert client.get("/controls", params={"as_of": "2025-13-01"}).status_code == 400
    assert client.get("/controls", params={"as_of": "soon"}).status_code == 400
    assert client.get("/controls", params={"as_of": "2022-12-31"}).status_code == 400
    assert client.get("/controls", params={"code": "XYZ"}).status_code == 400
    assert client.get("/controls").status_code == 200  # today in Beijing


def test_sources_page_and_its_twin(client: httpx.Client) -> None:
    page = soup(client.get("/sources"))
    assert twin(page) == "/sources.json"
    document = client.get("/sources.json").json()
    assert document["outbox"] == {"pending": 0, "sent": 0, "dead": 0}
    assert document["sources"] == []
    assert "No source has been polled yet." in page.text


def test_entities_page_says_when_no_party_matches(client: httpx.Client) -> None:
    page = soup(client.get("/entities", params={"name": "TechInsights"}))
    assert twin(page) == "/entities.json?name=TechInsights"
    assert "No listed party matches this search" in page.select_one("[role=status]").get_text()
    assert page.select_one("#e-name")["value"] == "TechInsights"


def test_static_style_sheet_is_served(client: httpx.Client) -> None:
    response = client.get("/static/regwatch.css")
    assert response.status_code == 200 and "text/css" in response.headers["content-type"]


@pytest.fixture
def guarded(sqlite_store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    """Settings that listen beyond loopback; the test server still binds 127.0.0.1 only."""
    fill(sqlite_store)
    monkeypatch.setenv("RW_TEST_USERS", f"alice:{hash_password(PASSWORD)}")
    settings = settings_for(str(sqlite_store.engine.url), users_env="RW_TEST_USERS")
    settings = replace(settings, server=replace(settings.server, host="0.0.0.0"))
    handle = start_in_thread(settings, sqlite_store, CLOCK, host="127.0.0.1", port=0)
    with httpx.Client(base_url=handle.url, timeout=10, trust_env=False) as http:
        yield http
    handle.stop()


def test_pages_need_a_login_beyond_loopback(guarded: httpx.Client) -> None:
    for path in ("/", "/notices/MOFCOM-2025-62", "/controls", "/sources", "/entities"):
        response = guarded.get(path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"].startswith("Basic")
    login = "Basic " + base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    assert guarded.get("/", headers={"Authorization": login}).status_code == 200
    assert guarded.get("/feed.json").status_code == 200  # the JSON endpoints keep their rules
    assert guarded.get("/sources.json").status_code == 200


def test_pages_are_off_beyond_loopback_without_logins(sqlite_store: Store) -> None:
    settings = settings_for(str(sqlite_store.engine.url))
    settings = replace(settings, server=replace(settings.server, host="0.0.0.0"))
    handle = start_in_thread(settings, sqlite_store, CLOCK, host="127.0.0.1", port=0)
    try:
        response = httpx.get(handle.url + "/controls", trust_env=False)
    finally:
        handle.stop()
    assert response.status_code == 403 and "switched off" in response.text


def test_controls_lookup_by_code_and_hs(client: httpx.Client) -> None:
    page = soup(client.get("/controls", params={"as_of": "2025-12-01", "code": "1E902"}))
    assert [li["data-doc-key"] for li in page.select("ul.matches li")] == ["MOFCOM-2025-62"]
    reasons = page.select_one("ul.matches li").get_text()
    assert "1E902.a" in reasons and "1E902.b" in reasons
    none = soup(client.get("/controls", params={"as_of": "2025-12-01", "hs": "2805301200"}))
    assert none.select("ul.matches li") == [] and "No measure on 2025-12-01" in none.text
    assert client.get("/controls", params={"hs": "12"}).status_code == 400
    assert client.get("/controls", params={"element": "Fe"}).status_code == 400


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/", "monitor.serve.pages.events.event_page"),
        ("/notices/MOFCOM-2025-62", "monitor.serve.pages.notice.notice_record"),
        ("/controls", "monitor.serve.pages.controls.measure_records"),
        ("/sources", "monitor.serve.pages.sources.source_health_rows"),
        ("/sources.json", "monitor.serve.pages.sources.source_health_rows"),
    ],
)
def test_a_store_that_cannot_be_read_is_a_503(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch, path: str, target: str
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise StoreError("database is locked")

    monkeypatch.setattr(target, broken)
    response = client.get(path)
    assert response.status_code == 503
    assert "database is locked" not in response.text


def test_notice_page_shows_title_en_items_and_entities_when_the_notice_has_them(
    client: httpx.Client, sqlite_store: Store
) -> None:
    newest = item_for_event(replace(by_id("evt-62-rev"), id="evt-62-items"))
    notice = newest["_regwatch"]["notice"]
    notice["title_en"] = (
        "MOFCOM Announcement No. 62 of 2025: export controls on rare-earth technology"
    )
    notice["items"] = [
        {
            "code": "1E902.a",
            "description": "稀土开采、冶炼分离、金属冶炼、磁材制造技术及其载体",
            "description_en": None,
            "hs_codes": [],
            "elements": [],
            "source": "text",
        }
    ]
    notice["entities"] = [
        {
            "name": "某公司",
            "name_en": "Example Corp",
            "country": "US",
            "list": "control_list",
            "action": "add",
        },
        "not an entity",
    ]
    with sqlite_store.begin() as conn:
        conn.execute(
            events.insert().values(
                id="evt-62-items",
                kind="notice.revised",
                doc_key="MOFCOM-2025-62",
                source_id="mofcom-zcfb",
                detected_at=SEEN + timedelta(days=3),
                relevant=True,
                item=newest,
            )
        )
    page = soup(client.get("/notices/MOFCOM-2025-62"))
    assert page.select_one("p.lede[lang=en]").get_text().startswith("MOFCOM Announcement No. 62")
    assert [td.get_text() for td in page.select("#items ~ table td[data-label=Code]")] == [
        "1E902.a"
    ]
    names = [td.get_text() for td in page.select("#entities ~ table td[data-label='English name']")]
    assert names == ["Example Corp"]
    row = soup(client.get("/")).select_one("li.event[data-doc-key='MOFCOM-2025-62'] p.title")
    assert row.get_text().startswith("MOFCOM Announcement No. 62") and row["lang"] == "en"
