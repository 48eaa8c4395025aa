"""Facts from a notice's title and body, in 简体, 繁體 or English (pure).

Title and body are folded once (vocab.fold: NFKC + OpenCC t2s per character), matched on
the folded text, and reported as printed (codes, doc_number, part designations).
Conventions: monitor/corpus/README.md; vocabulary and traps: shared/domain/vocabulary.md.
"""

from __future__ import annotations

import re
from datetime import date

from monitor.acts import DATE, affects, effective_dates, parse_date, spans
from monitor.docnumbers import (
    collapse,
    doc_key_for,
    header_number,
    issuers_of,
    number_in_title,
)
from monitor.models import Affect, NoticeFacts, NoticeKind
from monitor.vocab import (
    BODY_KIND_TRIGGERS,
    BY_ENGLISH,
    BY_HANS,
    BY_SYMBOL,
    COMMENTARY_TITLE,
    CONTEXT_ONLY,
    CONTROL_CODE,
    HOLMIUM_CONTEXT,
    HOLMIUM_HANT,
    HS_CODE,
    HS_MARKER,
    KIND_TRIGGERS,
    PERIODIC_SYMBOLS,
    RARE_EARTH_CODES,
    RARE_EARTH_CONTEXT,
    Folded,
    element_order,
    fold,
)

__all__ = ["doc_key_for", "extract_facts", "fold_title_and_text"]

_LINE = re.compile(r"\n")
_HEADER = re.compile(r"\s*(?:【[^】]{2,8}】|\[\s*Issuing [A-Za-z ]+\])")
_HEADER_DATE = re.compile(
    r"\s*(?:【\s*(?:发文日期|发布日期|成文日期)\s*】|\[\s*Issuing Date\s*\])\s*:?\s*(?P<date>"
    + DATE
    + ")",
    re.IGNORECASE,
)
_ENGLISH_NAME = re.compile(
    r"(?<![A-Za-z])(" + "|".join(BY_ENGLISH) + r")(?![A-Za-z])", re.IGNORECASE
)
# A chemical formula of two or more element symbols (NdFeB, SmCo5, Dy2O3, TbDyFe).
_FORMULA = re.compile(r"(?<![A-Za-z0-9])((?:[A-Z][a-z]?\d*){2,})(?![A-Za-z0-9])")
_SYMBOL = re.compile(r"[A-Z][a-z]?")
_SYMBOL_PAIR = re.compile(r"(?<![A-Za-z0-9])([A-Z][a-z]?)\s*/\s*([A-Z][a-z]?)(?![A-Za-z0-9])")
# NdFeB named only as the carrier of Tb/Dy (含铽/含镝的钕铁硼): the hook is Tb/Dy, not Nd.
_TB_DY = r"(?:terbium|dysprosium|Tb|Dy)"
_NDFEB = r"(?:NdFeB|neodymium[- ]iron[- ]boron)"
_QUALIFIED_NDFEB = re.compile(
    r"含(?:[铽镝](?:[、和或及与/][铽镝])?)的?(?P<nd>钕)铁硼"
    rf"|{_TB_DY}(?:\s*(?:/|and|or)\s*{_TB_DY})?-?\s*containing\s+(?P<en>{_NDFEB})"
    rf"|(?P<en2>{_NDFEB})(?:\s+[a-z]+){{0,3}}\s+containing\s+{_TB_DY}",
    re.IGNORECASE,
)
_MOJIBAKE_NEIGHBOURS = frozenset("檚檛檙檓檒檝溾滄€\ufffd\"'“”‘’")
_CODES_ONLY = re.compile(r"[\d\s、,/]+")
_NOTICE_TITLE = re.compile(
    r"公告|决定|通知|条例|办法|规定|[^新]令|announcement|decree|regulation|decision", re.IGNORECASE
)


def fold_title_and_text(title: str, text: str) -> Folded:
    """Title as line 0, the body after it: one fold for everything extract reads."""
    return fold(f"{' '.join(title.split())}\n{text}")


