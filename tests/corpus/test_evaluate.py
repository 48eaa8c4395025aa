"""evaluate.py: scoring the gold corpus, and the targets the extractor must hold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from monitor.corpus.evaluate import evaluate_corpus, format_report, main

CORPUS = Path(__file__).resolve().parents[2] / "monitor" / "corpus"


def test_gold_corpus_official_pages_meet_the_targets(tmp_path: Path) -> None:
    for label in CORPUS.glob("*.json"):
        data = json.loads(label.read_text(encoding="utf-8"))
        html = label.with_suffix(".html")
        if isinstance(data, dict) and data.get("form") != "article" and html.is_file():
            (tmp_path / label.name).write_text(label.read_text(encoding="utf-8"), "utf-8")
            (tmp_path / html.name).write_text(html.read_text(encoding="utf-8"), "utf-8")
    report = evaluate_corpus(tmp_path)
    detail = format_report(report)
    assert report.pages >= 40, detail
    assert report.relevance_recall == 1.0, detail
    assert report.relevance_precision >= 0.97, detail
    for score in report.fields:
        assert score.accuracy >= 0.99, detail
    assert report.meets_targets


# Issue 10's news corpus: relevance recall is held at 100 %; the other figures are floors
# at what the extractor reaches today (the targets of FIELD_TARGETS are not yet met for news;
# raise these as it improves, never lower them).
NEWS_FLOORS = {"mentions": 0.991, "reports": 0.982, "elements": 1.0, "control_codes": 1.0}


def test_gold_corpus_with_news_holds_recall_and_the_floors() -> None:
    report = evaluate_corpus(CORPUS)
    detail = format_report(report)
    assert report.pages >= 150, detail
    assert report.relevance_recall == 1.0, detail
    assert [script for script, _ in report.by_script] == ["zh-Hans", "zh-Hant", "en"]
    for field, floor in NEWS_FLOORS.items():
        assert report.accuracy(field) >= floor, detail
    for _, part in report.by_script:
        assert part.relevance_recall == 1.0, detail
        assert part.accuracy("mentions") >= 0.969, detail


# ---------------------------------------------------------------------------------------
# A small corpus written here


def _page(title: str, number: str | None, date: str, paragraphs: list[str]) -> str:
    header = ["【发布单位】安全与管制局"]
    if number:
        header.append(f"【发布文号】{number}")
    header.append(f"【发文日期】{date.replace('-', '年', 1).replace('-', '月')}日")
    body = "".join(f"<p>{p}</p>" for p in header + paragraphs)
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{date} 10:00">'
        f'<title>{title}</title></head><body><div class="art-title"><h1>{title}</h1></div>'
        f'<div class="art-con art-con-bottonmLine" ergodic="article">{body}</div></body></html>'
    )


CONTROL_LABELS: dict[str, Any] = {
    "doc_key": "MOFCOM-2099-5",
    "doc_number": "商务部公告2099年第5号",
    "issuers": ["商务部"],
    "published": "2099-03-01",
    "effective": [{"from": "2099-03-01", "scope": "whole notice"}],
    "control_codes": ["1C905.a", "1C905"],
    "hs_codes": ["2805301200"],
    "elements": ["Tb", "Dy"],  # order does not matter
    "kind": "control",
    "affects": [],
    "relevant": True,
}
SUSPENSION_LABELS: dict[str, Any] = {
    "doc_key": "MOFCOM-2099-9",
    "doc_number": "商务部公告2099年第9号",
    "issuers": ["商务部"],
    "published": "2099-06-01",
    "effective": [{"from": "2099-06-01", "scope": "whole notice"}],
    "control_codes": [],
    "hs_codes": [],
    "elements": [],
    "kind": "suspension",
    "affects": [
        {"doc_key": "MOFCOM-2099-5", "action": "suspend", "until": "2100-01-01", "scope": None}
    ],
    "relevant": True,
}


def _write(folder: Path, stem: str, html: str, labels: dict[str, Any]) -> None:
    (folder / f"{stem}.html").write_text(html, encoding="utf-8")
    data = {"url": f"https://www.mofcom.gov.cn/zwgk/zcfb/art/2099/{stem}.html", "labels": labels}
    (folder / f"{stem}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    _write(
        tmp_path,
        "control",
        _page(
            "商务部公告2099年第5号 关于对相关物项实施出口管制的决定",
            "商务部公告2099年第5号",
            "2099-03-01",
            [
                "1C905 相关物项：1C905.a 金属镝；含铽、镝的钕铁硼永磁材料。参考海关商品编"
                "号：2805301200",
                "本公告自公布之日起正式实施。",
            ],
        ),
        CONTROL_LABELS,
    )
    # The suspension names no rare-earth word: it is relevant only through No. 5's verdict.
    _write(
        tmp_path,
        "suspension",
        _page(
            "商务部公告2099年第9号 关于暂停实施商务部公告2099年第5号的公告",
            "商务部公告2099年第9号",
            "2099-06-01",
            ["自即日起至2100年1月1日，暂停实施商务部公告2099年第5号。", "本公告自公布之日起实施。"],
        ),
        SUSPENSION_LABELS,
    )
    (tmp_path / "controls_expected.json").write_text("{}", encoding="utf-8")  # no page: skipped
    return tmp_path


def test_correct_labels_score_full_marks(corpus: Path) -> None:
    report = evaluate_corpus(corpus)
    assert report.pages == 2
    assert report.mismatches == ()
    assert (report.relevance_precision, report.relevance_recall) == (1.0, 1.0)
    labelled = [score for score in report.fields if score.field in CONTROL_LABELS]
    assert all(score.accuracy == 1.0 and score.total == 2 for score in labelled)
    assert all(score.total == 0 for score in report.fields if score.field not in CONTROL_LABELS)
    assert report.meets_targets


def test_mismatches_are_listed_with_stem_field_expected_and_got(corpus: Path) -> None:
    wrong = {**CONTROL_LABELS, "elements": ["Tb", "Dy", "Nd"], "kind": "adjustment"}
    _write(corpus, "control", (corpus / "control.html").read_text(encoding="utf-8"), wrong)
    report = evaluate_corpus(corpus)
    fields = {(m.stem, m.field) for m in report.mismatches}
    assert fields == {("control", "elements"), ("control", "kind")}
    elements = next(m for m in report.mismatches if m.field == "elements")
    assert elements.expected == ["Tb", "Dy", "Nd"]
    assert elements.got == ["Tb", "Dy"]
    assert report.accuracy("elements") == 0.5
    assert report.accuracy("doc_key") == 1.0
    assert not report.meets_targets
    text = format_report(report)
    assert "control · elements" in text
    assert "NOT met" in text


def test_relevance_precision_and_recall(corpus: Path) -> None:
    _write(corpus, "suspension", (corpus / "suspension.html").read_text(encoding="utf-8"),
           {**SUSPENSION_LABELS, "relevant": False})  # fmt: skip
    report = evaluate_corpus(corpus)
    assert (report.true_positives, report.false_positives, report.false_negatives) == (1, 1, 0)
    assert report.relevance_precision == 0.5
    assert report.relevance_recall == 1.0


def test_unlabelled_fields_are_not_scored(corpus: Path) -> None:
    partial = {"doc_key": "MOFCOM-2099-5", "relevant": True}
    _write(corpus, "control", (corpus / "control.html").read_text(encoding="utf-8"), partial)
    report = evaluate_corpus(corpus)
    assert report.mismatches == ()
    assert next(s for s in report.fields if s.field == "elements").total == 1


def test_a_page_the_parser_rejects_is_a_mismatch(corpus: Path) -> None:
    _write(corpus, "broken", "<html><body><p>no article body</p></body></html>", CONTROL_LABELS)
    report = evaluate_corpus(corpus)
    assert ("broken", "parse") in {(m.stem, m.field) for m in report.mismatches}
    assert report.false_negatives == 1


def test_module_entry_point(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(corpus)]) == 0
    assert "targets" in capsys.readouterr().out
    _write(corpus, "control", (corpus / "control.html").read_text(encoding="utf-8"),
           {**CONTROL_LABELS, "kind": "repeal"})  # fmt: skip
    assert main([str(corpus)]) == 1
    assert main([]) == 2
    assert main([str(corpus / "missing")]) == 2


ARTICLE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="2025-11-08T07:12:00+08:00">
<title>{title} - Wire</title></head>
<body><article><h1>{title}</h1><p class="byline">Wire desk</p>{body}</article></body></html>
"""


