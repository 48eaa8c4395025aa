"""The parties a designation notice names, in 简体, 繁體 or English (pure).

Control List (管控名单), Watch List (关注名单), Unreliable Entity List (不可靠实体清单) and
countermeasure (反制措施) notices print their parties as numbered lines, `1.中文名（English
Name）`, each optionally followed by `地址：…`, `常用名称：…` or `国别：…` lines; English pages
print `1. English Name` under a header line ending in a colon. Which list and what the notice
does to the parties (add, remove, suspend) is read from the title, then from each line before
a block of parties (the last keyword on a line wins: `…曾列入…现决定移出` removes).

Text is folded once (folding.fold: NFKC + t2s), matched folded, and reported as printed.
Every regex is anchored to one line of bounded length, with bounded quantifiers and no
nested quantifier over overlapping alternatives: linear time on any input.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate

from monitor.extract.dates import DATE, parse_date
from monitor.extract.folding import Folded, fold
from monitor.models import EntityAction, EntityList, EntityRow

__all__ = ["COUNTRIES", "country_in", "extract_entities"]

MAX_TEXT = 1_000_000  # characters read from a body: far above any real notice
MAX_LINE = 2_000  # longer lines are prose, never a party, an address or a header

# Country names as printed (简体; 繁體 folds to these) and in English → ISO 3166-1 alpha-2.
COUNTRIES: dict[str, str] = {
    "美国": "US", "美利坚合众国": "US", "日本": "JP", "德国": "DE", "法国": "FR",
    "英国": "GB", "意大利": "IT", "荷兰": "NL", "比利时": "BE", "波兰": "PL", "捷克": "CZ",
    "瑞典": "SE", "西班牙": "ES", "奥地利": "AT", "爱沙尼亚": "EE", "希腊": "GR",
    "芬兰": "FI", "丹麦": "DK", "挪威": "NO", "瑞士": "CH", "爱尔兰": "IE", "葡萄牙": "PT",
    "匈牙利": "HU", "罗马尼亚": "RO", "立陶宛": "LT", "拉脱维亚": "LV", "斯洛伐克": "SK",
    "斯洛文尼亚": "SI", "克罗地亚": "HR", "保加利亚": "BG", "卢森堡": "LU", "加拿大": "CA",
    "澳大利亚": "AU", "新西兰": "NZ", "韩国": "KR", "印度": "IN", "以色列": "IL",
    "新加坡": "SG", "土耳其": "TR", "乌克兰": "UA", "俄罗斯": "RU", "中国": "CN",
    "United States of America": "US", "United States": "US", "USA": "US", "U.S.A.": "US",
    "U.S.": "US", "Japan": "JP", "Germany": "DE", "France": "FR", "United Kingdom": "GB",
    "UK": "GB", "Italy": "IT", "Netherlands": "NL", "Belgium": "BE", "Poland": "PL",
    "Czechia": "CZ", "Czech Republic": "CZ", "Sweden": "SE", "Spain": "ES", "Austria": "AT",
    "Estonia": "EE", "Greece": "GR", "Finland": "FI", "Denmark": "DK", "Norway": "NO",
    "Switzerland": "CH", "Ireland": "IE", "Portugal": "PT", "Hungary": "HU", "Romania": "RO",
    "Lithuania": "LT", "Latvia": "LV", "Slovakia": "SK", "Slovenia": "SI", "Croatia": "HR",
    "Bulgaria": "BG", "Luxembourg": "LU", "Canada": "CA", "Australia": "AU",
    "New Zealand": "NZ", "Republic of Korea": "KR", "South Korea": "KR", "India": "IN",
    "Israel": "IL", "Singapore": "SG", "Türkiye": "TR", "Turkey": "TR", "Ukraine": "UA",
    "Russia": "RU", "China": "CN",
}  # fmt: skip
# English adjectives in headers ("14 US entities", "20 Japanese entities").
_DEMONYMS: dict[str, str] = {
    "US": "US", "U.S.": "US", "American": "US", "Japanese": "JP", "German": "DE", "French": "FR",
    "British": "GB", "Italian": "IT", "Dutch": "NL", "Belgian": "BE", "Polish": "PL",
    "Czech": "CZ", "Swedish": "SE", "Spanish": "ES", "Austrian": "AT", "Estonian": "EE",
    "Greek": "GR", "Finnish": "FI", "Canadian": "CA", "Australian": "AU", "Korean": "KR",
    "Israeli": "IL", "Indian": "IN",
}  # fmt: skip


def _alternation(names: list[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


_LATIN_COUNTRY_NAMES = [n for n in COUNTRIES if n.isascii()]
_CJK_COUNTRY = re.compile(_alternation([n for n in COUNTRIES if not n.isascii()]))
# Short forms (USA, UK, U.S.) are matched case-sensitively; full names in any case.
_LATIN_COUNTRY = re.compile(
    r"(?<![A-Za-z])(?:(?P<short>" + _alternation([n for n in _LATIN_COUNTRY_NAMES if len(n) <= 4])
    + r")|(?i:(?P<long>" + _alternation([n for n in _LATIN_COUNTRY_NAMES if len(n) > 4])
    + r")))(?![A-Za-z])"
)  # fmt: skip
_CONTEXT_COUNTRY = re.compile(
    r"(?P<cjk>" + _CJK_COUNTRY.pattern + r")的?\d{0,3}[家个名]?[\u4e00-\u9fff]{0,4}?"
    r"(?:实体|单位|企业|公司|个人)"
    r"|(?<![A-Za-z])(?P<latin>" + _alternation(list(_DEMONYMS)) + r")\s{1,3}(?i:entit)"
)  # fmt: skip

# Keywords on folded text (简体, or English lowered): the list, then the action.
_LIST_WORDS = re.compile(
    r"(?P<unreliable_entity>不可靠实体清单|unreliable entity list)"
    r"|(?P<watch_list>关注名单|watch ?list)"
    r"|(?P<control_list>管控名单|(?<!export )control list)"
    r"|(?P<countermeasure>反制措施|反制清单|反制名单|countermeasure)"
)
_ACTION_WORDS = re.compile(
    r"(?P<suspend>暂停|暂缓|suspend)"
    r"|(?P<remove>移出|移除|除名|停止执行|停止实施|不再实施|解除"
    r"|removed? from|remove|removal|removing|delist|lift)"
    r"|(?P<add>列入|纳入|增列|采取反制|added to|add |adds |adding |include[sd]? |placed on|put on"
    r"|designat|take countermeasure|taking countermeasure)"
)
_SPACE = r"[ \t]"  # never \s: patterns run over the whole text, line by line (^ and $)
_NUMBER = (
    rf"^{_SPACE}{{0,8}}"
    rf"(?:\({_SPACE}{{0,2}}\d{{1,3}}{_SPACE}{{0,2}}\)|\d{{1,3}}{_SPACE}{{0,2}}[.、)])"
    rf"{_SPACE}{{0,4}}"
)
# 1.中文名（English Name）: the bracket may hold one inner bracket (Foo (Hong Kong) Ltd.).
_BRACKETED = re.compile(
    _NUMBER
    + r"(?P<name>[^()\n]{1,150}?)[ \t]{0,4}\((?P<inner>(?:[^()\n]|\([^()\n]{0,80}\)){1,300})\)"
    r"(?P<tail>[^()\n]{0,30})$",
    re.MULTILINE,
)
_BARE = re.compile(_NUMBER + r"(?P<name>[^\n]{2,150})$", re.MULTILINE)
_FIELD = re.compile(
    r"^[ \t]{0,8}(?P<label>地址|住所|注册地址|常用名称|又称|别称|别名|也称|曾用名"
    r"|国别|国家/地区|国家\(地区\)|国家|所在国"
    r"|(?i:address|also known as|a\.k\.a\.?|aliases|alias|other names?|country))"
    r"[ \t]{0,4}[::][ \t]{0,4}(?P<value>[^\n]{1,1000})$",
    re.MULTILINE,
)
_ADDRESS_LABELS = frozenset({"地址", "住所", "注册地址", "address"})
_COUNTRY_LABELS = frozenset({"国别", "国家/地区", "国家(地区)", "国家", "所在国", "country"})
_SPLIT_NAMES = re.compile(r"[、;；]")
_SPLIT_ADDRESSES = re.compile(r"[;；]")
_ENTITY_NOUN = re.compile(
    r"实体|单位|个人|组织|公司|机构|企业|(?i:entit|persons|individuals|organi[sz]ations|companies)"
)
_HEADER_END = re.compile(r"[::]\s{0,4}$|^\s{0,4}(?:附|(?i:annex|attachment))")
_SENTENCE = re.compile(r"[,，。;；::]")
_CLAUSE = re.compile(r"[。;；::]")
_ENGLISH_VERBS = re.compile(
    r"(?i)(?<![A-Za-z])(?:shall|must|may|are|is|be|will|prohibited|should|not)(?![A-Za-z])"
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_LATIN_ALIAS = re.compile(r"(?i)(?:also known as|a\.k\.a\.?|aka|formerly|f/k/a)\s{0,4}:?")
_ALIAS_PREFIX = re.compile(r"^\s{0,4}(?:简称|又称|别称|也称|又名|即)\s{0,4}")
_UNTIL = re.compile(r"(?:至|until |through |to )\s{0,4}(?P<date>" + DATE + r")(?:止)?", re.I)
_FROM = re.compile(r"(?:自|from |starting |as of )\s{0,4}(?P<date>" + DATE + r")", re.I)
_PERIOD = re.compile(
    r"(?:为期|期限|for (?:a period of )?)\s{0,4}(?P<n>\d{1,3}|一|二|两|三|one|two|three|six)"
    r"\s{0,4}(?P<unit>年|个月|天|日|years?|months?|days?)",
    re.I,
)  # fmt: skip
_ACTION_RANK = (EntityAction.SUSPEND, EntityAction.REMOVE, EntityAction.ADD)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Literal hints for the keyword lines: every match of _LIST_WORDS, _ACTION_WORDS, _ENTITY_NOUN
# and _CONTEXT_COUNTRY contains one of these (ASCII lowered). str.find is far faster than
# one big alternation run over every character.
_KEYWORDS = (
    "不可靠实体清单", "unreliable entity list", "关注名单", "watch", "管控名单", "control list",
    "反制", "countermeasure", "暂停", "暂缓", "suspend", "移出", "移除", "除名", "停止执行",
    "停止实施", "不再实施", "解除", "remov", "delist", "lift", "列入", "纳入", "增列", "add",
    "include", "placed on", "put on", "designat", "实体", "单位", "个人", "组织", "公司",
    "机构", "企业", "entit", "persons", "individuals", "organis", "organiz", "companies",
)  # fmt: skip
_SMALL_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "one": 1, "two": 2, "three": 3, "six": 6}


@dataclass
class _Context:
    """What the lines read so far say the next block of parties is."""

    list_: EntityList | None = None
    action: EntityAction | None = None
    country: str | None = None
    until: date | None = None
    in_block: bool = False


@dataclass
class _Party:
    name: str
    name_en: str | None
    context: _Context
    alt_names: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    country: str | None = None  # printed on a 国别 line

    def row(self) -> EntityRow | None:
        list_, action = self.context.list_, self.context.action
        if list_ is None or action is None:
            return None
        from_address = next((c for a in self.addresses if (c := country_in(a)) is not None), None)
        return EntityRow(
            name=self.name,
            name_en=self.name_en,
            list_=list_,
            action=action,
            country=self.country or from_address or self.context.country,
            alt_names=tuple(dict.fromkeys(self.alt_names)),
            addresses=tuple(self.addresses),
            until=self.context.until if action is EntityAction.SUSPEND else None,
        )


def extract_entities(title: str, text: str) -> tuple[EntityRow, ...]:
    """Every party the notice names, with the list and the action that apply to it."""
    context = _read_context(fold(title[:MAX_LINE]).text, _Context(), whole=True)
    folded = fold(text[:MAX_TEXT])
    body = folded.text
    starts = list(accumulate((len(line) + 1 for line in body.split("\n")), initial=0))
    # Each kind of line is found in one pass over the whole text (C speed); only the lines
    # found are visited, and any other non-empty line between two of them ends a block.
    bracketed = _by_line(_BRACKETED, body, starts)
    bare = _by_line(_BARE, body, starts)
    fields = _by_line(_FIELD, body, starts)
    signals = _keyword_lines(body, starts)
    parties: list[_Party] = []
    current: _Party | None = None
    previous = -1
    for index in sorted(bracketed.keys() | bare.keys() | fields.keys() | signals):
        start, end = starts[index], starts[index + 1] - 1
        if starts[index] - starts[previous + 1] > index - previous - 1 or end - start > MAX_LINE:
            current, context.in_block = None, False  # prose read past, or a line too long
        previous = index
        if end - start > MAX_LINE:
            continue
        party = _party(folded, bracketed.get(index), bare.get(index), context)
        if party is not None:
            parties.append(party)
            context.in_block = True
            current = party
            continue
        field_match = fields.get(index)
        if current is not None and field_match is not None:
            _field(folded, field_match, current)
            continue
        current = None
        if index in signals:
            context = _read_context(body[start:end], context, whole=False)
        else:
            context.in_block = False
    return tuple(row for p in parties if (row := p.row()) is not None)


def _by_line(pattern: re.Pattern[str], body: str, starts: list[int]) -> dict[int, re.Match[str]]:
    return {bisect_right(starts, m.start()) - 1: m for m in pattern.finditer(body)}


def _keyword_lines(body: str, starts: list[int]) -> set[int]:
    """The lines holding any keyword (a superset of what _read_context reads)."""
    lowered = body.translate(_ASCII_LOWER)  # same length as body, unlike str.lower
    found: set[int] = set()
    for word in _KEYWORDS:
        at = lowered.find(word)
        while at >= 0:
            line = bisect_right(starts, at) - 1
            found.add(line)
            at = lowered.find(word, starts[line + 1])
    return found


@lru_cache(maxsize=4096)
def country_in(address: str) -> str | None:
    """The ISO code of the country an address names: a Chinese address starts with it, an
    English one ends with it."""
    folded = fold(address).text
    cjk = _CJK_COUNTRY.search(folded)
    latin = [m for m in _LATIN_COUNTRY.finditer(folded)]
    if cjk is not None and (not latin or cjk.start() <= latin[-1].start()):
        return COUNTRIES[cjk.group()]
    if latin:
        return _latin_country(latin[-1])
    return None


def _latin_country(match: re.Match[str]) -> str:
    short = match.group("short")
    if short is not None:
        return COUNTRIES[short]
    long = match.group("long").lower()
    return next(code for name, code in COUNTRIES.items() if name.lower() == long)


def _party(
    folded: Folded,
    bracketed: re.Match[str] | None,
    bare: re.Match[str] | None,
    context: _Context,
) -> _Party | None:
    if bracketed is not None:
        return _bracketed_party(folded, bracketed, context)
    if bare is None or not context.in_block:
        return None
    name = folded.printed(*bare.span("name")).strip()
    if not _looks_like_name(name, bare.group("name")):
        return None
    english = not _CJK.search(name)
    return _Party(name=name, name_en=name if english else None, context=context)


def _bracketed_party(folded: Folded, match: re.Match[str], context: _Context) -> _Party | None:
    name = folded.printed(*match.span("name")).strip()
    inner = folded.printed(*match.span("inner")).strip()
    if not _looks_like_name(name, match.group("name")):
        return None
    if not _CJK.search(name):
        if _CJK.search(inner):  # English first, Chinese in the bracket
            return _Party(name=inner, name_en=name, context=context)
        alias = _LATIN_ALIAS.match(inner)
        if alias is None:  # a bracket inside the English name: Foo (Hong Kong) Ltd.
            whole = folded.printed(match.start("name"), match.end("tail")).strip()
            return _Party(name=whole, name_en=whole, context=context)
        return _Party(name, name, context, alt_names=[inner[alias.end() :].strip()])
    if _CJK.search(inner):
        return _Party(name, None, context, alt_names=[_ALIAS_PREFIX.sub("", inner)])
    if not _LATIN.search(inner):
        return None
    return _Party(name=name, name_en=inner, context=context)


def _looks_like_name(printed: str, folded: str) -> bool:
    """A party's name, not a numbered clause: short, no sentence punctuation, no verbs."""
    if _CJK.search(printed):
        return len(printed) <= 80 and not _SENTENCE.search(folded)
    if not _LATIN.search(printed) or _CLAUSE.search(folded):
        return False
    return len(printed.split()) <= 12 and not _ENGLISH_VERBS.search(printed)


