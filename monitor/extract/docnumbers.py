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

from monitor.extract.folding import Folded, fold, without_pinyin
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
    rf"(?P<issuers>{ISSUER_RUN})?(?P<form>公告|令)\s*+"
    r"(?:(?P<year>\d{4})\s*+年\s*+(?:度\s*+)?|[〔\[(]\s*+(?P<year2>\d{4})\s*+[〕\])]\s*+)?"
    r"第?\s*+(?P<num>\d+)\s*+号"
)
# English: "MOFCOM Announcement No. 18 of 2025", "Announcement No. 18 [2025] of the Ministry
# of Commerce …", "MOFCOM and GACC Announcement 2025 No. 18", "State Council Decree No. 785".
_EN_NUMBER = re.compile(
    r"(?:Announcement|Notice|Order|Decree)s?\b[^.;\n]{0,160}?"
    r"(?:Nos?\.?\s*+(?P<num>\d+)\s*+(?:of\s++(?:the\s++year\s++)?|,\s*+|\[\s*+|\(\s*+|〔\s*+)(?P<year>\d{4})"
    r"|(?P<year2>\d{4})\]?\s*+No\.?\s*+(?P<num2>\d+))",
    re.IGNORECASE,
)
_EN_DECREE = re.compile(
    r"State Council\s++(?:Decree|Order)\s*+No\.?\s*+(?P<n1>\d+)"
    r"|(?:Decree|Order)\s++No\.?\s*+(?P<n2>\d+)\s++of\s++the\s++State\s++Council"
    r"|(?:Decree|Order)\s++of\s++the\s++State\s++Council\s*+No\.?\s*+(?P<n3>\d+)",
    re.IGNORECASE,
)
_HEADER_NUMBER = re.compile(
    r"\s*+(?:【\s*+(?:发布文号|发文字号|发文文号|文号)\s*+】|(?:发布文号|发文字号|发文文号|文号)\s*+(?=:)"
    r"|\[\s*+Issuing Document Number\s*+\])"
    r"\s*+:?\s*+(?P<value>.+)$",
    re.IGNORECASE,
)


# Issuer names printed just before "Announcement" ("MOFCOM and GAC Announcement No. 18 …").
_EN_ISSUER_PREFIX = re.compile(
    rf"(?:(?:the\s++)?(?:{ENGLISH_ISSUER_ALTERNATION})(?:\s*+(?:,|and|&|/)\s*+|\s++))+$",
    re.IGNORECASE,
)
# An issuer named just after a number, in the same sentence ("No. 61 of 2025 of MOFCOM").
_EN_ISSUER_AFTER = re.compile(rf"[^.\n]{{0,40}}?(?:{ENGLISH_ISSUER_ALTERNATION})", re.IGNORECASE)
_STATE_COUNCIL = ISSUER_BY_ALIAS["国务院"]
_MOFCOM = ISSUER_BY_ALIAS["商务部"]
_MISSING_HAO = re.compile(
    r"(?:公告|令)\s*+(?:\d{4}\s*+年\s*+|[〔\[(]\s*+\d{4}\s*+[〕\])]\s*+)?第?\s*+\d+\s*+$"
)


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
    """`商务部 海关总署公告2025年第18号` → `MOFCOM-2025-18` (any script, full width, English).

    A header value may lack its final 号 (`商务部公告2025年第61`): it is read as if printed."""
    folded = _completed(fold(doc_number).text)
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


def _completed(folded: str) -> str:
    """A number printed without its final 号 (a mirror's 发文文号 line), completed."""
    return folded + "号" if _MISSING_HAO.search(folded[-40:]) else folded


def issuers_of(doc_number: str) -> tuple[str, ...]:
    """Canonical 简体 issuer names a document number names, in printed order."""
    folded = _completed(fold(doc_number).text)
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
            value = re.split(r"【|\[\s*+Issuing", value)[0]
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


# ---------------------------------------------------------------------------------------
# Citations: every number a text names, in every printed form (CONTRACT.md "Added in 0.2").
# A number printed without its issuer or year takes them from the text: issuers named in
# the same sentence before it (MOFCOM first: joint notices are in its series), else after
# it, else the citation before it; the year of the nearest dated citation, else the date
# the text was published.

