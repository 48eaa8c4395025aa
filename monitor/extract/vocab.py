"""Term tables for rare-earth matching (pure).

Source of the tables: /work/shared/domain/vocabulary.md. Every pattern here is written in
*folded* forms (folding.fold: NFKC, then OpenCC t2s) and matched on folded text, so 简体,
繁體, Taiwan and full-width forms meet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# ---------------------------------------------------------------------------------------
# Elements, in vocabulary order (the order every `elements` list is reported in).


@dataclass(frozen=True)
class Element:
    symbol: str
    english: str
    hans: str  # 简体 (what 繁體 and Taiwan forms fold to)
    hant: str  # 繁體 (s2t / s2hk)
    taiwan: str  # s2twp, where it differs


ELEMENTS: tuple[Element, ...] = (
    Element("La", "lanthanum", "镧", "鑭", "鑭"),
    Element("Ce", "cerium", "铈", "鈰", "鈰"),
    Element("Pr", "praseodymium", "镨", "鐠", "鐠"),
    Element("Nd", "neodymium", "钕", "釹", "釹"),
    Element("Pm", "promethium", "钷", "鉕", "鉕"),
    Element("Sm", "samarium", "钐", "釤", "釤"),
    Element("Eu", "europium", "铕", "銪", "銪"),
    Element("Gd", "gadolinium", "钆", "釓", "釓"),
    Element("Tb", "terbium", "铽", "鋱", "鋱"),
    Element("Dy", "dysprosium", "镝", "鏑", "鏑"),
    Element("Ho", "holmium", "钬", "鈥", "鈥"),
    Element("Er", "erbium", "铒", "鉺", "鉺"),
    Element("Tm", "thulium", "铥", "銩", "銩"),
    Element("Yb", "ytterbium", "镱", "鐿", "鐿"),
    Element("Lu", "lutetium", "镥", "鑥", "鎦"),
    Element("Sc", "scandium", "钪", "鈧", "鈧"),
    Element("Y", "yttrium", "钇", "釔", "釔"),
)
# A glyph a feed's font lacks is printed as its parts in brackets, (金鲁) for 镥: the
# phonetic beside the metal radical 金 (folded forms).
DECOMPOSED_PHONETIC: dict[str, str] = {
    "La": "阑", "Ce": "市", "Pr": "普", "Nd": "女", "Pm": "叵", "Sm": "彡", "Eu": "有",
    "Gd": "乚", "Tb": "特", "Dy": "啇", "Ho": "火", "Er": "耳", "Tm": "丢", "Yb": "意",
    "Lu": "鲁", "Sc": "亢", "Y": "乙",
}  # fmt: skip
ELEMENT_ORDER: dict[str, int] = {e.symbol: i for i, e in enumerate(ELEMENTS)}
BY_SYMBOL: dict[str, Element] = {e.symbol: e for e in ELEMENTS}
BY_HANS: dict[str, Element] = {e.hans: e for e in ELEMENTS}
BY_ENGLISH: dict[str, Element] = {e.english: e for e in ELEMENTS}
# Common in ordinary chemistry and industry, and not controlled: need rare-earth context.
CONTEXT_ONLY = frozenset({"La", "Ce"})
# Elements under export control (Nos. 18 and 57). Naming one makes a page relevant; naming
# only La/Ce/Pr/Nd/Pm does not (钕玻璃激光器 in an import-subsidy list is not about rare earths).
CONTROLLED = frozenset({"Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Sc", "Y"})
HOLMIUM_HANT = "鈥"  # also what UTF-8 curly quotes become when decoded as GBK


def element_order(symbols: Iterable[str]) -> tuple[str, ...]:
    """De-duplicated, in vocabulary order."""
    return tuple(sorted(set(symbols), key=ELEMENT_ORDER.__getitem__))


# Every element symbol, to recognise chemical formulas (NdFeB, Dy2O3, SmCo5, TbDyFe).
_PERIODIC_TABLE = """
H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br
Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho
Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es
Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og
"""
PERIODIC_SYMBOLS = frozenset(_PERIODIC_TABLE.split())

# Words that make a 镧/铈 (or lanthanum/cerium) mention a rare-earth one, matched on the
# folded line that carries the mention; rare-earth control codes count too, and so do the
# rare-earth magnets a 铈磁体 / "cerium magnets" is listed with.
RARE_EARTH_CONTEXT = re.compile(
    r"稀土|出口管制|rare[\s-]?earth|export control|钕铁硼|钐钴|NdFeB|SmCo|samarium[- ]cobalt",
    re.IGNORECASE,
)
# What a genuine 繁體 holmium 鈥 stands next to (folded forms).
HOLMIUM_CONTEXT = re.compile(r"稀土|氧化|合金|靶材|金属|元素|化合物|磁|[镝铽钐钆铒铥铕镱镥钪钇]")

# ---------------------------------------------------------------------------------------
# Codes.

# Dual-use list codes as printed; no \b (Python counts CJK as word characters). The
# "not after a letter or digit" check sits after the first digit so the pattern starts with
# \d, which lets the regex engine skip ahead to digits instead of trying every position.
CONTROL_CODE = re.compile(r"(\d(?<![0-9A-Za-z]\d)[A-E]\d{3})(?![0-9])((?:\.[a-z0-9]+)*)")
# The rare-earth entries of the dual-use list (timeline.md §2).
RARE_EARTH_CODES = frozenset([f"1C9{n:02d}" for n in range(2, 14)] + ["1E902", "2B902"])
# Customs lines of rare-earth metals (280530…) and rare-earth compounds (2846…).
RARE_EARTH_HS_PREFIXES = ("280530", "2846")
_HS_MARKER_HANS = r"参考海关商品编号|参考税则号列|海关商品编号|税则号列"
_HS_MARKER_LATIN = (
    r"(?:reference\s+)?(?:HS|customs\s+commodity|tariff(?:\s+line)?)\s+(?:codes?|numbers?|lines?)"
)
HS_MARKER = re.compile(f"{_HS_MARKER_HANS}|{_HS_MARKER_LATIN}", re.IGNORECASE)
# The same two halves, for reading a whole text in passes: 汉字 have no case (a plain
# pattern scans fast), and the Latin half must not run across a line break.
HS_MARKER_HANS = re.compile(_HS_MARKER_HANS)
HS_MARKER_LATIN_IN_LINE = re.compile(_HS_MARKER_LATIN.replace(r"\s", r"[^\S\n]"), re.IGNORECASE)
HS_CODE = re.compile(r"(?<![0-9A-Za-z.])(\d{10}|\d{8})(?![0-9A-Za-z])")

# ---------------------------------------------------------------------------------------
# Keywords that make a page rare-earth relevant by themselves (folded forms).

RARE_EARTH_KEYWORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("稀土", re.compile("稀土")),
    ("钕铁硼", re.compile("钕铁硼")),
    ("钐钴", re.compile("钐钴")),
    ("NdFeB", re.compile(r"NdFeB|neodymium[- ]iron[- ]boron", re.IGNORECASE)),
    ("SmCo", re.compile(r"(?<![A-Za-z])SmCo|samarium[- ]cobalt", re.IGNORECASE)),
    ("rare earth", re.compile(r"(?<![A-Za-z])rare[\s-]?earths?(?![A-Za-z])", re.IGNORECASE)),
    ("REE", re.compile(r"(?<![A-Za-z])REEs?(?![A-Za-z])")),
    ("lanthanide", re.compile(r"(?<![A-Za-z])lanthanides?(?![A-Za-z])", re.IGNORECASE)),
)
# Any sign of rare earths in one line of folded text (keywords, controlled elements by name,
# rare-earth control codes): what tells a subject from a passing mention (detect.classify).
RARE_EARTH_SIGNAL = re.compile(
    "|".join(p.pattern for _, p in RARE_EARTH_KEYWORDS)
    + "|["
    + "".join(e.hans for e in ELEMENTS if e.symbol in CONTROLLED)
    + "]"
    + "|(?<![A-Za-z])(?:"
    + "|".join(e.english for e in ELEMENTS if e.symbol in CONTROLLED)
    + ")(?![A-Za-z])"
    + r"|(?<![0-9A-Za-z])(?:1C9(?:0[2-9]|1[0-3])|1E902|2B902)",
    re.IGNORECASE,
)
# Strings one of which every match of the keyword contains: a letter in both cases (only
# letters with no other case-insensitive equivalent, so not i, k or s). A 汉字 page
# without them is spared a case-insensitive scan per keyword.
RARE_EARTH_KEYWORD_HINTS: dict[str, tuple[str, ...]] = {
    "NdFeB": ("b", "B"),
    "SmCo": ("m", "M"),
    "rare earth": ("h", "H"),
    "REE": ("REE",),
    "lanthanide": ("h", "H"),
}

# ---------------------------------------------------------------------------------------
# Issuers (canonical 简体 name, series prefix of its own numbering, folded aliases).


@dataclass(frozen=True)
class Issuer:
    name: str
    series: str
    aliases: tuple[str, ...]  # folded Chinese forms
    english: tuple[str, ...]  # regex fragments, matched case-insensitively


ISSUERS: tuple[Issuer, ...] = (
    Issuer("商务部", "MOFCOM", ("商务部",),
           (r"Ministry of Commerce", r"MOFCOM", r"(?:commerce|trade) ministry")),
    Issuer("海关总署", "GACC", ("海关总署",),
           (r"General Administration of Customs", r"(?-i:GACC|GAC)(?![A-Za-z])",
            r"customs (?:administration|authority|agency)")),
    Issuer("工业和信息化部", "MIIT", ("工业和信息化部", "工业和资讯化部", "工信部"),
           (r"Ministry of Industry and Information Technology", r"MIIT")),
    Issuer("科技部", "MOST", ("科学技术部", "科技部"),
           (r"Ministry of Science and Technology", r"(?-i:MOST)")),
    Issuer("国家密码管理局", "SCA", ("国家密码管理局", "国家密码局"),
           (r"State Cryptography Administration", r"(?-i:SCA)")),
    Issuer("国务院", "STATECOUNCIL", ("国务院",), (r"State Council",)),
    Issuer("不可靠实体清单工作机制", "UEL", ("不可靠实体清单工作机制",),
           (r"(?:Unreliable Entity List )?Working Mechanism"
            r"(?: (?:of|for) the Unreliable Entity List)?",)),
)  # fmt: skip
ISSUER_BY_ALIAS: dict[str, Issuer] = {alias: i for i in ISSUERS for alias in i.aliases}
ISSUER_ALTERNATION = "|".join(
    sorted((re.escape(a) for a in ISSUER_BY_ALIAS), key=len, reverse=True)
)
# The issuers printed before 公告: a known one first, then known or other bodies (an
# unlisted co-issuer must not cut the run and leave a later one to pick the series).
# Linear time: each further issuer is matched atomically and the run possessively, with a
# bound, so names run together (商务部海关总署工业和信息化部…) are read one way only; an
# unlisted body must end where a separator, 公告/令 or a known issuer follows.
_SEPARATORS = "[ 、,和与及]"
_BODY = (
    rf"(?:(?!公告)[\u4e00-\u9fff]){{2,15}}?(?:部|署|局|委员会|委|机构|院|办公室|办公厅)"
    rf"(?={_SEPARATORS}|公告|令|中华人民共和国|{ISSUER_ALTERNATION})"
)
MAX_CO_ISSUERS = 8
ISSUER_RUN = (
    rf"(?:中华人民共和国)?(?:{ISSUER_ALTERNATION})"
    rf"(?>{_SEPARATORS}*+(?:中华人民共和国)?(?:{ISSUER_ALTERNATION}|{_BODY})){{0,{MAX_CO_ISSUERS}}}+"
    rf"{_SEPARATORS}*+"
)
ENGLISH_ISSUER_ALTERNATION = "|".join(f for i in ISSUERS for f in i.english)
ENGLISH_ISSUER = re.compile(
    "|".join(f"(?P<i{n}>{'|'.join(i.english)})" for n, i in enumerate(ISSUERS)), re.IGNORECASE
)


def english_issuers(text: str) -> list[Issuer]:
    found: list[Issuer] = []
    for match in ENGLISH_ISSUER.finditer(text):
        for n, issuer in enumerate(ISSUERS):
            if match.group(f"i{n}") and issuer not in found:
                found.append(issuer)
    return found


# ---------------------------------------------------------------------------------------
# Kinds of notice. Commentary (Q&A, FAQ) first; then title triggers in this order
# (vocabulary.md §4 and §6: a suspension names what it suspends, so suspend comes before
# issue; catalogues before controls, as 许可证管理目录 titles also say 出口管制).

COMMENTARY_TITLE = re.compile(
    r"答记者问|答问|新闻发言人|发言人|常见问题|问题解答|答疑|问答|解读|记者会|新闻发布会|吹风会"
    r"|(?<![A-Za-z])FAQs?(?![A-Za-z])|Q\s*&\s*A|spokes(?:person|man|woman)|press conference"
    r"|regular briefing|answers? (?:to )?(?:reporters|journalists|questions)",
    re.IGNORECASE,
)
KIND_TRIGGERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("suspension", re.compile(r"暂停|suspen(?:d|sion)", re.IGNORECASE)),
    ("adjustment", re.compile(r"调整|优化|修改|修订|修正|amend|adjust|revis|optimi[sz]",
                              re.IGNORECASE)),
    ("designation", re.compile(r"移出|移除|(?<![A-Za-z])remov", re.IGNORECASE)),
    ("unreliable_entity", re.compile(r"不可靠实体清单|unreliable entit", re.IGNORECASE)),
    ("designation", re.compile(r"管控名单|关注名单|control list|watch list", re.IGNORECASE)),
    ("license", re.compile(
        r"目录|通用许可|许可证件|许可证|catalogue|catalog|general licen[cs]e|licen[cs]e",
        re.IGNORECASE)),
    ("control", re.compile(r"出口管制|临时管制|管制措施|条例|管理办法|管理规定|export controls?"
                           r"|temporary control|regulations? on",
                           re.IGNORECASE)),
    ("repeal", re.compile(r"废止|不再适用|停止执行|repeal|abolish|annul|no longer appl",
                          re.IGNORECASE)),
)  # fmt: skip
# In a body, only decision phrases count (cited titles repeat every trigger word).
BODY_KIND_TRIGGERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("suspension", re.compile(r"(?:决定|现)[^。]{0,40}暂停|暂停实施|继续暂停|decided to suspend"
                              r"|(?:shall|will) (?:be )?suspend", re.IGNORECASE)),
    ("unreliable_entity", re.compile(r"列入不可靠实体清单|on the unreliable entity list",
                                     re.IGNORECASE)),
    ("designation", re.compile(r"(?:列入|移出)(?:出口管制)?(?:管控|关注)名单",
                               re.IGNORECASE)),
    ("control", re.compile(r"决定对[^。]{0,80}实施出口管制|未经许可不得出口|实施临时管制"
                           r"|decided to (?:implement|impose) export controls", re.IGNORECASE)),
    ("repeal", re.compile(r"(?:决定|现)[^。]{0,20}废止|予以废止", re.IGNORECASE)),
    ("adjustment", re.compile(r"(?:决定|现)[^。]{0,30}(?:调整|修改|修订)", re.IGNORECASE)),
)  # fmt: skip

# Verbs by which a notice acts on earlier ones (folded forms), for `affects`; "keep" marks
# parts said to stay in force, which are not acted on. Earlier entries win overlaps.
ACTION_VERBS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("extend", re.compile(r"继续暂停|延长[^。，,]{0,12}暂停|暂停[^。，,]{0,12}延长"
                          r"|continue to suspend|extend(?:s|ed|ing)?\s+(?:the\s+)?suspension"
                          r"|suspension\b.{0,120}?\b(?:is|are|be|been|was)\s+extended"
                          r"|extension\s+of\s+the\s+suspension",
                          re.IGNORECASE)),
    # 暂停期间 / 暂停期限 / "during the suspension" name the period, not the act.
    ("suspend", re.compile(r"暂停(?!(?:实施)?(?:期间|期限|期满|届满))"
                           r"|(?<!during the )suspen(?:d|sion)(?! period)", re.IGNORECASE)),
    ("keep", re.compile(r"继续执行|继续实施|继续有效|仍然有效|不受影响|remains? in (?:force|effect)"
                        r"|continues? to (?:apply|be implemented)", re.IGNORECASE)),
    ("repeal", re.compile(r"废止|不再适用|不再执行|停止执行|停止实施|失效|repeal|abolish|annul"
                          r"|no longer appl|cease to (?:apply|be implemented)", re.IGNORECASE)),
    ("amend", re.compile(r"修改|修订|修正|调整|amend|adjust|revis", re.IGNORECASE)),
)  # fmt: skip

# ---------------------------------------------------------------------------------------
# Measures known to be rare-earth measures (timeline.md §1), used when the caller has no
# stored verdict for a notice acted on. Elements only: several codes are unverified.

KNOWN_RARE_EARTH_MEASURES: dict[str, tuple[str, ...]] = {
    "MOFCOM-2023-57": (),
    "STATECOUNCIL-785": (),
    "MOFCOM-2025-18": ("Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"),
    "MOFCOM-2025-56": (),
    "MOFCOM-2025-57": ("Eu", "Ho", "Er", "Tm", "Yb"),
    "MOFCOM-2025-61": ("Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"),
    "MOFCOM-2025-62": (),
}
