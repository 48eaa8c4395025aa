"""The pages in a real browser: Playwright drives the system Chromium against a real server
on 127.0.0.1 serving the store `regwatch demo --keep` filled with the 2025–2026 story.

Content is read through the DOM; every page is checked for console errors and for sideways
scrolling at 390 px; screenshots at desktop and phone widths go to browser-screenshots/
(gitignored) for a human to look at.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from monitor.clock import BEIJING, FixedClock
from monitor.config import build_settings, load_settings
from monitor.serve.runner import ServerHandle, start_in_thread
from monitor.store import Store, open_store
from monitor.store.repository import load_notice, replace_notice

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[3]
SHOTS = REPO / "browser-screenshots"
TODAY = datetime.combine(datetime(2026, 11, 21).date(), time(9, 0), BEIJING)
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (make test installs it)"
    ),
]


@dataclass
class Site:
    url: str
    store: Store


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    base = tmp_path_factory.mktemp("browser")
    kept = base / "store"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGWATCH_", "SLACK_"))}
    env["PYTHONPATH"] = str(REPO)
    env["HOME"] = str(base)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "monitor",
            "demo",
            "--output",
            str(base / "out"),
            "--keep",
            str(kept),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=base,
        timeout=150,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "The web pages: http://127.0.0.1:" in done.stdout
    assert f"regwatch --config {kept / 'regwatch.toml'}" in done.stdout
    url = f"sqlite:///{kept / 'regwatch-demo.db'}"
    printed = load_settings(kept / "regwatch.toml", environ={})  # the config `serve` is told
    assert (printed.store.url, printed.server.host) == (url, "127.0.0.1")
    store = open_store(url)
    _revise_no_61(store)
    settings = build_settings({"store": {"url": url}, "server": {"listen": "127.0.0.1:0"}})
    handle: ServerHandle = start_in_thread(settings, store, FixedClock(TODAY), port=0)
    try:
        yield Site(handle.url, store)
    finally:
        handle.stop()
        store.dispose()


def _revise_no_61(store: Store) -> None:
    """A second version of No. 61 (a corrected annex line), so the page has a diff to show."""
    with store.begin() as conn:
        stored = load_notice(conn, "MOFCOM-2025-61")
        assert stored is not None
        text = stored.notice.text.replace("| 氧化镝、氧化铽", "| 氧化镝、氧化铽、氧化钐").replace(
            "价值以实际成交价格确定", "价值以出口时的实际成交价格确定"
        )
        revised = replace(stored.notice, text=text, content_hash="9" * 64)
        replace_notice(conn, revised, version=stored.version + 1, now=TODAY)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@dataclass
class Tab:
    page: Page
    errors: list[str]


def open_tab(browser: Browser, viewport: ViewportSize) -> Tab:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return Tab(page, errors)


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Tab]:
    tab = open_tab(browser, DESKTOP)
    yield tab
    tab.page.context.close()
    assert tab.errors == []


@pytest.fixture
def phone(browser: Browser) -> Iterator[Tab]:
    tab = open_tab(browser, PHONE)
    yield tab
    tab.page.context.close()
    assert tab.errors == []


def shot(tab: Tab, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    tab.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def texts(tab: Tab, selector: str) -> list[str]:
    return [t.strip() for t in tab.page.locator(selector).all_inner_texts()]


def test_changes_show_the_story_newest_first(site: Site, desktop: Tab) -> None:
    page = desktop.page
    page.goto(site.url + "/")
    assert page.title() == "Recent changes · regwatch"
    rows = page.locator("li.event")
    keys = [rows.nth(i).get_attribute("data-doc-key") for i in range(rows.count())]
    assert keys[0] in {"MOFCOM-2025-62", "MOFCOM-2025-61", "MOFCOM-2025-57", "MOFCOM-2025-56"}
    assert keys[-1] == "MOFCOM-2025-18" and "MOFCOM-2025-70" in keys
    no70 = page.locator("li.event[data-doc-key='MOFCOM-2025-70']")
    assert no70.locator("h2.doc").inner_text() == "商务部 海关总署公告2025年第70号"
    assert no70.locator(".happened").inner_text().startswith("suspends MOFCOM-2025-61")
    assert no70.locator("time").inner_text() == "2025-11-07"
    lapsed = texts(desktop, "li.event[data-event='measure.suspension_ended'] .happened")
    assert lapsed and all("applies again from 2026-11-11" in t for t in lapsed)
    alternate = page.locator("link[rel=alternate]").get_attribute("href")
    assert alternate == "/feed.json"
    shot(desktop, "changes-desktop")


def test_filter_form_narrows_the_list(site: Site, desktop: Tab) -> None:
    page = desktop.page
    page.goto(site.url + "/")
    page.select_option("#f-element", "Dy")
    page.select_option("#f-kind", "notice.new")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/?kind=notice.new*element=Dy*")
    keys = {e.get_attribute("data-doc-key") for e in page.locator("li.event").element_handles()}
    assert {"MOFCOM-2025-18", "MOFCOM-2025-61"} <= keys
    assert "MOFCOM-2025-57" not in keys  # holmium & co., no dysprosium
    assert set(texts(desktop, "li.event .meta .kind")) == {"notice.new"}
    assert page.locator("#f-element").input_value() == "Dy"
    twin = page.locator("p.twin a").get_attribute("href")
    assert twin is not None and "element=Dy" in twin and twin.startswith("/feed.json?")


def test_keyboard_reaches_the_content_and_the_form(site: Site, desktop: Tab) -> None:
    page = desktop.page
    page.goto(site.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
    assert "f-kind" in seen and "f-element" in seen and "f-code" in seen
    page.focus("#f-code")
    page.keyboard.type("1C909")
    page.keyboard.press("Enter")
    page.wait_for_url("**code=1C909*")
    # No. 57 lists holmium under 1C909; No. 70 suspends it (and names the code).
    assert set(texts(desktop, "li.event h2.doc")) == {
        "商务部 海关总署公告2025年第57号",
        "商务部 海关总署公告2025年第70号",
    }


def test_notice_page_shows_versions_and_the_marked_diff(site: Site, desktop: Tab) -> None:
    page = desktop.page
    page.goto(site.url + "/notices/MOFCOM-2025-61")
    assert page.locator("h1").inner_text() == "商务部公告2025年第61号"
    assert texts(desktop, "table.versions tbody tr td:first-child") == ["2", "1"]
    assert texts(desktop, "table.sbs ins") == ["出口时的", "、氧化钐"]
    effective = texts(desktop, "dl.facts dd ul li")
    assert any(t.startswith("2025-12-01") for t in effective)
    urls = page.locator("ul.urls a[rel=external]").first.get_attribute("href")
    assert urls is not None and urls.startswith("https://www.mofcom.gov.cn/")
    twin = page.locator("link[rel=alternate]").get_attribute("href")
    assert twin == "/notices/MOFCOM-2025-61.json"
    shot(desktop, "notice-desktop")
    page.goto(site.url + "/notices/MOFCOM-2025-70")
    page.click("ul.affects a >> text=MOFCOM-2025-57")
    page.wait_for_url("**/notices/MOFCOM-2025-57")
    assert page.locator("h1").inner_text() == "商务部 海关总署公告2025年第57号"


def test_controls_timeline_and_state_on_a_date(site: Site, desktop: Tab) -> None:
    page = desktop.page
    page.goto(site.url + "/controls")
    assert page.locator("h1").inner_text() == "Controls on 2026-11-21"
    rows = page.locator("svg.timeline g.row")
    keys = [rows.nth(i).get_attribute("data-doc-key") for i in range(rows.count())]
    assert {"MOFCOM-2025-18", "MOFCOM-2025-57", "MOFCOM-2025-61", "MOFCOM-2025-62"} <= set(keys)
    no61 = page.locator("svg.timeline g.row[data-doc-key='MOFCOM-2025-61'] rect")
    statuses = [no61.nth(i).get_attribute("data-status") for i in range(no61.count())]
    assert statuses == ["in_force", "suspended", "in_force"]
    tips = [no61.nth(i).locator("title").text_content() or "" for i in range(no61.count())]
    assert "suspended by 商务部 海关总署公告2025年第70号 until 2026-11-10" in tips[1]
    assert "2025-11-07 to 2026-11-10" in tips[1]
    state = page.locator("table.measures tr[data-doc-key='MOFCOM-2025-61']")
    assert state.first.get_attribute("data-status") == "in_force"
    shot(desktop, "controls-desktop")
    page.fill("#c-as-of", "2025-12-01")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**as_of=2025-12-01*")
    state = page.locator("table.measures tr[data-doc-key='MOFCOM-2025-61']")
    assert state.first.get_attribute("data-status") == "suspended"


def test_controls_lookup_form(site: Site, desktop: Tab) -> None:
    page = desktop.page
    page.goto(site.url + "/controls?as_of=2026-11-21")
    page.fill("#c-hs", "2805301200")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**hs=2805301200*")
    matched = [
        e.get_attribute("data-doc-key") for e in page.locator("ul.matches li").element_handles()
    ]
    assert "MOFCOM-2025-18" in matched
    reasons = texts(desktop, "ul.matches li[data-doc-key='MOFCOM-2025-18']")
    assert "HS 2805301200" in reasons[0]
    twin = page.locator("p.twin a").get_attribute("href")
    assert twin == "/controls.json?as_of=2026-11-21&hs=2805301200"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/", "changes"),
        ("/notices/MOFCOM-2025-61", "notice"),
        ("/controls", "controls"),
        ("/sources", "sources"),
        ("/entities", "entities"),
    ],
)
def test_phone_width_never_scrolls_sideways(site: Site, phone: Tab, path: str, name: str) -> None:
    page = phone.page
    response = page.goto(site.url + path)
    assert response is not None and response.status == 200
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width} px wide"
    assert page.locator("main h1").count() == 1
    shot(phone, f"{name}-phone")


def test_sources_show_each_source(site: Site, desktop: Tab) -> None:
    page = desktop.page
    page.goto(site.url + "/sources")
    sources = [
        e.get_attribute("data-source")
        for e in page.locator("table.sources tr[data-source]").element_handles()
    ]
    assert sources == ["mofcom-aqygzj", "mofcom-zcfb"]
    assert set(texts(desktop, "table.sources .health")) == {"ok"}


def test_timeline_labels_are_reachable_by_keyboard(site: Site, desktop: Tab) -> None:
    page = desktop.page
    page.goto(site.url + "/controls")
    for _ in range(40):  # past the navigation and the form, into the chart
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('svg') !== null"):
            break
    else:
        pytest.fail("no timeline label took the keyboard focus")
    page.keyboard.press("Enter")
    page.wait_for_url("**/notices/**")
    assert page.locator("h1").inner_text() == "商务部、科技部公告2023年第57号"
