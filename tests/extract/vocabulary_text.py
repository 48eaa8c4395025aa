"""Hypothesis strategies: text built from the words the extractors look for, run together.

Random text rarely reaches a regex's hard cases; these pieces (issuer names in every
script, numbers, 公告/第/号, brackets, English number forms, dates, codes, element names and
punctuation) do, in any order and with nothing between them.
"""

from __future__ import annotations

from hypothesis import strategies as st

from monitor.extract.vocab import ELEMENTS, ISSUERS

_ISSUER_WORDS = [
    *(alias for issuer in ISSUERS for alias in issuer.aliases),
    "商務部", "海關總署", "工業和信息化部", "國家密碼管理局", "國務院", "中华人民共和国",
    "国家发展和改革委员会", "财政部", "生态环境部", "某某办公室", "安全与管制局",
    "Ministry of Commerce", "MOFCOM", "GACC", "GAC", "MIIT", "General Administration of Customs",
    "State Council", "Working Mechanism", "the ", "and ", "& ",
]  # fmt: skip
_NUMBER_WORDS = [
    "公告", "令", "第", "号", "號", "年", "度", "至", "、", "和", "及", "（", "）", "(", ")",
    "〔", "〕", "[", "]", "【", "】", "发布文号", "發佈文號", "发文文号:", "Announcement",
    "Announcements", "Notice", "Decree", "Decision", "Notification", "No.", "No", "Nos.",
    " of ", " to ", " and ", "/", "2025", "2024", "2026", "18", "61", "5", "70", "785",
    "２０２５", "６１", " ", "  ", "\n", "：", ":", "，", ",", ".", ";", "。", "-",
    "(pinyin)", "（gōng gào）",
]  # fmt: skip
_OTHER_WORDS = [
    *(e.hans for e in ELEMENTS), *(e.hant for e in ELEMENTS), *(e.english for e in ELEMENTS),
    "鈥", "鈥檚", "稀土", "rare earth", "NdFeB", "SmCo", "Tb/Dy", "Dy2O3", "含铽", "的钕铁硼",
    "1C902", "1C902.a.1", "2B902", "参考海关商品编号：", "HS code ", "2805301910", "28469019",
    "自", "起施行", "之日起", "暂停实施", "废止", "继续暂停", "延长", "调整", "until ",
    "2025年4月4日", "二〇二五年十月九日", "2025-10-09", "October 9, 2025", "9 Oct 2025",
    "take effect", "shall take effect from", "suspend", "repeal", "第二款", "第一条第（一）项",
    "《", "》", "答记者问", "Q&A", "effective", "immediately",
]  # fmt: skip
WORDS = _ISSUER_WORDS + _NUMBER_WORDS + _OTHER_WORDS


def vocabulary_text(max_pieces: int = 60) -> st.SearchStrategy[str]:
    """Pieces of the vocabulary run together, with some random characters among them."""
    piece = st.one_of(st.sampled_from(WORDS), st.text(max_size=3))
    return st.lists(piece, max_size=max_pieces).map("".join)


def mutated(text: str, data: st.DataObject) -> str:
    """`text` with a slice repeated, cut or swapped (what mirrors and broken pages do)."""
    if not text:
        return text
    at = data.draw(st.integers(0, len(text) - 1))
    width = data.draw(st.integers(1, 40))
    chunk = text[at : at + width]
    how = data.draw(st.sampled_from(["repeat", "cut", "swap"]))
    if how == "repeat":
        return text[:at] + chunk * data.draw(st.integers(2, 50)) + text[at:]
    if how == "cut":
        return text[:at] + text[at + width :]
    return text[at:] + text[:at]
