"""Facts from a notice's title and body, in 简体, 繁體 or English (pure).

Title and body are folded once (folding.fold: NFKC + OpenCC t2s per character), matched on
the folded text, and reported as printed (codes, doc_number, part designations).
Conventions: monitor/corpus/README.md; vocabulary and traps: shared/domain/vocabulary.md.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date
from functools import cache

from monitor.extract.acts import affects, effective_dates
from monitor.extract.dates import DATE, parse_date
from monitor.extract.docnumbers import (
    collapse,
    doc_key_for,
    header_number,
    issuers_of,
    mentions,
    number_in_title,
)
from monitor.extract.folding import Folded, fold, fold_char, fold_pair, without_pinyin
from monitor.extract.reports import reported_key
from monitor.extract.spans import LineIndex, find_all, has_letter, spans
from monitor.extract.vocab import (
    BODY_KIND_TRIGGERS,
    BY_ENGLISH,
    BY_SYMBOL,
    COMMENTARY_TITLE,
    CONTEXT_ONLY,
    CONTROL_CODE,
    DECOMPOSED_PHONETIC,
    ELEMENTS,
    HOLMIUM_CONTEXT,
    HOLMIUM_HANT,
    HS_CODE,
    HS_MARKER,
    HS_MARKER_HANS,
    HS_MARKER_LATIN_IN_LINE,
    KIND_TRIGGERS,
    PERIODIC_SYMBOLS,
    RARE_EARTH_CODES,
    RARE_EARTH_CONTEXT,
    element_order,
)
from monitor.models import Affect, NoticeFacts, NoticeKind

__all__ = ["doc_key_for", "extract_facts", "fold_title_and_text"]

_LINE = re.compile(r"\n")
_HEADER = re.compile(r"\s*+(?:【[^】]{2,8}】|\[\s*+Issuing [A-Za-z ]+\])")
_HEADER_DATE = re.compile(
    r"\s*+(?:【\s*+(?:发文日期|发布日期|成文日期)\s*+】|\[\s*+Issuing Date\s*+\])"
    r"\s*+:?\s*+(?P<date>" + DATE + ")",
    re.IGNORECASE,
)
_ENGLISH_NAME = re.compile(
    r"(?<![A-Za-z])(" + "|".join(BY_ENGLISH) + r")(?![A-Za-z])", re.IGNORECASE
)
# A chemical formula of two or more element symbols (NdFeB, SmCo5, Dy2O3, TbDyFe).
_FORMULA = re.compile(r"(?<![A-Za-z0-9])((?:[A-Z][a-z]?\d*){2,})(?![A-Za-z0-9])")
_FORMULA_HINT = re.compile(r"[A-Z][a-z]?\d*[A-Z]")  # two symbols in a row: in every formula
_SYMBOL = re.compile(r"[A-Z][a-z]?")
_SYMBOL_PAIR = re.compile(r"(?<![A-Za-z0-9])([A-Z][a-z]?)\s*+/\s*+([A-Z][a-z]?)(?![A-Za-z0-9])")
# NdFeB named only as the carrier of Tb/Dy (含铽/含镝的钕铁硼): the hook is Tb/Dy, not Nd.
_TB_DY = r"(?:terbium|dysprosium|Tb|Dy)"
_NDFEB = r"(?:NdFeB|neodymium[- ]iron[- ]boron)"
_QUALIFIED_NDFEB = re.compile(
    # 含镝、铽的(高矫顽力)钕铁硼: a few words of description may come between.
    r"含(?:[铽镝](?:[、和或及与/][铽镝])?)的?[^钕,、;。\s\d]{0,6}+(?P<nd>钕)铁硼"
    rf"|{_TB_DY}(?:\s*+(?:/|and|or)\s*+{_TB_DY})?-?\s*+containing\s++(?P<en>{_NDFEB})"
    rf"|(?P<en2>{_NDFEB})(?:\s++[a-z]+){{0,6}}"
    rf"\s++(?:containing|with|using|(?:rely|relies|relying)\s++on)\s++{_TB_DY}",
    re.IGNORECASE,
)
_BY_PHONETIC = {phonetic: symbol for symbol, phonetic in DECOMPOSED_PHONETIC.items()}
_DECOMPOSED = re.compile(r"\(金\+?([" + "".join(_BY_PHONETIC) + r"])\)")
_MOJIBAKE_NEIGHBOURS = frozenset("檚檛檙檓檒檝溾滄€\ufffd\"'“”‘’")
_CODES_ONLY = re.compile(r"[\d\s、,/]+")
_NOTICE_TITLE = re.compile(
    r"公告|决定|通知|条例|办法|规定|[^新]令|announcement|decree|regulation|decision", re.IGNORECASE
)


def fold_title_and_text(title: str, text: str) -> Folded:
    """Title as line 0, the body after it: one fold for everything extract reads (the
    body's fold is remembered, so classify and the watches reuse it)."""
    return fold_pair(collapse(title), text)


def extract_facts(
    title: str,
    text: str,
    *,
    published: date | None = None,
    doc_number: str | None = None,
    language: str = "zh-Hans",
    report: bool = False,
) -> NoticeFacts:
    """What a page says; `report`: news or commentary, which has no number of its own."""
    title, text = without_pinyin(title), without_pinyin(text)
    folded = fold_title_and_text(title, text)
    lines = spans(folded.text, _LINE)
    title_line = lines[0] if lines and lines[0][0] == 0 and title else (0, 0)
    body_lines = [s for s in lines if s != title_line]
    header = [s for s in body_lines[:12] if _HEADER.match(folded.text, s[0], s[1])]
    content = [s for s in body_lines if s not in header]

    title_folded = fold(collapse(title))
    commentary_title = COMMENTARY_TITLE.search(title_folded.text) is not None
    number = collapse(doc_number) if doc_number and doc_number.strip() else None
    if number is None and not report:
        number = header_number(text.split("\n", 12))
    if number is None and not commentary_title and not report:
        number = number_in_title(title_folded)
    if number is not None and not any(c.isdigit() for c in number):
        number = None  # 【发布文号】无
    key = doc_key_for(number) if number else None

    if published is None:
        published = _header_date(folded, header)
    year = published.year if published else None
    kind = (
        NoticeKind.COMMENTARY
        if report
        else _kind(title_folded.text, folded, content, has_number=key is not None)
    )
    is_commentary = kind is NoticeKind.COMMENTARY
    # Only a 鈥 needs to know (and reading the script of a whole text is not free).
    traditional = cache(lambda: language == "zh-Hant" or _looks_traditional(folded))
    everything = [title_line, *content] if title else content
    return NoticeFacts(
        doc_number=number,
        doc_key=key,
        issuers=issuers_of(number) if number else (),
        published=published,
        effective=() if is_commentary else effective_dates(folded, content, published),
        control_codes=_control_codes(folded.text),
        hs_codes=_hs_codes(folded, everything),
        elements=_elements(folded, everything, traditional=traditional),
        kind=kind,
        affects=() if is_commentary else _affects(folded, title_line, content, key),
        mentions=mentions(folded.text, own_key=key, published_year=year),
        reports=None if key else reported_key(title, text, published_year=year),
    )


def _affects(
    folded: Folded, title_line: tuple[int, int], content: list[tuple[int, int]], key: str | None
) -> tuple[Affect, ...]:
    """The body says what is acted on; the title only adds measures the body does not name."""
    from_body = affects(folded, content, key)
    named = {a.doc_key for a in from_body}
    from_title = affects(folded, [title_line], key) if title_line != (0, 0) else ()
    return from_body + tuple(a for a in from_title if a.doc_key not in named)


def _header_date(folded: Folded, header: list[tuple[int, int]]) -> date | None:
    for start, end in header:
        match = _HEADER_DATE.match(folded.text, start, end)
        if match:
            return parse_date(match.group("date"))
    return None


# ---------------------------------------------------------------------------------------
# Kind: title first, in the order suspend → adjust → remove → designate → issue → repeal.


def _kind(
    title: str, folded: Folded, content: list[tuple[int, int]], *, has_number: bool
) -> NoticeKind:
    if COMMENTARY_TITLE.search(title):
        return NoticeKind.COMMENTARY
    if not has_number and not _NOTICE_TITLE.search(title):
        return NoticeKind.COMMENTARY  # news: no number of its own, not a notice title
    for name, pattern in KIND_TRIGGERS:
        if pattern.search(title):
            return NoticeKind(name)
    body = "\n".join(folded.text[s:e] for s, e in content)
    for name, pattern in BODY_KIND_TRIGGERS:
        if pattern.search(body):
            return NoticeKind(name)
    return NoticeKind.OTHER


# ---------------------------------------------------------------------------------------
# Codes.


def _control_codes(text: str) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for match in CONTROL_CODE.finditer(text):
        found.setdefault(match.group(1) + match.group(2), None)
    return tuple(found)


def is_rare_earth_code(code: str) -> bool:
    return code[:5] in RARE_EARTH_CODES


def _hs_codes(folded: Folded, lines: list[tuple[int, int]]) -> tuple[str, ...]:
    """Codes after 参考海关商品编号 / 参考税则号列 on a line, or in that column of a table."""
    text = folded.text
    markers = _first_markers(text, lines)
    found: dict[str, None] = {}
    column: int | None = None  # the HS column of the table being read
    width = 0
    for number, (start, end) in enumerate(lines):
        marker_end = markers.get(number)
        if marker_end is None:
            if column is not None:
                codes = _column_codes(text[start:end], column, width)
                if codes is None:
                    column = None  # the table has ended
                found.update(dict.fromkeys(codes or ()))
            continue
        line = text[start:end]
        cells = line.split(" | ")
        if len(cells) > 1:
            index = next(i for i, c in enumerate(cells) if HS_MARKER.search(c))
            if not HS_CODE.search(cells[index]):
                column, width = index, len(cells)  # a header row: the codes are below it
                continue
        column = None
        for code in HS_CODE.findall(line, marker_end - start):
            found.setdefault(code, None)
    return tuple(found)


def _column_codes(line: str, column: int, width: int) -> list[str] | None:
    """The codes of a table line under the HS column; None once the table has ended."""
    cells = line.split(" | ")
    if len(cells) > 1:
        picked = [cells[column]] if len(cells) == width else cells
    elif _CODES_ONLY.fullmatch(line):
        picked = [line]  # a cell's codes wrapped onto a line of their own
    else:
        return None
    return [code for cell in picked for code in HS_CODE.findall(cell)]


def _first_markers(text: str, lines: list[tuple[int, int]]) -> dict[int, int]:
    """Line number → end of its first HS_MARKER match, read in whole-text passes."""
    index = LineIndex(lines)
    first: dict[int, tuple[int, int]] = {}
    passes = [HS_MARKER_HANS]
    if any(has_letter(text, c) for c in "huf"):  # HS / customs / tariff
        passes.append(HS_MARKER_LATIN_IN_LINE)
    for pattern in passes:
        for match in pattern.finditer(text):
            number = index.find(match.start())
            if number is not None and (number not in first or match.start() < first[number][0]):
                first[number] = match.span()
    return {number: end for number, (_, end) in first.items()}


# ---------------------------------------------------------------------------------------
# Elements. Mentions are found in whole-text passes; the per-line facts that decide one
# (context, NdFeB qualifiers) are read only for lines that have a mention.


class _Lines:
    """The lines elements are read from, and their per-line facts, read when asked for."""

    def __init__(self, text: str, lines: list[tuple[int, int]]) -> None:
        self.text = text
        self.lines = lines
        self.index = LineIndex(lines)
        self._context: dict[int, bool] = {}
        self._qualified: dict[int, set[int]] = {}

    def line(self, number: int) -> str:
        start, end = self.lines[number]
        return self.text[start:end]

    def context(self, number: int) -> bool:
        if number not in self._context:
            line = self.line(number)
            self._context[number] = bool(RARE_EARTH_CONTEXT.search(line)) or any(
                is_rare_earth_code(m.group(1)) for m in CONTROL_CODE.finditer(line)
            )
        return self._context[number]

    def qualified(self, number: int) -> set[int]:
        if number not in self._qualified:
            self._qualified[number] = _qualified_ndfeb(self.line(number))
        return self._qualified[number]


def _elements(
    folded: Folded, lines: list[tuple[int, int]], *, traditional: Callable[[], bool]
) -> tuple[str, ...]:
    text = folded.text
    facts = _Lines(text, lines)
    found = _hans_elements(folded, facts, traditional)
    if "(金" in text:
        found |= _decomposed_elements(folded, facts, traditional)
    if has_letter(text, "u") and has_letter(text, "m"):  # every English name ends in -um
        found |= _english_elements(facts)
    if _FORMULA_HINT.search(text):
        found |= _formula_elements(facts)
    if "/" in text:
        found |= _pair_elements(facts)
    return element_order(found)


def _hans_elements(folded: Folded, facts: _Lines, traditional: Callable[[], bool]) -> set[str]:
    """Each element's character, up to its first mention that counts."""
    text = folded.text
    found: set[str] = set()
    for element in ELEMENTS:
        for index in find_all(text, element.hans):
            if _counts(folded, facts, element.symbol, index, traditional):
                found.add(element.symbol)
                break
    return found


def _decomposed_elements(
    folded: Folded, facts: _Lines, traditional: Callable[[], bool]
) -> set[str]:
    """Elements printed as their parts, (金鲁) for 镥."""
    found: set[str] = set()
    for match in _DECOMPOSED.finditer(folded.text):
        symbol = _BY_PHONETIC[match.group(1)]
        if _counts(folded, facts, symbol, match.start(), traditional):
            found.add(symbol)
    return found


def _counts(
    folded: Folded, facts: _Lines, symbol: str, index: int, traditional: Callable[[], bool]
) -> bool:
    number = facts.index.find(index)
    if number is None:
        return False  # not a line read for elements (a header line)
    start, end = facts.lines[number]
    if symbol in CONTEXT_ONLY and not facts.context(number):
        return False
    if symbol == "Nd" and index - start in facts.qualified(number):
        return False
    return not (
        symbol == "Ho"
        and folded.printed_char(index) == HOLMIUM_HANT
        and not _genuine_holmium(folded, index, start, end, traditional=traditional())
    )


def _english_elements(facts: _Lines) -> set[str]:
    found: set[str] = set()
    for match in _ENGLISH_NAME.finditer(facts.text):
        number = facts.index.find(match.start())
        if number is None:
            continue
        offset = match.start() - facts.lines[number][0]
        symbol = BY_ENGLISH[match.group(1).lower()].symbol
        if symbol == "Nd" and offset in facts.qualified(number):
            continue
        if symbol not in CONTEXT_ONLY or facts.context(number):
            found.add(symbol)
    return found


def _formula_elements(facts: _Lines) -> set[str]:
    found: set[str] = set()
    for match in _FORMULA.finditer(facts.text):
        number = facts.index.find(match.start())
        if number is None:
            continue
        formula = match.group(1)
        symbols = _SYMBOL.findall(formula)
        if not all(s in PERIODIC_SYMBOLS for s in symbols):
            continue
        if formula.isupper() and not any(c.isdigit() for c in formula):
            continue  # all-caps words (BY, SCAN) are not formulas
        offset = match.start() - facts.lines[number][0]
        for symbol in symbols:
            if symbol not in BY_SYMBOL:
                continue
            if symbol == "Nd" and offset in facts.qualified(number):
                continue
            if symbol in CONTEXT_ONLY and not facts.context(number):
                continue
            found.add(symbol)
    return found


def _pair_elements(facts: _Lines) -> set[str]:
    """Tb/Dy: symbol pairs around a slash (which may have spaces, so read line by line)."""
    found: set[str] = set()
    at = facts.text.find("/")
    while at != -1:
        number = facts.index.find(at)
        if number is None:
            at = facts.text.find("/", at + 1)
            continue
        for match in _SYMBOL_PAIR.finditer(facts.line(number)):
            pair = (match.group(1), match.group(2))
            if all(s in BY_SYMBOL and len(s) == 2 for s in pair):
                found.update(s for s in pair if s not in CONTEXT_ONLY or facts.context(number))
        at = facts.text.find("/", facts.lines[number][1])
    return found


def _qualified_ndfeb(line: str) -> set[int]:
    """Offsets of 钕 / NdFeB / neodymium that only carry Tb or Dy (含铽的钕铁硼)."""
    out: set[int] = set()
    for match in _QUALIFIED_NDFEB.finditer(line):
        for group in ("nd", "en", "en2"):
            if match.group(group):
                out.add(match.start(group))
    return out


def _genuine_holmium(
    folded: Folded, index: int, start: int, end: int, *, traditional: bool
) -> bool:
    """鈥 is holmium only on real 繁體 text, in chemical context, away from quote debris."""
    if not traditional:
        return False
    for neighbour in (index - 1, index + 1):
        if start <= neighbour < end:
            char = folded.printed_char(neighbour)
            latin = char.isascii() and (char.isalnum() or char in "\"'")
            if latin or char in _MOJIBAKE_NEIGHBOURS or char == HOLMIUM_HANT:
                return False
            if _gbk_quote_tail(char):
                return False
    window = folded.text[max(start, index - 12) : min(end, index + 13)]
    return HOLMIUM_CONTEXT.search(window) is not None


def _gbk_quote_tail(char: str) -> bool:
    """Whether `char` is the second half of a curly quote / dash read as GBK (鈥檚, 鈥溾)."""
    try:
        encoded = char.encode("gbk")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and encoded[0] in (0x93, 0x94, 0x98, 0x99, 0x9C, 0x9D, 0xA6)


def _looks_traditional(folded: Folded) -> bool:
    """Enough characters change under t2s (鈥 itself not counted) to call the text 繁體."""
    # Counted per distinct printed character: each folds to the same characters everywhere.
    changed = cjk = 0
    for printed, count in Counter(folded.original).items():
        for char in fold_char(printed):
            if "\u4e00" <= char <= "\u9fff":
                cjk += count
                if printed not in (char, HOLMIUM_HANT):
                    changed += count
    return changed >= 3 and changed >= 0.03 * cjk