def _field(folded: Folded, match: re.Match[str], party: _Party) -> None:
    """An 地址 / 常用名称 / 国别 line of the party just read."""
    label = match.group("label").lower()
    value = folded.printed(*match.span("value")).strip()
    if label in _ADDRESS_LABELS:
        party.addresses.extend(p.strip() for p in _SPLIT_ADDRESSES.split(value) if p.strip())
    elif label in _COUNTRY_LABELS:
        party.country = country_in(value)
    else:
        party.alt_names.extend(p.strip() for p in _SPLIT_NAMES.split(value) if p.strip())


@dataclass(frozen=True)
class _LineSignals:
    """What one line says about the parties after it (None: it says nothing of that)."""

    list_: EntityList | None
    action: EntityAction | None
    until: date | None
    country: str | None
    opens_block: bool


def _read_context(line: str, context: _Context, *, whole: bool) -> _Context:
    """The context after one title or body line (`context` itself when nothing changed)."""
    said = _signals(line)
    opens = said.opens_block and not whole
    quiet = said.list_ is None and said.action is None and said.country is None
    if quiet and opens == context.in_block:
        return context
    return _Context(
        list_=said.list_ or context.list_,
        action=said.action or context.action,
        country=said.country or context.country,
        until=said.until if said.action is not None else context.until,
        in_block=opens,
    )


