"""Every gold-corpus pair has the agreed shape (monitor/corpus/README.md).

Detail pages carry the MOFCOM detail-page labels; news and commentary articles
(`"form": "article"`) carry the news labels: `mentions`, `reports` and `relevance`.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "monitor" / "corpus"
NOT_PAIRS = {"controls_expected.json", "timeline.json"}
DOC_KEY = re.compile(r"^(MOFCOM-\d{4}-\d+|GACC-\d{4}-\d+|UEL-\d{4}-\d+|STATECOUNCIL-\d+)$")
KINDS = {
    "control", "suspension", "repeal", "adjustment", "designation", "unreliable_entity",
    "license", "commentary", "other",
}  # fmt: skip
LANGUAGES = {"zh-Hans": {"zh-CN"}, "zh-Hant": {"zh-HK", "zh-TW", "zh-Hant"}, "en": {"en"}}
NEWS_LABELS = {
    "doc_key", "mentions", "reports", "control_codes", "hs_codes", "elements", "kind",
    "relevant", "relevance",
}  # fmt: skip
DETAIL_LABELS = {
    "doc_key", "doc_number", "issuers", "published", "effective", "control_codes",
    "hs_codes", "elements", "kind", "affects", "relevant",
}  # fmt: skip
ELEMENTS = {
    "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Sc", "Y",
}  # fmt: skip


class _Article(HTMLParser):
    """Collects what the news shape promises: lang, og meta, title, h1, byline, paragraphs."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.meta: dict[str, str] = {}
        self.charset = False
        self.article = 0
        self.texts: dict[str, str] = {"title": "", "h1": "", "byline": ""}
        self.paragraphs = 0
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "meta" and "property" in a:
            self.meta[a["property"]] = a.get("content", "")
        elif tag == "meta" and a.get("charset", "").lower() == "utf-8":
            self.charset = True
        elif tag == "article":
            self.article += 1
        elif tag in ("title", "h1"):
            self._in = tag
        elif tag == "p" and a.get("class") == "byline":
            self._in = "byline"
        elif tag == "p":
            self.paragraphs += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("title", "h1", "p"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.texts[self._in] += data


def _pairs() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*.json") if p.name not in NOT_PAIRS)


def _load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_every_page_has_labels_and_every_label_file_a_page() -> None:
    htmls = {p.stem for p in CORPUS.glob("*.html")}
    jsons = {p.stem for p in _pairs()}
    assert htmls == jsons


def test_the_corpus_holds_at_least_150_items_60_of_them_news_or_commentary() -> None:
    pairs = [_load(p) for p in _pairs()]
    articles = [d for d in pairs if d.get("form") == "article"]
    assert len(pairs) >= 150
    assert len(articles) >= 60
    by_language = {lang: sum(d["language"] == lang for d in articles) for lang in LANGUAGES}
    assert min(by_language.values()) >= 15, by_language


@pytest.mark.parametrize("label_path", _pairs(), ids=lambda p: p.stem)
def test_pair_shape(label_path: Path) -> None:
    data = _load(label_path)
    labels = data["labels"]
    assert data["language"] in LANGUAGES
    assert isinstance(data["url"], str) and urlsplit(data["url"]).scheme in ("http", "https")
    assert isinstance(data["list_title"], str) and data["list_title"]
    assert labels["kind"] in KINDS
    assert labels["doc_key"] is None or DOC_KEY.match(labels["doc_key"])
    assert set(labels["elements"]) <= ELEMENTS
    assert len(set(labels["elements"])) == len(labels["elements"])
    assert isinstance(labels["relevant"], bool)
    if "mentions" in labels:
        mentions = labels["mentions"]
        assert all(DOC_KEY.match(k) for k in mentions)
        assert len(set(mentions)) == len(mentions), "mentions: each key once, first-named order"
        assert labels["doc_key"] not in mentions, "mentions exclude the page's own key"
    html = label_path.with_suffix(".html").read_text(encoding="utf-8")
    if data.get("form") == "article":
        _check_article(data, labels, html)
    else:
        assert set(labels) >= DETAIL_LABELS
        assert labels.get("reports") is None


def _check_article(data: dict[str, Any], labels: dict[str, Any], html: str) -> None:
    assert set(labels) == NEWS_LABELS
    assert data["source_kind"] in ("news", "commentary")
    assert urlsplit(data["url"]).hostname.endswith(".invalid")
    assert labels["doc_key"] is None
    assert labels["kind"] == "commentary"
    assert labels["reports"] is None or labels["reports"] in labels["mentions"]
    assert labels["relevance"] in ("subject", "passing", "none")
    assert labels["relevant"] is (labels["relevance"] == "subject")
    assert data["notes"]
    page = _Article()
    page.feed(html)
    assert html.startswith("<!DOCTYPE html>")
    assert page.charset
    assert page.lang in LANGUAGES[data["language"]]
    assert page.article == 1
    headline = data["list_title"]
    assert page.meta["og:title"] == headline
    assert page.texts["h1"] == headline
    assert page.texts["title"] == f"{headline} - {page.meta['og:site_name']}"
    assert page.texts["byline"].strip()
    assert page.paragraphs >= 2
    published = datetime.fromisoformat(page.meta["article:published_time"])
    assert published.utcoffset() is not None
