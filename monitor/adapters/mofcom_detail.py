"""Read one MOFCOM detail page (www, aqygzj, english, big5 gateway) into a RawNotice.

Page shape: mofcom-site.md §4 and monitor/corpus/README.md. Pure: no network, no clock.
Raises ParseError(reason="layout") only when the body container is missing; every other
oddity (no title, no date, no header lines) leaves the field empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from monitor.adapters.guard import parsing
from monitor.adapters.html_tree import HtmlNode, parse_html, tree_text
from monitor.adapters.text import node_text, normalise_line
from monitor.clock import BEIJING_OFFSET
from monitor.errors import ParseError
from monitor.models import Attachment, RawNotice

_ATTACHMENT_EXTENSIONS = (
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".ofd", ".zip", ".rar", ".txt",
)  # fmt: skip
_ATTACHMENT_WORDS = ("附件", "Annex", "Attachment", "附表")

# Header lines opening the body; the value runs to the next label or the end of the line.
_UNIT_LABELS = ("发布单位", "發佈單位", "发文单位", "發文單位")
_NUMBER_LABELS = ("发布文号", "發佈文號", "发文字号", "發文字號")
_DATE_LABELS = ("发文日期", "發文日期", "发布日期", "發佈日期")
_EN_LABELS = {
    "issuing unit": "unit",
    "issuing document number": "number",
    "issuing date": "date",
}
_LABEL = re.compile(r"【\s*([^】]{2,8}?)\s*】|\[\s*(Issuing [A-Za-z ]+?)\s*\]", re.IGNORECASE)
_TRADITIONAL_LABELS = frozenset({"發佈單位", "發佈文號", "發佈日期", "發文日期", "發文單位"})

_DATETIME = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_EN_DATE = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+(\d{1,2}),\s*(\d{4})",
    re.IGNORECASE,
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"),
        start=1,
    )
}  # fmt: skip
_TITLE_SUFFIX = re.compile(
    r"\s*[_|\-–—]\s*(中华人民共和国商务部|中華人民共和國商務部|商务部|商務部|"
    r"Ministry of Commerce.*|MOFCOM.*|安全与管制局.*|安全與管制局.*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Parts:
    """What a detail page is read from, whichever tree found it."""

    text: str  # of the body container
    title: str
    pub_date: str | None  # <meta name="PubDate">
    html_lang: str | None
    links: tuple[tuple[str, str], ...]  # (href, link text) in the body, in order


def parse_detail(html: str, url: str, source_id: str) -> RawNotice:
    """Parse a detail page into a RawNotice (text keeps the header lines).

    Parser failures on hostile markup leave as ParseError too (adapters/guard.py)."""
    with parsing(url, "detail page"):
        return _parse_detail(html, url, source_id)


def _parse_detail(html: str, url: str, source_id: str) -> RawNotice:
    tree = parse_html(html)  # bs4's parse as light nodes; bs4 itself for odd input
    parts = _tree_parts(tree) if tree is not None else _soup_parts(BeautifulSoup(html, "lxml"))
    if parts is None:
        raise ParseError("layout", "no .art-con / [ergodic=article] body container", url)
    headers, english_labels, traditional_labels = _header_values(parts.text)
    published_at = _pub_datetime(parts.pub_date)
    published = published_at.date() if published_at else _header_date(headers.get("date"))
    return RawNotice(
        source_id=source_id,
        url=url,
        title=parts.title,
        text=parts.text,
        published=published,
        published_at=published_at,
        doc_number=headers.get("number") or None,
        issuing_unit=headers.get("unit") or None,
        language=_language(parts.html_lang, url, english_labels, traditional_labels),
        attachments=_attachments(parts.links, url),
    )


def _tree_parts(root: HtmlNode) -> _Parts | None:
    body = next((n for n in root.descendants() if n.get("ergodic") == "article"), None)
    if body is None:
        body = next((n for n in root.descendants() if n.has_class("art-con")), None)
    if body is None:
        return None
    metas = [n for n in root.descendants() if n.name == "meta"]
    html = root.find("html")
    return _Parts(
        text=tree_text(body),
        title=_tree_title(root, metas),
        pub_date=_meta_content(metas, "PubDate"),
        html_lang=html.get("lang") if html is not None else None,
        links=tuple(
            (href, link.get_text(" "))
            for link in body.descendants()
            if link.name == "a" and (href := link.get("href")) is not None
        ),
    )


def _tree_title(root: HtmlNode, metas: list[HtmlNode]) -> str:
    title = _meta_content(metas, "ArticleTitle")
    if title:
        return title
    box = next((n for n in root.descendants() if n.name == "div" and n.has_class("art-title")),
               None)  # fmt: skip
    if box is not None:
        text = normalise_line(box.get_text(" "))
        if text:
            return text
    tag = root.find("title")
    if tag is not None:
        return _TITLE_SUFFIX.sub("", normalise_line(tag.get_text(" ")))
    return ""


def _meta_content(metas: list[HtmlNode], name: str) -> str | None:
    wanted = name.lower()
    for tag in metas:
        meta_name = tag.get("name")
        if meta_name is not None and meta_name.strip().lower() == wanted:
            content = tag.get("content")
            if content is not None and content.strip():
                return normalise_line(content)
    return None


# The same reading on bs4's own tree (markup the light tree leaves to bs4).


def _soup_parts(soup: BeautifulSoup) -> _Parts | None:
    body = _body(soup)
    if body is None:
        return None
    lang = soup.html.get("lang") if soup.html is not None else None
    links: list[tuple[str, str]] = []
    for link in body.find_all("a", href=True):
        href = link.get("href")
        if isinstance(href, str):
            links.append((href, link.get_text(" ")))
    return _Parts(
        text=node_text(body),
        title=_title(soup),
        pub_date=_meta(soup, "PubDate"),
        html_lang=lang if isinstance(lang, str) else None,
        links=tuple(links),
    )


def _body(soup: BeautifulSoup) -> Tag | None:
    # [ergodic="article"] first, else .art-con: a fixed `bottonm` typo must not break us
    found = soup.find(True, attrs={"ergodic": "article"}) or soup.find(class_="art-con")
    return found if isinstance(found, Tag) else None


def _meta(soup: BeautifulSoup, name: str) -> str | None:
    wanted = name.lower()
    for tag in soup.find_all("meta"):
        meta_name = tag.get("name")
        if isinstance(meta_name, str) and meta_name.strip().lower() == wanted:
            content = tag.get("content")
            if isinstance(content, str) and content.strip():
                return normalise_line(content)
    return None


def _title(soup: BeautifulSoup) -> str:
    title = _meta(soup, "ArticleTitle")
    if title:
        return title
    box = soup.find("div", class_="art-title")
    if isinstance(box, Tag):
        text = normalise_line(box.get_text(" "))
        if text:
            return text
    if soup.title is not None:
        return _TITLE_SUFFIX.sub("", normalise_line(soup.title.get_text(" ")))
    return ""


def _pub_datetime(value: str | None) -> datetime | None:
    """`YYYY-MM-DD HH:mm` in Beijing time (no offset on the page) → aware datetime."""
    if not value:
        return None
    match = _DATETIME.search(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=BEIJING_OFFSET)
    except ValueError:
        return None


def _header_date(value: str | None) -> date | None:
    if not value:
        return None
    moment = _pub_datetime(value)
    if moment is not None:
        return moment.date()
    match = _EN_DATE.search(value)
    if match is None:
        return None
    try:
        return date(int(match.group(3)), _MONTHS[match.group(1).lower()], int(match.group(2)))
    except ValueError:
        return None


def _header_values(text: str) -> tuple[dict[str, str], bool, bool]:
    """Values of the header lines, and whether English / 繁體 labels were seen.

    Only the opening lines are searched so a later quotation of a label cannot win.
    """
    values: dict[str, str] = {}
    english = traditional = False
    head = "\n".join(text.split("\n", 12)[:12])
    for line in head.split("\n"):
        labels = list(_LABEL.finditer(line))
        for index, match in enumerate(labels):
            end = labels[index + 1].start() if index + 1 < len(labels) else len(line)
            value = normalise_line(line[match.end() : end]).strip(" |:：")
            key = _label_key(match)
            if key is None:
                continue
            english = english or match.group(2) is not None
            traditional = traditional or (match.group(1) or "") in _TRADITIONAL_LABELS
            if value and key not in values:
                values[key] = value
    return values, english, traditional


def _label_key(match: re.Match[str]) -> str | None:
    if match.group(2) is not None:
        return _EN_LABELS.get(" ".join(match.group(2).lower().split()))
    label = match.group(1)
    if label in _UNIT_LABELS:
        return "unit"
    if label in _NUMBER_LABELS:
        return "number"
    if label in _DATE_LABELS:
        return "date"
    return None


def _language(html_lang: str | None, url: str, english: bool, traditional: bool) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("english.") or "/english.mofcom.gov.cn/" in parts.path or english:
        return "en"
    if host.startswith("big5.") or "/gate/big5/" in parts.path or traditional:
        return "zh-Hant"
    if html_lang is not None:
        lang = html_lang.strip().lower()
        if lang.startswith("en"):
            return "en"
        if lang in {"zh-tw", "zh-hk", "zh-hant", "zh-mo"}:
            return "zh-Hant"
    return "zh-Hans"


def _attachments(links: tuple[tuple[str, str], ...], page_url: str) -> tuple[Attachment, ...]:
    found: dict[str, Attachment] = {}
    for raw_href, text in links:
        href = raw_href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        absolute = urljoin(page_url, href)
        path = urlsplit(absolute).path
        name = normalise_line(text)
        is_attachment = (
            "/cms_files/" in path
            or path.lower().endswith(_ATTACHMENT_EXTENSIONS)
            or any(word in name for word in _ATTACHMENT_WORDS)
        )
        if is_attachment and absolute not in found:
            found[absolute] = Attachment(
                url=absolute, name=name or unquote(path.rsplit("/", 1)[-1])
            )
    return tuple(found.values())
