"""Document numbers → doc_keys and issuers, and the numbers a text cites (pure).

The one home of what a document number looks like and how it is keyed: a notice's own
number, the numbers a news text mentions (`mentioned_doc_keys`) and the keys of the
notices `acts` finds cited (`dated_key`) all come from here, so they always agree.
Keys (CONTRACT.md): joint notices led by 商务部 are in MOFCOM's series, 海关总署公告 alone is
GACC's, 不可靠实体清单工作机制公告 is UEL's, 国务院令第N号 is STATECOUNCIL-N. Everything is
matched on folded text (folding.fold: NFKC + t2s), so 繁體, full-width and 號 forms meet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.extract.folding import Folded, fold
from monitor.extract.vocab import (
    ENGLISH_ISSUER_ALTERNATION,
    ISSUER_ALTERNATION,
    ISSUER_BY_ALIAS,
    ISSUER_RUN,
    Issuer,
    english_issuers,
)

_ISSUER_TOKEN = re.compile(ISSUER_ALTERNATION)
# 商务部 海关总署公告2025年第18号, 商务部公告〔2025〕18号, 商务部令2024年第1号, 国务院令第785号.
_CN_NUMBER = re.compile(
    rf"(?P<issuers>{ISSUER_RUN})?(?P<form>公告|令)\s*"
    r"(?:(?P<year>\d{4})\s*年\s*(?:度\s*)?|[〔\[(]\s*(?P<year2>\d{4})\s*[〕\])]\s*)?"
    r"第?\s*(?P<num>\d+)\s*号"
)
# English: "MOFCOM Announcement No. 18 of 2025", "Announcement No. 18 [2025] of the Ministry
# of Commerce …", "MOFCOM and GACC Announcement 2025 No. 18", "State Council Decree No. 785".
_EN_NUMBER = re.compile(
    r"(?:Announcement|Notice|Order|Decree)s?\b[^.;\n]{0,160}?"
    r"(?:Nos?\.?\s*(?P<num>\d+)\s*(?:of\s+(?:the\s+year\s+)?|,\s*|\[\s*|\(\s*|〔\s*)(?P<year>\d{4})"
    r"|(?P<year2>\d{4})\]?\s*No\.?\s*(?P<num2>\d+))",
    re.IGNORECASE,
)
_EN_DECREE = re.compile(
    r"State Council\s+(?:Decree|Order)\s*No\.?\s*(?P<n1>\d+)"
    r"|(?:Decree|Order)\s+No\.?\s*(?P<n2>\d+)\s+of\s+the\s+State\s+Council"
    r"|(?:Decree|Order)\s+of\s+the\s+State\s+Council\s*No\.?\s*(?P<n3>\d+)",
    re.IGNORECASE,
)
_HEADER_NUMBER = re.compile(
    r"\s*(?:【\s*(?:发布文号|发文字号|文号)\s*】|\[\s*Issuing Document Number\s*\])"
    r"\s*:?\s*(?P<value>.+)$",
    re.IGNORECASE,
)


# Issuer names printed just before "Announcement" ("MOFCOM and GAC Announcement No. 18 …").
_EN_ISSUER_PREFIX = re.compile(
    rf"(?:(?:the\s+)?(?:{ENGLISH_ISSUER_ALTERNATION})(?:\s*(?:,|and|&)\s*|\s+))+$", re.IGNORECASE
)
# An issuer named just after a number, in the same sentence ("No. 61 of 2025 of MOFCOM").
_EN_ISSUER_AFTER = re.compile(rf"[^.\n]{{0,40}}?(?:{ENGLISH_ISSUER_ALTERNATION})", re.IGNORECASE)
_STATE_COUNCIL = ISSUER_BY_ALIAS["国务院"]


@dataclass(frozen=True)
class DocNumber:
    key: str
    issuers: tuple[Issuer, ...]
    start: int  # span in the folded text it was found in
    end: int


def issuers_in(run: str | None) -> tuple[Issuer, ...]:
    found: list[Issuer] = []
    for token in _ISSUER_TOKEN.findall(run or ""):
        issuer = ISSUER_BY_ALIAS[token]
        if issuer not in found:
            found.append(issuer)
    return tuple(found)


def key_for(issuers: tuple[Issuer, ...], form: str, year: str | None, number: str) -> str | None:
    """A number's doc_key; None when it needs the year it was printed without."""
    if year is not None:
        return dated_key(issuers, form, year, number)
    if form == "令" and _STATE_COUNCIL in issuers:
        return f"STATECOUNCIL-{int(number)}"
    return None