@lru_cache(maxsize=4096)
def _signals(line: str) -> _LineSignals:
    lowered = line.lower()
    lists = list(_LIST_WORDS.finditer(lowered))
    actions = list(_ACTION_WORDS.finditer(lowered))
    # Remove and suspend outrank add on one line: "…曾列入…，现决定移出", "remove the
    # following entities, designated in Announcement No. 1, from the list".
    action = min((EntityAction(_group(m)) for m in actions), key=_ACTION_RANK.index, default=None)
    countries = list(_CONTEXT_COUNTRY.finditer(line))
    country = None
    if countries:
        cjk = countries[-1].group("cjk")
        country = COUNTRIES[cjk] if cjk else _DEMONYMS[countries[-1].group("latin")]
    return _LineSignals(
        list_=EntityList(_group(lists[-1])) if lists else None,
        action=action,
        until=_until(line) if action is EntityAction.SUSPEND else None,
        country=country,
        # A line that names parties to come ("…下列实体列入…：", "附：…实体") opens a block.
        opens_block=bool(_ENTITY_NOUN.search(line)) and bool(_HEADER_END.search(line)),
    )


def _group(match: re.Match[str]) -> str:
    return next(name for name, value in match.groupdict().items() if value is not None)


def _until(text: str) -> date | None:
    until = _UNTIL.search(text)
    if until is not None:
        return parse_date(until.group("date"))
    start, period = _FROM.search(text), _PERIOD.search(text)
    if start is None or period is None:
        return None
    begins = parse_date(start.group("date"))
    if begins is None:
        return None
    raw = period.group("n").lower()
    count = int(raw) if raw.isdigit() else _SMALL_NUMBERS[raw]
    unit = period.group("unit").lower()
    if unit.startswith(("年", "year")):
        ends = _add_months(begins, 12 * count)
    elif unit.startswith(("个月", "month")):
        ends = _add_months(begins, count)
    else:
        ends = begins + timedelta(days=count)
    return ends - timedelta(days=1)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable: day 28 exists in every month")  # pragma: no cover
