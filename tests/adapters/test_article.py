"""article.py: a news or commentary article page read as the live path reads a news item."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.adapters.article import parse_article
from monitor.errors import ParseError

PAGE = """<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">
{og}<meta property="article:published_time" content="{when}">
<title>Page title - Outlet</title></head>
<body><nav>menu</nav><article><h1>Headline</h1><p class="byline">Wire desk</p>
<p>第一段 paragraph.</p><p>Second paragraph.</p></article></body></html>"""


def test_an_article_is_a_report_with_its_headline_date_and_script() -> None:
    html = PAGE.format(lang="zh-HK", og='<meta property="og:title" content="OG headline">',
                       when="2025-10-09T01:15:00Z")  # fmt: skip
    raw = parse_article(html, "https://news.example.invalid/a", "news")
    assert raw.report and raw.title == "OG headline"
    assert raw.text == "Wire desk\n第一段 paragraph.\nSecond paragraph."  # headline not repeated
    assert raw.published == date(2025, 10, 9)
    assert raw.published_at is not None and raw.published_at.utcoffset() is not None
    assert raw.published_at.hour == 9  # Beijing time
    assert raw.language == "zh-Hant"


@pytest.mark.parametrize(
    ("lang", "when", "language", "published"),
    [
        ("en-GB", "2025-10-09T20:15:00", "en", date(2025, 10, 9)),
        ("zh-CN", "not a date", "zh-Hans", None),
        ("", "", "en", None),  # no lang: the script is guessed from the text
        ("fr", "2025-10-09T20:15:00+08:00", "en", date(2025, 10, 9)),
    ],
)
def test_language_and_date_fallbacks(
    lang: str, when: str, language: str, published: date | None
) -> None:
    raw = parse_article(PAGE.format(lang=lang, og="", when=when), "https://x.invalid/", "news")
    assert raw.title == "Headline"  # no og:title: the <h1>
    assert raw.language == language
    assert raw.published == published


def test_without_h1_the_title_element_and_without_body_a_parse_error() -> None:
    raw = parse_article("<html><head><title>T</title></head><body><p>x</p></body></html>",
                        "https://x.invalid/", "news")  # fmt: skip
    assert (raw.title, raw.text) == ("T", "x")
    assert parse_article("<p>x</p>", "https://x.invalid/", "n").title == ""
    with pytest.raises(ParseError):
        parse_article("", "https://x.invalid/", "news")