_CN_SEPARATOR = r"(?:[、,和及与至到~\-–—]|以及)"
# Everything before the number is optional, so a match may only start where a citation can
# (a 汉字, a digit, a bracket), and whitespace is taken possessively: a run of spaces is read
# once, not once per way of splitting it.
_CN_CITE = re.compile(
    r"(?=[\u4e00-\u9fff\d〔\[(])"
    rf"(?P<issuers>{ISSUER_RUN})?(?P<form>公告|令)?\s*+"
    r"(?:(?<!\d)(?P<year>\d{4})\s*+(?:年\s*+(?:度\s*+)?|(?=第))"
    r"|[〔\[(]\s*+(?P<year2>\d{4})\s*+[〕\])]\s*+)?"
    rf"(?P<issuers2>{ISSUER_RUN})?(?P<di>第)?\s*+"
    # Each further number is matched atomically (whitespace belongs to one place only), so
    # backing off to the last 号 takes at most 20 steps.
    rf"(?P<nums>(?<!\d)\d{{1,4}}(?:\s*+号)?"
    rf"(?>\s*+{_CN_SEPARATOR}\s*+第?\s*+\d{{1,4}}(?![\d年])(?:\s*+号)?){{0,20}})"
    r"(?<=号)\s*+(?P<form2>公告|令)?"
)
_CN_RANGE = re.compile(r"(\d{1,4})\s*+号?\s*+(?:至|到|~|-|–|—)\s*+第?\s*+(\d{1,4})")
_EN_LEAD = (
    r"(?:[Aa]nnouncements?|ANNOUNCEMENT|[Nn]otices?|[Nn]otifications?|[Dd]ecisions?"
    r"|[Dd]ecrees?|[Oo]rders?|[Cc]irculars?)"
)
_EN_CITE = re.compile(
    rf"(?:(?P<lead>{_EN_LEAD})\s*+(?:\[\s*+(?P<ly>\d{{4}})\s*+\]|\(\s*+(?P<ly2>\d{{4}})\s*+\)"
    r"|(?P<ly3>\d{4}))?\s*+(?:,\s*+)?)?"
    r"(?P<no>Nos?\.|No(?=\s*+\d)|NOS?\.)\s*+(?P<nums>\d{1,4}(?!\d)"
    r"(?>\s*+(?:,\s*+and|,|and|&|to|through|-|–)\s*+(?:Nos?\.?\s*+)?\d{1,4}(?![\d/])){0,20}+)"
    r"(?:\s*+(?:of\s++(?:the\s++year\s++)?|,\s*+|/\s*+|\[\s*+|\(\s*+)(?P<year>\d{4})(?!\d))?"
)
# "Announcements 61 and 62 of 2025": no "No.", so only with the year after it.
_EN_BARE = re.compile(
    r"(?P<lead>[Aa]nnouncements?|ANNOUNCEMENTS?)\s++(?P<no>)(?P<nums>\d{1,4}(?![\d/])"
    r"(?>\s*+(?:,\s*+and|,|and|&)\s*+\d{1,4}(?![\d/])){0,20}+)\s++of\s++(?P<year>\d{4})(?!\d)"
)
_EN_RANGE = re.compile(r"(\d{1,4})\s*+(?:to|through|-|–)\s*+(?:Nos?\.?\s*+)?(\d{1,4})")
_DECREE_FORMS = re.compile(r"[Dd]ecree|[Oo]rder")
_MOFCOM_WORDS = re.compile(r"announcement|notification|decision", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"[。;!?\n]|\.\s")
_CONTEXT = 80  # characters either side of a number read for its issuers
_MAX_RANGE = 30  # "Nos. 55 to 58"; a longer "range" is two unrelated numbers
_YEARS = range(1949, 2100)
_YEARS_AGO = re.compile(r"去年|上年|前年|last year|the year before last", re.IGNORECASE)
_TWO_YEARS_AGO = frozenset({"前年", "the year before last"})