def dated_key(issuers: tuple[Issuer, ...], form: str, year: str, number: str) -> str:
    """The doc_key of a number printed with its year (the series rules above)."""
    names = [i.name for i in issuers]
    n = int(number)
    if form == "令":
        if "国务院" in names:
            return f"STATECOUNCIL-{n}"
        lead = issuers[0].series if issuers else "MOFCOM"
        return f"{lead}-ORDER-{year}-{n}"
    if "不可靠实体清单工作机制" in names:
        series = "UEL"
    elif "商务部" in names or not issuers:
        series = "MOFCOM"
    else:
        series = issuers[0].series
    return f"{series}-{year}-{n}"


def chinese_numbers(text: str) -> list[DocNumber]:
    """Every Chinese document number in folded `text`."""
    found: list[DocNumber] = []
    for match in _CN_NUMBER.finditer(text):
        issuers = issuers_in(match.group("issuers"))
        year = match.group("year") or match.group("year2")
        key = key_for(issuers, match.group("form"), year, match.group("num"))
        if key:
            start = match.start("issuers") if match.group("issuers") else match.start("form")
            found.append(DocNumber(key, issuers, start, match.end()))
    return found


def english_numbers(text: str) -> list[DocNumber]:
    found: list[DocNumber] = []
    for match in _EN_DECREE.finditer(text):
        number = match.group("n1") or match.group("n2") or match.group("n3")
        found.append(
            DocNumber(f"STATECOUNCIL-{int(number)}", (_STATE_COUNCIL,), match.start(), match.end())
        )
    for match in _EN_NUMBER.finditer(text):
        year = match.group("year") or match.group("year2")
        number = match.group("num") or match.group("num2")
        start = match.start()
        prefix = _EN_ISSUER_PREFIX.search(text, max(0, start - 160), start)
        if prefix:
            start = prefix.start()
        issuers = tuple(english_issuers(text[start : match.end()]))
        if not issuers:
            issuers = tuple(english_issuers(text[max(0, start - 120) : start]))
        if not any(d.start <= match.start() < d.end for d in found):
            key = dated_key(issuers, "公告", year, number)
            found.append(DocNumber(key, issuers, start, match.end()))
    return sorted(found, key=lambda d: d.start)


def doc_key_for(doc_number: str) -> str | None:
    """`商务部 海关总署公告2025年第18号` → `MOFCOM-2025-18` (any script, full width, English)."""
    folded = fold(doc_number).text
    numbers = chinese_numbers(folded) or english_numbers(folded)
    return numbers[0].key if numbers else None


def mentioned_doc_keys(text: str) -> tuple[str, ...]:
    """doc_keys of the numbers a text cites with their issuer, Chinese ones first, each once.

    A number printed without its issuer (公告2025年第18号, "Notice No. 12, 2025") may be any
    body's when a news text cites it, so it does not count; in English the issuer may also
    follow it ("Announcement No. 61 of 2025 of the Ministry of Commerce").
    """
    folded = fold(text).text
    keys = [n.key for n in chinese_numbers(folded) if n.issuers]
    keys += [n.key for n in english_numbers(folded) if n.issuers or _mofcom_after(folded, n)]
    return tuple(dict.fromkeys(keys))


def _mofcom_after(text: str, number: DocNumber) -> bool:
    """Whether MOFCOM is the issuer named right after `number` (which, printed without an
    issuer, dated_key has read in MOFCOM's series)."""
    match = _EN_ISSUER_AFTER.match(text, number.end)
    named = english_issuers(match.group()) if match else []
    return bool(named) and named[0].series == "MOFCOM"


def issuers_of(doc_number: str) -> tuple[str, ...]:
    """Canonical 简体 issuer names a document number names, in printed order."""
    folded = fold(doc_number).text
    numbers = chinese_numbers(folded)
    if numbers:
        return tuple(i.name for i in numbers[0].issuers)
    return tuple(i.name for i in english_issuers(folded))


def collapse(text: str) -> str:
    return " ".join(text.split())


def header_number(lines: list[str]) -> str | None:
    """The 【发布文号】 / [Issuing Document Number] value among the opening lines, as printed."""
    for line in lines[:12]:
        folded = fold(line)
        match = _HEADER_NUMBER.match(folded.text)
        if match:
            value = folded.printed(match.start("value"), match.end("value"))
            value = re.split(r"【|\[\s*Issuing", value)[0]
            return collapse(value) or None
    return None


def number_in_title(title: Folded) -> str | None:
    """The title's own document number, as printed, or None.

    A notice title opens with its number (商务部公告2025年第62号 公布…) or carries it in
    brackets (稀土管理条例（国务院令第785号）); a number anywhere else is one the page
    talks about (中方暂停实施商务部公告2025年第61号), not its own.
    """
    numbers = chinese_numbers(title.text) or english_numbers(title.text)
    if not numbers:
        return None
    first = numbers[0]
    before = title.text[: first.start].strip()
    if before and not before.endswith(("(", "〔", "[")):
        return None
    return collapse(title.printed(first.start, first.end)).strip(" ,:;-") or None
