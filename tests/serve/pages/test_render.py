"""The helpers every page template uses."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.serve.pages.render import base_codes, beijing, notice_path, query_url, web_link


def test_notice_paths_escape_keys_that_are_urls() -> None:
    assert notice_path("MOFCOM-2025-61") == "/notices/MOFCOM-2025-61"
    assert notice_path("https://a.example/x?y=1") == "/notices/https%3A%2F%2Fa.example%2Fx%3Fy%3D1"


def test_times_show_in_beijing() -> None:
    assert beijing(datetime(2025, 11, 7, 12, 40, tzinfo=UTC)) == "2025-11-07 20:40"
    assert beijing(None) == ""


def test_codes_without_sub_items_and_urls_without_empty_parameters() -> None:
    assert base_codes(["1C902", "1C902.a", "1E902.b", "1C903.a"]) == ["1C902", "1E902", "1C903"]
    assert query_url("/", {"kind": None, "hs": "", "element": "Dy"}) == "/?element=Dy"
    assert query_url("/controls", {}) == "/controls"


def test_only_web_urls_become_links() -> None:
    assert web_link("https://www.mofcom.gov.cn/a.html") == "https://www.mofcom.gov.cn/a.html"
    assert web_link("HTTP://example.test/") == "HTTP://example.test/"
    assert web_link("javascript:alert(1)") is None
    assert web_link("data:text/html,x") is None


def test_notice_keys_route_every_path_but_the_json_twin() -> None:
    import re

    from monitor.serve.pages import NoticeKeyConvertor

    convertor = NoticeKeyConvertor()
    pattern = re.compile(f"^{convertor.regex}$")
    assert pattern.match("MOFCOM-2025-61") and pattern.match("https://a.example/b.html")
    assert not pattern.match("MOFCOM-2025-61.json")
    assert convertor.to_string("MOFCOM-2025-61") == convertor.convert("MOFCOM-2025-61")
