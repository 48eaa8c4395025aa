"""What a notice does in time (pure): the dates it takes effect (with the part each date is
for), and the earlier notices it suspends, repeals, amends or extends (`affects`).

Everything is matched on folded text (folding.fold) and reported as printed: a part
designation such as 第一条第（一）项 keeps its full-width brackets and its script.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain

from monitor.extract.dates import DATE, parse_date
from monitor.extract.docnumbers import dated_key, issuers_in
from monitor.extract.folding import Folded
from monitor.extract.spans import find_all, has_letter, lines_at, matches_at, spans
from monitor.extract.vocab import ACTION_VERBS, ISSUER_RUN, english_issuers
from monitor.models import Affect, AffectAction, Effective

WHOLE_NOTICE = "whole notice"
_NUMS = re.compile(r"\d+")

# ---------------------------------------------------------------------------------------
# Sentences and clauses (offsets into the folded text are kept, to print spans back).

_SENTENCE_END = re.compile(r"[。;\n]|\.(?=\s++[A-Z\u4e00-\u9fff]|\s*+$)")
_CLAUSE_END = re.compile(r"[,:]")
# Real sentences are far shorter; text without stops (a mangled page, a fuzzer) is read in
# pieces this long, so the work per match stays bounded and a whole text linear.
MAX_SENTENCE = 1000


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s_start, s_end in spans(text, _SENTENCE_END, start, end):
        out += [(at, min(at + MAX_SENTENCE, s_end)) for at in range(s_start, s_end, MAX_SENTENCE)]
    return out


def _blank_quotes(text: str) -> str:
    """Cited titles (《…》, (…)) blanked out with spaces, offsets kept."""
    return re.sub(r"《[^《》]*》|\([^()]*\)", lambda m: " " * len(m.group(0)), text)


# ---------------------------------------------------------------------------------------
# Effective dates.

_DESIG = (
    r"(?:第\s*+[一二三四五六七八九十百零\d]+\s*+(?:条|款|项|部分|章|节|目)"
    r"|第?\s*+\(\s*+[一二三四五六七八九十\d]+\s*+\)\s*+(?:项|款|目)?)"
)
_DESIG_RE = re.compile(_DESIG)
_CN_EFFECTIVE = re.compile(
    r"(?:自|从|于)\s*+(?P<when>(?:本(?:公告|决定|通知|办法|规定|条例|令|措施))?\s*+"
    r"(?:公布|发布|印发|颁布|公告|发文)之日|即日|(?P<date>" + DATE + r"))\s*+(?:起|开始)",
    re.IGNORECASE,
)
_START_VERB = re.compile(r"施行|实施|执行|生效|适用|暂停")
# 自公布之日起30日后施行 starts later; 自本公告发布之日起20天内 is a deadline, not a start.
_LATER = re.compile(r"\s*+(?P<days>\d+)\s*+(?:日|天)(?:后|以后)")
_DEADLINE = re.compile(r"\s*+\d+\s*+(?:日|天|个工作日|个月)(?:内|以内)")
_EN_EFFECTIVE = re.compile(
    r"(?:(?:shall|will|is to|are to)\s++)?(?:take|takes)\s++effect"
    r"|(?:come|comes)\s++into\s++(?:force|effect)"
    r"|(?:enter|enters)\s++into\s++force|(?:be|become|becomes|is|are)\s++effective|with\s++effect"
    r"|with\s++immediate\s++effect"
    r"|(?<![A-Za-z])effective",
    re.IGNORECASE,
)
_EN_WHEN = re.compile(
    r"\s*+(?:as\s++of|from|on|starting(?:\s++from)?|beginning)?\s*+(?:the\s++)?"
    r"(?:(?P<now>immediately)|(?P<pub>date\s++of\s++(?:its\s++)?(?:publication|promulgation|issuance|release|announcement)"
    r"|day\s++of\s++(?:its\s++)?(?:publication|promulgation|issuance))|(?P<date>" + DATE + r"))",
    re.IGNORECASE,
)
_LEAD = re.compile(r"\s*+(?:[一二三四五六七八九十]+[、.]|\(\s*+[一二三四五六七八九十\d]+\s*+\)"
                   r"|\d+[.、])?\s*+"
                   r"(?:第[一二三四五六七八九十百零\d]+条\s++(?=本))?"
                   r"(?:其中|但|同时|另外|此外|并且|并|另)?\s*+")  # fmt: skip
_SELF = re.compile(
    r"(?:本(?:公告|决定|通知|办法|规定|条例|令|措施)"
    r"|this\s++(?:announcement|notice|decision|decree|order)|the\s++announcement)\s*+(?:的)?",
    re.IGNORECASE,
)
_GENERIC_SUBJECTS = re.compile(r"^(?:上述|以上|前述|有关)?(?:措施|规定|管制措施|管制|内容|事项)?$")
_CITES_OTHER = re.compile(
    r"公告\s*+\d{4}|\d{4}\s*+年\s*+第?\s*+\d+\s*+号|《|announcement\s++no", re.IGNORECASE
)
# Necessary literals of _CN_EFFECTIVE (起 / 开始) and _EN_EFFECTIVE (effect / force).
_EFFECTIVE_HINTS_HANS = ("起", "开始")
_EFFECTIVE_HINT_LATIN = re.compile("effect|force", re.IGNORECASE)
_EN_PART = re.compile(
    r"(?:item|paragraph|article|clause|part|section|provision|remaining|other|\(\d+\))",
    re.IGNORECASE,
)
# Subjects that are the notices acted on, not this one (下列公告自本公告公布之日起暂停实施).
_OTHER_NOTICES = re.compile(
    r"(?:下列|上述|以下|前述|该|相关)公告|following announcements", re.IGNORECASE
)


@dataclass(frozen=True)
class _Start:
    when: date
    scope: str


def _scope(folded: Folded, start: int, end: int) -> str | None:
    """The part a start date is for, as printed; None when the subject is another notice."""
    subject = folded.text[start:end]
    if _CITES_OTHER.search(subject) or _OTHER_NOTICES.search(subject):
        return None
    lead = _LEAD.match(subject)
    offset = lead.end() if lead else 0
    own = _SELF.match(subject, offset)
    if own:
        offset = own.end()
    rest = subject[offset:].strip()
    if not rest or _GENERIC_SUBJECTS.match(rest):
        return WHOLE_NOTICE
    if rest.isascii():
        if not _EN_PART.search(rest):
            return WHOLE_NOTICE
        rest = re.sub(r"\s++of\s++(?:this|the)\s++announcement$", "", rest, flags=re.IGNORECASE)
    else:
        parts = list(_DESIG_RE.finditer(subject, offset))
        if parts:
            return folded.printed(start + parts[0].start(), start + parts[-1].end()).strip()
        if not re.search(r"其他|其余|其它|剩余", rest):
            return WHOLE_NOTICE
    begin = start + subject.index(rest)
    return folded.printed(begin, begin + len(rest)).strip()


def effective_dates(
    folded: Folded, body: list[tuple[int, int]], published: date | None
) -> tuple[Effective, ...]:
    """Every start date the body names, with its part ("whole notice" when it is the notice)."""
    found: list[Effective] = []
    text = folded.text
    hints = [find_all(text, literal) for literal in _EFFECTIVE_HINTS_HANS]
    if has_letter(text, "f"):
        hints.append(matches_at(_EFFECTIVE_HINT_LATIN, text))
    for line_start, line_end in lines_at(body, chain(*hints)):
        for s_start, s_end in _sentences(text, line_start, line_end):
            for start in _starts(folded, s_start, s_end, published):
                item = Effective(from_=start.when, scope=start.scope)
                if item not in found:
                    found.append(item)
    return tuple(found)


def _starts(folded: Folded, s_start: int, s_end: int, published: date | None) -> list[_Start]:
    text = folded.text
    out: list[_Start] = []
    for match in _CN_EFFECTIVE.finditer(text, s_start, s_end):
        if not _START_VERB.search(text, match.end(), s_end):
            continue
        if _DEADLINE.match(text, match.end(), s_end):
            continue
        when = parse_date(match.group("date")) if match.group("date") else published
        later = _LATER.match(text, match.end(), s_end)
        if when and later:
            when += timedelta(days=int(later.group("days")))
        clause = _clause_start(text, s_start, match.start())
        scope = _scope(folded, clause, match.start())
        if when and scope:
            out.append(_Start(when, scope))
    for match in _EN_EFFECTIVE.finditer(text, s_start, s_end):
        tail = _EN_WHEN.match(text, match.end(), s_end)
        if "immediate" in match.group(0).lower():
            when = published
        elif tail:
            when = parse_date(tail.group("date")) if tail.group("date") else published
        else:
            continue
        clause = _clause_start(text, s_start, match.start(), english=True)
        scope = _scope(folded, clause, match.start())
        if when and scope:
            out.append(_Start(when, scope))
    return out


_EN_CLAUSE = re.compile(r"[:]|,\s*+(?:and|while|whereas|but)\s++", re.IGNORECASE)
_CN_CLAUSE = re.compile(r"[,:]")


def _clause_start(text: str, s_start: int, at: int, *, english: bool = False) -> int:
    boundary = _EN_CLAUSE if english else _CN_CLAUSE
    last = s_start
    for match in boundary.finditer(text, s_start, at):
        last = match.end()
    return last


# ---------------------------------------------------------------------------------------
# Affects: citations of earlier notices and the verb acting on them.

_CN_ANCHOR = re.compile(
    rf"(?P<issuers>{ISSUER_RUN})?\s*+(?P<form>公告|令)?\s*+"
    r"(?:(?P<year>\d{4})\s*+年\s*+|[〔\[(]\s*+(?P<year2>\d{4})\s*+[〕\])]\s*+)第?\s*+(?P<num>\d+)\s*+号"
)
_CN_NEXT = re.compile(
    r"\s*+(?:\([^()]*\)|《[^《》]*》)?\s*+(?:公告)?\s*+(?:[、,和及与]|以及)\s*+"
    rf"(?P<issuers>{ISSUER_RUN})?\s*+(?P<form>公告)?\s*+(?:(?P<year>\d{{4}})\s*+年\s*+)?第?\s*+(?P<num>\d+)\s*+号"
)
_CN_DECREE = re.compile(r"国务院令\s*+第\s*+(?P<num>\d+)\s*+号")
_CN_SCOPE = re.compile(
    rf"\s*+(?:公告)?\s*+[)\]]?\s*+(?:\([^()]*\))?\s*+(?:的)?\s*+(?P<scope>{_DESIG}(?:\s*+[、和及]?\s*+{_DESIG})*)"
)
_EN_CITE = re.compile(
    r"Announcements?\b(?:\s++(?:of|by)\s++the\s++[A-Z][A-Za-z ,]{0,120}?)?\s*+"
    r"(?:(?P<nums>Nos?\.?\s*+\d+(?:\s*+(?:,\s*+and|,|and|&)\s*+(?:No\.?\s*+)?\d+)*)\s*+"
    r"(?:of\s++(?:the\s++year\s++)?|,\s*+|\[\s*+|\(\s*+)(?P<year>\d{4})"
    r"|(?P<year2>\d{4})\]?\s*+(?P<nums2>Nos?\.?\s*+\d+(?:\s*+(?:,\s*+and|,|and|&)\s*+(?:No\.?\s*+)?\d+)*))",
    re.IGNORECASE,
)
_EN_SCOPE_BEFORE = re.compile(
    r"(?P<scope>(?:paragraph|para\.?)\s*+\d+|the\s++(?:first|second|third|fourth|fifth)\s++paragraph"
    r"|article\s++\d+(?:\s*+\(\d+\))?)\s++of\s++(?:the\s++)?(?:MOFCOM\s++|MOFCOM's\s++)?$",
    re.IGNORECASE,
)
_UNTIL = re.compile(
    r"(?:至|到|截至|直至|until|till|through|to)\s*+(?P<d1>"
    + DATE
    + r")|(?P<d2>"
    + DATE
    + r")\s*+(?:止|为止)",
    re.IGNORECASE,
)


# Necessary literals of a citation: every English one starts with "Announcement", every
# Chinese one ends in <digits>号 (国务院令第785号 too; see _numbered_marks).
_CITE_HINT_LATIN = re.compile("announcement", re.IGNORECASE)


def _numbered_marks(text: str) -> Iterator[int]:
    r"""Where 号 follows a number (what `\d\s*+号` finds within a line)."""
    for at in find_all(text, "号"):
        before = at - 1
        while before >= 0 and text[before] != "\n" and text[before].isspace():
            before -= 1
        if before >= 0 and text[before].isdecimal():  # what \d matches
            yield at


@dataclass(frozen=True)
class _Cite:
    key: str
    start: int
    end: int
    scope: str | None


def _chinese_cites(folded: Folded, start: int, end: int) -> list[_Cite]:
    text = folded.text
    out: list[_Cite] = []
    for anchor in _CN_ANCHOR.finditer(text, start, end):
        issuers = issuers_in(anchor.group("issuers"))
        year = anchor.group("year") or anchor.group("year2")
        form = anchor.group("form") or "公告"
        match: re.Match[str] | None = anchor
        while match is not None:
            if match is not anchor:
                issuers = issuers_in(match.group("issuers")) or issuers
                year = match.group("year") or year
            key = dated_key(issuers, form, year, match.group("num"))
            scope = _cn_scope(folded, match.end(), end)
            out.append(_Cite(key, match.start(), match.end(), scope))
            match = _CN_NEXT.match(text, match.end(), end)
    for decree in _CN_DECREE.finditer(text, start, end):
        out.append(_Cite(f"STATECOUNCIL-{int(decree.group('num'))}", decree.start(), decree.end(),
                         _cn_scope(folded, decree.end(), end)))  # fmt: skip
    return out


def _cn_scope(folded: Folded, at: int, end: int) -> str | None:
    match = _CN_SCOPE.match(folded.text, at, end)
    return folded.printed(match.start("scope"), match.end("scope")).strip() if match else None


def _english_cites(folded: Folded, start: int, end: int) -> list[_Cite]:
    text = folded.text
    out: list[_Cite] = []
    for match in _EN_CITE.finditer(text, start, end):
        year = match.group("year") or match.group("year2")
        nums = match.group("nums") or match.group("nums2")
        context = text[max(start, match.start() - 60) : match.end()]
        issuers = tuple(english_issuers(context))
        before = _EN_SCOPE_BEFORE.search(text, max(start, match.start() - 60), match.start())
        scope = folded.printed(before.start("scope"), before.end("scope")) if before else None
        for number in _NUMS.findall(nums):
            key = dated_key(issuers, "公告", year, number)
            out.append(_Cite(key, match.start(), match.end(), scope))
    return out


def _verbs(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """(position, action) of every acting verb, cited titles blanked out."""
    window = _blank_quotes(text[start:end])
    taken: list[tuple[int, int, str]] = []
    for action, pattern in ACTION_VERBS:
        for match in pattern.finditer(window):
            if not any(a < match.end() and match.start() < b for a, b, _ in taken):
                taken.append((match.start(), match.end(), action))
    return sorted((start + a, action) for a, _, action in taken)


def _nearest(items: list[tuple[int, str]], at: int, lo: int, hi: int) -> str | None:
    before = [action for pos, action in items if lo <= pos < at]
    if before:
        return before[-1]
    after = [action for pos, action in items if at <= pos < hi]
    return after[0] if after else None


def _untils(text: str, start: int, end: int) -> list[tuple[int, date]]:
    out: list[tuple[int, date]] = []
    for match in _UNTIL.finditer(text, start, end):
        raw = match.group("d1") or match.group("d2")
        when = parse_date(raw)
        if when:
            out.append((match.start(), when))
    return out


_SUB_ITEM = re.compile(r"\s*+\(\s*+[一二三四五六七八九十\d]+\s*+\)")
# Recitals: what earlier notices did is history, not this notice's act (operative clauses
# only). A completed verb (暂停实施了, 已于…废止, "had been suspended", "No. 70 suspended
# No. 61"), or a citation inside the clause giving the basis (根据…,).
_VERBS_CN = r"(?:暂停实施|暂停|废止|修改|修订|调整|延长|停止执行|停止实施)"
_RECITAL = re.compile(
    rf"{_VERBS_CN}了|(?:已经|已|曾)(?:于[^,。]{{0,24}}?)?{_VERBS_CN}"
    r"|\b(?:had|has|have)\s++been\s++(?:suspend|repeal|amend|extend|revis)ed"
    r"|\b(?:suspend|repeal|amend|extend|revis)ed\s++(?:by|under|through)\s++(?:MOFCOM\s++)?"
    r"(?:Announcement|Decision|Notice)"
    r"|(?<!is )(?<!are )(?<!be )(?<!hereby )\b(?:suspend|repeal|amend|extend)ed\s++"
    r"(?:MOFCOM\s++)?Announcements?\b",
    re.IGNORECASE,
)
_BASIS = re.compile(
    r"\s*+(?:[一二三四五六七八九十]+、)?\s*+"
    r"(?:根据|依据|依照|按照|鉴于|according to|pursuant to|under)",
    re.IGNORECASE,
)


def affects(folded: Folded, body: list[tuple[int, int]], own_key: str | None) -> tuple[Affect, ...]:
    """Earlier notices this one acts on, with the action, end date and paragraph.

    A line ending in a colon with an acting verb ("下列公告…暂停实施，暂停期限至…：") lends
    its verb and end date to the enumerated items that follow it.
    """
    text = folded.text
    hints = [_numbered_marks(text)]
    if has_letter(text, "u"):
        hints.append(matches_at(_CITE_HINT_LATIN, text))
    citing = {start for start, _ in lines_at(body, chain(*hints))}
    known_untils: dict[tuple[int, int], list[tuple[int, date]]] = {}

    def untils(start: int, end: int) -> list[tuple[int, date]]:
        if (start, end) not in known_untils:
            known_untils[(start, end)] = _untils(text, start, end)
        return known_untils[(start, end)]

    found: list[Affect] = []
    lent: tuple[str, date | None] | None = None
    for line_start, line_end in body:
        if lent and not _SUB_ITEM.match(text, line_start, line_end):
            lent = None
        line_cites = 0
        sentences = _sentences(text, line_start, line_end) if line_start in citing else []
        for s_start, s_end in sentences:
            if _RECITAL.search(text, s_start, s_end):
                continue
            cites = _chinese_cites(folded, s_start, s_end) + _english_cites(folded, s_start, s_end)
            cites = [c for c in cites if not _in_basis(text, s_start, s_end, c.start)]
            line_cites += len(cites)
            verbs = _verbs(text, s_start, s_end) if cites else []
            for cite in cites:
                if cite.key == own_key:
                    continue
                c_start, c_end = _clause(text, s_start, s_end, cite.start)
                action = _nearest(verbs, cite.start, c_start, c_end) or _nearest(
                    verbs, cite.start, s_start, s_end
                )
                if action == "keep":
                    continue
                until = None
                if action is None and lent is not None:
                    action, until = lent
                elif action in ("suspend", "extend"):
                    dated = untils(s_start, s_end) or untils(line_start, line_end)
                    if dated:
                        prior = [d for pos, d in dated if pos < cite.start]
                        until = prior[-1] if prior else dated[0][1]
                if action is not None:
                    _merge(found, Affect(cite.key, AffectAction(action), until, cite.scope))
        if not line_cites and text[line_start:line_end].rstrip().endswith(":"):
            verbs = _verbs(text, line_start, line_end)
            if verbs and verbs[-1][1] != "keep":
                action = verbs[-1][1]
                dated = untils(line_start, line_end) if action in ("suspend", "extend") else []
                lent = (action, dated[-1][1] if dated else None)
    return tuple(found)


def _in_basis(text: str, s_start: int, s_end: int, at: int) -> bool:
    """Whether `at` lies in a clause that gives the basis (根据…, "Pursuant to …,")."""
    lo, _ = _clause(text, s_start, s_end, at)
    return _BASIS.match(text, lo) is not None


def _clause(text: str, s_start: int, s_end: int, at: int) -> tuple[int, int]:
    bounds = spans(text, _CLAUSE_END, s_start, s_end)
    for lo, hi in bounds:
        if lo <= at < hi:
            return lo, hi
    return s_start, s_end


def _merge(found: list[Affect], new: Affect) -> None:
    for index, old in enumerate(found):
        if (old.doc_key, old.action, old.scope) == (new.doc_key, new.action, new.scope):
            if old.until is None and new.until is not None:
                found[index] = new
            return
    found.append(new)