def test_news_articles_are_scored_per_script_with_mentions_and_reports(tmp_path: Path) -> None:
    pages = {
        "news-hans": ("zh-CN", "商务部暂停实施第61号公告",
                      "<p>商务部、海关总署发布2025年第70号公告，暂停实施第61号、第62号公告。</p>",
                      ["MOFCOM-2025-61", "MOFCOM-2025-70", "MOFCOM-2025-62"], "MOFCOM-2025-70"),
        "news-en": ("en", "China pauses rare-earth curbs",
                    "<p>MOFCOM Announcement No. 70 of 2025 suspends Nos. 61 and 62.</p>",
                    ["MOFCOM-2025-70", "MOFCOM-2025-61", "MOFCOM-2025-62"], "MOFCOM-2025-70"),
    }  # fmt: skip
    for stem, (lang, title, body, mentions, reports) in pages.items():
        (tmp_path / f"{stem}.html").write_text(
            ARTICLE.format(lang=lang, title=title, body=body), encoding="utf-8"
        )
        labels = {"doc_key": None, "kind": "commentary", "mentions": mentions, "reports": reports}
        data = {"url": f"https://news.example.invalid/{stem}", "form": "article",
                "language": "en" if lang == "en" else "zh-Hans", "labels": labels}  # fmt: skip
        (tmp_path / f"{stem}.json").write_text(json.dumps(data), encoding="utf-8")
    report = evaluate_corpus(tmp_path)
    text = format_report(report)
    assert report.mismatches == (), text
    assert [script for script, _ in report.by_script] == ["zh-Hans", "en"]
    assert all(part.accuracy("mentions") == 1.0 and part.pages == 1 for _, part in report.by_script)
    assert "[zh-Hans] 1 pages" in text and "[en] 1 pages" in text
    assert "mentions ≥ 97%" in text


def test_a_wrong_report_label_fails_its_script_only(tmp_path: Path) -> None:
    (tmp_path / "news-en.html").write_text(
        ARTICLE.format(lang="en", title="MOFCOM Announcement No. 61 of 2025", body="<p>x</p>"),
        encoding="utf-8",
    )
    labels = {"reports": "MOFCOM-2025-62", "mentions": ["MOFCOM-2025-61"]}
    data = {"form": "article", "language": "en", "labels": labels}
    (tmp_path / "news-en.json").write_text(json.dumps(data), encoding="utf-8")
    report = evaluate_corpus(tmp_path)
    assert [m.field for m in report.mismatches] == ["reports"]
    assert not dict(report.by_script)["en"].meets_targets
    assert not report.meets_targets
