"""acts.py: start dates and the notices acted on, at the edges of what a notice prints."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.extract.facts import extract_facts
from monitor.models import Affect, AffectAction, Effective

PUB = date(2025, 10, 9)
OWN = "商务部公告2025年第99号"


def test_a_subject_that_is_not_a_part_starts_the_whole_notice() -> None:
    got = extract_facts("t", "本公告所列物项自2025年12月1日起实施。", doc_number=OWN)
    assert got.effective == (Effective(date(2025, 12, 1), "whole notice"),)


def test_english_effect_without_a_date_names_no_start() -> None:
    text = "This announcement shall take effect upon approval by the State Council."
    got = extract_facts("t", text, published=PUB, doc_number="MOFCOM Announcement No. 99 of 2025")
    assert got.effective == ()


def test_english_start_of_another_notice_is_not_ours() -> None:
    text = "MOFCOM Announcement No. 61 of 2025 took effect on 9 October 2025."
    got = extract_facts("t", text, published=PUB, doc_number="MOFCOM Announcement No. 99 of 2025")
    assert got.effective == ()


def test_english_immediate_effect_is_the_publication_date() -> None:
    text = "This announcement shall take effect immediately."
    got = extract_facts("t", text, published=PUB, doc_number="MOFCOM Announcement No. 99 of 2025")
    assert got.effective == (Effective(PUB, "whole notice"),)
    unpublished = extract_facts("t", text, doc_number="MOFCOM Announcement No. 99 of 2025")
    assert unpublished.effective == ()  # no date to give it


def test_a_citation_with_a_space_before_hao() -> None:
    # Text copied out of PDFs often breaks 第61号 as 第61 号.
    got = extract_facts("t", "一、暂停实施商务部公告2025年第61 号。", doc_number=OWN)
    assert got.affects == (Affect("MOFCOM-2025-61", AffectAction.SUSPEND),)


def test_an_impossible_end_date_is_no_end_date() -> None:
    text = "一、暂停实施商务部公告2025年第61号，暂停期限至2026年2月30日。"
    got = extract_facts("t", text, doc_number=OWN)
    assert got.affects == (Affect("MOFCOM-2025-61", AffectAction.SUSPEND),)


def test_an_end_date_given_later_completes_the_same_affect() -> None:
    text = (
        "一、暂停实施商务部公告2025年第61号。\n二、商务部公告2025年第61号暂停实施至2026年11月10日。"
    )
    got = extract_facts("t", text, doc_number=OWN)
    assert got.affects == (
        Affect("MOFCOM-2025-61", AffectAction.SUSPEND, until=date(2026, 11, 10)),
    )


def test_text_without_sentence_stops_is_read_in_linear_time() -> None:
    # 20 KB of effective clauses with no 。 or line break took ~3 s (each match re-read the
    # "sentence" from its start); 100 KB took 11 s. Sentences are now read in bounded pieces.
    import time

    from monitor.extract.facts import extract_facts

    unit = "Announcements鈰take effectOctober 9, 2025自2025年4月4日起施行暂停实施商务部公告2025年第61号"
    text = unit * (100_000 // len(unit))
    started = time.process_time()
    facts = extract_facts("商务部公告2025年第9号", text)
    assert time.process_time() - started < 2.0
    assert facts.effective


# Operative clauses only: a passage reciting what an earlier notice did is history. One case
# per pattern of recital seen in real notices and reports, each beside its operative twin.
RECITALS = {
    "completed verb 了": "商务部 海关总署公告2025年第70号暂停实施了商务部公告2025年第61号，"
    "暂停期限至2026年11月10日。",
    "已于 … 暂停": "商务部公告2025年第61号已于2025年11月10日暂停实施。",
    "已经 … 废止": "商务部 海关总署公告2023年第23号已经废止。",
    "曾 … 调整": "商务部公告2024年第51号曾调整两用物项出口管制清单。",
    "basis clause 根据": "根据商务部公告2025年第70号暂停实施商务部公告2025年第61号的安排，"
    "现将有关事项公告如下：",
    "English past tense acting on an announcement": "MOFCOM Announcement No. 70 of 2025 "
    "suspended MOFCOM Announcement No. 61 of 2025 until November 10, 2026.",
    "English pluperfect": "Announcement No. 61 of 2025, which had been suspended by MOFCOM "
    "Announcement No. 70 of 2025, is described in the annex.",
    "English basis clause": "Pursuant to MOFCOM Announcement No. 70 of 2025, the following "
    "arrangements are announced.",
}
OPERATIVE = {
    "决定 … 暂停实施": "决定暂停实施商务部公告2025年第61号，暂停至2026年11月10日。",
    "basis clause, then the act": "根据《中华人民共和国出口管制法》，决定暂停实施商务部公告2025年第61号。",
    "English present": "MOFCOM Announcement No. 61 of 2025 is hereby suspended until "
    "November 10, 2026.",
}


def _affects_of(sentence: str) -> list[str]:
    from monitor.extract.facts import extract_facts

    facts = extract_facts(
        "商务部公告2026年第5号 关于有关事项的公告",
        sentence + "\n本公告自公布之日起实施。",
        doc_number="商务部公告2026年第5号",
    )
    return [a.doc_key for a in facts.affects]


@pytest.mark.parametrize("sentence", RECITALS.values(), ids=list(RECITALS))
def test_a_recital_is_not_an_act(sentence: str) -> None:
    assert _affects_of(sentence) == []


@pytest.mark.parametrize("sentence", OPERATIVE.values(), ids=list(OPERATIVE))
def test_an_operative_clause_is_an_act(sentence: str) -> None:
    assert _affects_of(sentence) == ["MOFCOM-2025-61"]