@dataclass(frozen=True)
class Citation:
    """One number a text names, keyed; `start`/`end` in the folded text."""

    key: str
    start: int
    end: int
    grouped: bool  # printed in a list or range with others ("第61、62号", "Nos. 55 to 58")


@dataclass(frozen=True)
class _Ref:
    start: int
    end: int
    issuers: tuple[Issuer, ...]  # printed with the number
    decree: bool
    year: int | None
    numbers: tuple[int, ...]
    anchored: bool  # a document word (公告, 令, Announcement …) or an issuer is printed with it
    mofcom_word: bool = False  # 公告 / Announcement …: read in MOFCOM's series if nobody is named


def citations(text: str, *, published_year: int | None = None) -> list[Citation]:
    """Every document number `text` names, in printed order (repeats included)."""
    return folded_citations(fold(text).text, published_year=published_year)


def folded_citations(folded: str, *, published_year: int | None = None) -> list[Citation]:
    """`citations` of a text already folded (folding.fold)."""
    folded = without_pinyin(folded)  # offsets are into the text without glosses
    refs = sorted(_chinese_refs(folded) + _english_refs(folded), key=lambda r: r.start)
    refs = _drop_overlaps(refs)
    if not any(r.anchored for r in refs):
        return []
    dated = [r for r in refs if r.year is not None]
    named = _issuers_in_text(folded)
    out: list[Citation] = []
    previous: tuple[Issuer, ...] = ()
    for ref in refs:
        issuers = ref.issuers or _issuers_near(folded, ref) or previous or named
        if not issuers and ref.mofcom_word:
            issuers = (_MOFCOM,)  # 第70号公告 in a text naming nobody: the series it is read in

        if not issuers:
            continue
        previous = issuers
        year = ref.year or _year_for(folded, dated, ref, published_year)
        for number in ref.numbers:
            key = _cited_key(issuers, ref.decree, year, number)
            if key:
                out.append(Citation(key, ref.start, ref.end, len(ref.numbers) > 1))
    return out


def mentions(
    folded: str, *, own_key: str | None = None, published_year: int | None = None
) -> tuple[str, ...]:
    """doc_keys of every number folded text names, in first-named order, its own left out."""
    keys = (c.key for c in folded_citations(folded, published_year=published_year))
    return tuple(k for k in dict.fromkeys(keys) if k != own_key)


def _chinese_refs(text: str) -> list[_Ref]:
    refs: list[_Ref] = []
    for match in _CN_CITE.finditer(text):
        year = match.group("year") or match.group("year2")
        form = match.group("form") or match.group("form2")
        run = (match.group("issuers") or "") + (match.group("issuers2") or "")
        if not (year or match.group("di")):
            continue  # "18号" alone: a house, a line, a typhoon
        numbers = _numbers(match.group("nums"), _CN_RANGE)
        refs.append(
            _Ref(
                start=match.start(),
                end=match.end(),
                issuers=issuers_in(run),
                decree=form == "令",
                year=int(year) if year else None,
                numbers=numbers,
                anchored=bool(form or run),
                mofcom_word=form == "公告",
            )
        )
    return refs


def _english_refs(text: str) -> list[_Ref]:
    refs: list[_Ref] = []
    for match in [*_EN_CITE.finditer(text), *_EN_BARE.finditer(text)]:
        lead = match.group("lead")
        if match.group("no") == "No" and not lead:
            continue  # "No 61" only after "Announcement"
        given = match.groupdict()
        year = given["year"] or given.get("ly") or given.get("ly2") or given.get("ly3")
        numbers = _numbers(match.group("nums"), _EN_RANGE)
        if year is None and len(numbers) > 1 and numbers[-1] in _YEARS:
            year, numbers = str(numbers[-1]), numbers[:-1]  # "Nos. 61, 62, 2025"
        start = match.start()
        prefix = _EN_ISSUER_PREFIX.search(text, max(0, start - 120), start)
        named = english_issuers(text[prefix.start() : start]) if prefix else []
        after = _EN_ISSUER_AFTER.match(text, match.end())
        if not named and after and "." not in after.group():
            named = english_issuers(after.group())
        refs.append(
            _Ref(
                start=prefix.start() if prefix else start,
                end=match.end(),
                issuers=tuple(named),
                decree=bool(lead and _DECREE_FORMS.match(lead)),
                year=int(year) if year and int(year) in _YEARS else None,
                numbers=numbers,
                anchored=bool(lead or named or match.group("no").startswith(("Nos", "NOS"))),
                mofcom_word=bool(lead and _MOFCOM_WORDS.match(lead)),
            )
        )
    return refs