def extract_facts(
    title: str,
    text: str,
    *,
    published: date | None = None,
    doc_number: str | None = None,
    language: str = "zh-Hans",
) -> NoticeFacts:
    folded = fold_title_and_text(title, text)
    lines = spans(folded.text, _LINE)
    title_line = lines[0] if lines and lines[0][0] == 0 and title else (0, 0)
    body_lines = [s for s in lines if s != title_line]
    header = [s for s in body_lines[:12] if _HEADER.match(folded.text, s[0], s[1])]
    content = [s for s in body_lines if s not in header]

    title_folded = fold(" ".join(title.split()))
    commentary_title = COMMENTARY_TITLE.search(title_folded.text) is not None
    number = collapse(doc_number) if doc_number and doc_number.strip() else None
    if number is None:
        number = header_number(text.split("\n"))
    if number is None and not commentary_title:
        number = number_in_title(title_folded)
    if number is not None and not any(c.isdigit() for c in number):
        number = None  # 【发布文号】无
    key = doc_key_for(number) if number else None

    if published is None:
        published = _header_date(folded, header)
    kind = _kind(title_folded.text, folded, content, has_number=key is not None)
    is_commentary = kind is NoticeKind.COMMENTARY
    traditional = language == "zh-Hant" or _looks_traditional(folded)
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
    found: dict[str, None] = {}
    column: int | None = None  # the HS column of the table being read
    width = 0
    for start, end in lines:
        line = folded.text[start:end]
        cells = line.split(" | ")
        marker = HS_MARKER.search(line)
        if marker and len(cells) > 1:
            index = next(i for i, c in enumerate(cells) if HS_MARKER.search(c))
            if not HS_CODE.search(cells[index]):
                column, width = index, len(cells)
                continue
        if marker:
            column = None
            for code in HS_CODE.findall(line, marker.end()):
                found.setdefault(code, None)
            continue
        if column is None:
            continue
        if len(cells) > 1:
            picked = [cells[column]] if len(cells) == width else cells
            for cell in picked:
                for code in HS_CODE.findall(cell):
                    found.setdefault(code, None)
        elif _CODES_ONLY.fullmatch(line):
            for code in HS_CODE.findall(line):
                found.setdefault(code, None)
        else:
            column = None
    return tuple(found)


# ---------------------------------------------------------------------------------------
# Elements.


def _elements(
    folded: Folded, lines: list[tuple[int, int]], *, traditional: bool
) -> tuple[str, ...]:
    text = folded.text
    found: set[str] = set()
    for start, end in lines:
        line = text[start:end]
        context = bool(RARE_EARTH_CONTEXT.search(line)) or any(
            is_rare_earth_code(m.group(1)) for m in CONTROL_CODE.finditer(line)
        )
        qualified = _qualified_ndfeb(line)
        for offset, char in enumerate(line):
            element = BY_HANS.get(char)
            if element is None:
                continue
            if element.symbol in CONTEXT_ONLY and not context:
                continue
            if element.symbol == "Nd" and offset in qualified:
                continue
            index = start + offset
            if (
                element.symbol == "Ho"
                and folded.printed_char(index) == HOLMIUM_HANT
                and not _genuine_holmium(folded, index, start, end, traditional=traditional)
            ):
                continue
            found.add(element.symbol)
        for match in _ENGLISH_NAME.finditer(line):
            symbol = BY_ENGLISH[match.group(1).lower()].symbol
            if symbol == "Nd" and match.start() in qualified:
                continue
            if symbol not in CONTEXT_ONLY or context:
                found.add(symbol)
        found.update(_formula_symbols(line, qualified, context=context))
    return element_order(found)


def _qualified_ndfeb(line: str) -> set[int]:
    """Offsets of 钕 / NdFeB / neodymium that only carry Tb or Dy (含铽的钕铁硼)."""
    out: set[int] = set()
    for match in _QUALIFIED_NDFEB.finditer(line):
        for group in ("nd", "en", "en2"):
            if match.group(group):
                out.add(match.start(group))
    return out


def _formula_symbols(line: str, qualified: set[int], *, context: bool) -> set[str]:
    out: set[str] = set()
    for match in _FORMULA.finditer(line):
        formula = match.group(1)
        symbols = _SYMBOL.findall(formula)
        if not all(s in PERIODIC_SYMBOLS for s in symbols):
            continue
        if formula.isupper() and not any(c.isdigit() for c in formula):
            continue  # all-caps words (BY, SCAN) are not formulas
        for symbol in symbols:
            if symbol not in BY_SYMBOL:
                continue
            if symbol == "Nd" and match.start() in qualified:
                continue
            if symbol in CONTEXT_ONLY and not context:
                continue
            out.add(symbol)
    for match in _SYMBOL_PAIR.finditer(line):
        pair = (match.group(1), match.group(2))
        if all(s in BY_SYMBOL and len(s) == 2 for s in pair):
            out.update(s for s in pair if s not in CONTEXT_ONLY or context)
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
    changed = cjk = 0
    for index, char in enumerate(folded.text):
        if "\u4e00" <= char <= "\u9fff":
            cjk += 1
            printed = folded.printed_char(index)
            if printed not in (char, HOLMIUM_HANT):
                changed += 1
    return changed >= 3 and changed >= 0.03 * cjk
