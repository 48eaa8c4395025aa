"""Read one news or commentary article page into a RawNotice (pure).

The generic shape outlets and the gold corpus use (monitor/corpus/README.md, "article"
form): `og:title` (else the `<h1>`, else `<title>`), `article:published_time`, `<html lang>`,
and the body in `<article>` (else `<main>`, else `<body>`). The text is read exactly as an
RSS item's body is (`html_to_text`): one paragraph per line, the headline not repeated.
"""

from __future__ import annotations

from datetime import datetime

from bs4 import BeautifulSoup, Tag

from monitor.adapters.text import guess_language, node_text, normalise_line
from monitor.clock import BEIJING_OFFSET
from monitor.errors import ParseError
from monitor.models import RawNotice

_LANGUAGES = {
    "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh-hans": "zh-Hans",
    "zh-hk": "zh-Hant", "zh-tw": "zh-Hant", "zh-mo": "zh-Hant", "zh-hant": "zh-Hant",
}  # fmt: skip


def parse_article(html: str, url: str, source_id: str) -> RawNotice:
    """An article page → RawNotice; ParseError(reason="layout") when it has no body."""
    soup = BeautifulSoup(html, "lxml")
    body = soup.find("article") or soup.find("main") or soup.body
    if not isinstance(body, Tag):
        raise ParseError("layout", "no article body", url)
    title = _meta(soup, "og:title") or _headline(soup)
    for headline in body.find_all("h1"):
        headline.decompose()
    text = node_text(body)
    published_at = _moment(_meta(soup, "article:published_time"))
    return RawNotice(
        source_id=source_id,
        url=url,
        title=title,
        text=text,
        published=published_at.date() if published_at else None,
        published_at=published_at,
        language=_language(soup, f"{title}\n{text}"),
        report=True,
    )


def _meta(soup: BeautifulSoup, prop: str) -> str | None:
    tag = soup.find("meta", attrs={"property": prop}) or soup.find("meta", attrs={"name": prop})
    content = tag.get("content") if isinstance(tag, Tag) else None
    return normalise_line(content) if isinstance(content, str) and content.strip() else None


def _headline(soup: BeautifulSoup) -> str:
    for name in ("h1", "title"):
        tag = soup.find(name)
        if isinstance(tag, Tag) and tag.get_text(strip=True):
            return normalise_line(tag.get_text(" "))
    return ""


def _moment(value: str | None) -> datetime | None:
    """ISO 8601 with offset → Beijing time; without an offset it is taken as Beijing time."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=BEIJING_OFFSET)
    return moment.astimezone(BEIJING_OFFSET)


def _language(soup: BeautifulSoup, text: str) -> str:
    root = soup.find("html")
    lang = root.get("lang") if isinstance(root, Tag) else None
    if isinstance(lang, str) and lang.strip():
        code = lang.strip().lower()
        if code in _LANGUAGES:
            return _LANGUAGES[code]
        if code.startswith("en"):
            return "en"
    return guess_language(text)
