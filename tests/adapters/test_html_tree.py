"""html_tree.py: the light tree reads a page exactly as bs4's "lxml" tree does."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.adapters import mofcom_detail
from monitor.adapters.html_tree import HtmlNode, parse_html, tree_text
from monitor.adapters.text import node_text
from monitor.corpus.evaluate import load_pages
from monitor.errors import ParseError

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "tests" / "fixtures" / "mofcom-zcfb").glob("*.html")) + sorted(
    (ROOT / "monitor" / "corpus").glob("*.html")
)

TEXTS = [" ", "  ", "\n", "\r\n", "\t", "\u3000", "&nbsp;", "&foo;", "&amp;", "稀土", "x",
         "1C902", "\u200b", "e\u0301", "<", "]]>"]  # fmt: skip
TAGS = ["div", "p", "span", "b", "a", "td", "th", "tr", "table", "br", "img", "li", "ul", "o:p",
        "rt", "ruby", "template", "script", "style", "pre", "title", "meta", "html", "body",
        "head", "iframe", "h1", "font"]  # fmt: skip
ATTRS = ['class="art-con"', 'class=" x  art-con "', 'class=""', 'ergodic="article"',
         'href="a.pdf"', 'href=""', 'name="PubDate" content=" 2025-10-09 "', 'lang="en"',
         'xml:lang="zh"', 'a"b=1']  # fmt: skip
OTHER = ["<!-- c -->", "<?php x ?>", "<![CDATA[y]]>", "</p>", "</html>", "</body>", "<br/>"]


@st.composite
def markup(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.integers(0, 9))
    if depth > 3 or kind < 4:
        return draw(st.sampled_from(TEXTS))
    if kind == 4:
        return draw(st.sampled_from(OTHER))
    tag = draw(st.sampled_from(TAGS))
    attrs = " ".join(draw(st.lists(st.sampled_from(ATTRS), max_size=2)))
    inner = "".join(draw(st.lists(markup(depth + 1), max_size=4)))
    close = f"</{tag}>" if draw(st.booleans()) else ""
    return f"<{tag} {attrs}>{inner}{close}"


PREFIXES = ["", "<!DOCTYPE html>", "\ufeff", "<!-- top -->",
            '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">']  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from(PREFIXES),
    parts=st.lists(markup(), min_size=1, max_size=5),
    suffix=st.sampled_from(["", "\n", "<!-- end -->", "<script>x</script>", "tail"]),
)
def test_same_text_and_lookups_as_bs4(prefix: str, parts: list[str], suffix: str) -> None:
    page = prefix + "<p>" + "".join(parts) + suffix
    tree = parse_html(page)
    soup = BeautifulSoup(page, "lxml")
    assert tree is not None
    assert tree_text(tree) == node_text(soup)

    def first(node: HtmlNode | None) -> tuple[str, str] | None:
        return None if node is None else (tree_text(node), node.get_text(" "))

    def bs4_first(tag: object) -> tuple[str, str] | None:
        return (node_text(tag), tag.get_text(" ")) if isinstance(tag, Tag) else None

    nodes = list(tree.descendants())
    assert [n.name for n in nodes] == [t.name for t in soup.find_all(True)]
    assert first(next((n for n in nodes if n.has_class("art-con")), None)) == bs4_first(
        soup.find(class_="art-con")
    )
    assert first(tree.find("a")) == bs4_first(soup.find("a"))
    assert first(tree.find("title")) == bs4_first(soup.find("title"))
    html = tree.find("html")
    assert (html.get("lang") if html else None) == (soup.html.get("lang") if soup.html else None)


@pytest.mark.parametrize("page", ["", "plain text", "https://example.com/a.html",
                                  '<?xml version="1.0"?><rss></rss>'])  # fmt: skip
def test_input_bs4_warns_about_is_left_to_bs4(page: str) -> None:
    assert parse_html(page) is None


def read(page: str) -> object:
    try:
        return mofcom_detail.parse_detail(page, "https://www.mofcom.gov.cn/art/2025/a.html", "s")
    except ParseError as error:
        return error.reason


def test_detail_pages_read_the_same_without_bs4(monkeypatch: pytest.MonkeyPatch) -> None:
    pages = [p.read_text(encoding="utf-8") for p in PAGES]
    fast = [read(page) for page in pages]
    monkeypatch.setattr(mofcom_detail, "parse_html", lambda markup: None)
    assert fast == [read(page) for page in pages]
    assert sum(not isinstance(f, str) for f in fast) > 40


def test_ordinary_detail_pages_never_build_bs4_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    # Regression guard for speed: the light tree must not quietly fall back to bs4.
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("bs4 used for an ordinary page")

    monkeypatch.setattr(mofcom_detail, "BeautifulSoup", refuse)
    assert len(load_pages(ROOT / "monitor" / "corpus")) > 40