def _numbers(printed: str, ranges: re.Pattern[str]) -> tuple[int, ...]:
    numbers = [int(n) for n in re.findall(r"\d+", printed)]
    for low, high in ranges.findall(printed):
        a, b = int(low), int(high)
        if a < b <= a + _MAX_RANGE:
            at = numbers.index(a)
            numbers[at : at + 2] = range(a, b + 1)
    return tuple(dict.fromkeys(numbers))


def _drop_overlaps(refs: list[_Ref]) -> list[_Ref]:
    """One reading per stretch of text: the first (an English issuer prefix may reach back)."""
    kept: list[_Ref] = []
    for ref in refs:
        if not kept or ref.start >= kept[-1].end:
            kept.append(ref)
    return kept


def _issuers_near(text: str, ref: _Ref) -> tuple[Issuer, ...]:
    """Issuers the sentence names before the number (MOFCOM first), else just after it."""
    begin = max(0, ref.start - _CONTEXT)
    breaks = list(_SENTENCE_BREAK.finditer(text, begin, ref.start))
    before = text[breaks[-1].end() if breaks else begin : ref.start]
    named = issuers_in(before) or tuple(english_issuers(before))
    if not named:
        after = text[ref.end : ref.end + _CONTEXT // 2]
        stop = _SENTENCE_BREAK.search(after)
        after = after[: stop.start()] if stop else after
        named = issuers_in(after) or tuple(english_issuers(after))
    if not named:
        return ()
    mofcom = [i for i in named if i.series == "MOFCOM"]
    return (mofcom[0],) if mofcom else named[-1:]


def _issuers_in_text(text: str) -> tuple[Issuer, ...]:
    """The issuer a text names anywhere: MOFCOM when it is named, else the first named."""
    named = issuers_in(text) or tuple(english_issuers(text))
    if not named:
        return ()
    mofcom = [i for i in named if i.series == "MOFCOM"]
    return (mofcom[0],) if mofcom else named[:1]


def _year_for(text: str, dated: list[_Ref], ref: _Ref, published_year: int | None) -> int | None:
    """A yearless number's year: the one year the text's dated numbers share, else the
    year of publication (texts print older notices' years, not this year's), else the
    nearest dated number's. A sentence that says "last year" (回顾去年，…以第70号公告) moves
    the year of publication back."""
    same = [r.year for r in dated if set(ref.numbers) & set(r.numbers)]
    if same:
        return same[0]  # the number printed with its year elsewhere in the text
    if published_year is not None:
        begin = max(0, ref.start - _CONTEXT)
        breaks = list(_SENTENCE_BREAK.finditer(text, begin, ref.start))
        said = _YEARS_AGO.findall(text, breaks[-1].end() if breaks else begin, ref.start)
        if said:
            return published_year - (2 if said[-1].lower() in _TWO_YEARS_AGO else 1)
    years = {r.year for r in dated}
    if len(years) == 1:
        return years.pop()
    if published_year is not None:
        return published_year
    before = [r.year for r in dated if r.start < ref.start]
    after = [r.year for r in dated if r.start > ref.start]
    return before[-1] if before else (after[0] if after else None)


def _cited_key(issuers: tuple[Issuer, ...], decree: bool, year: int | None, number: int) -> str:
    """The key of one cited number ("" when it needs a year the text never gives)."""
    form = "令" if decree else "公告"
    if year is None:
        return key_for(issuers, form, None, str(number)) or ""
    return dated_key(issuers, form, str(year), str(number))
