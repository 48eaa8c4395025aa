"""Text that was decoded with the wrong charset (pure): recognised, and repaired when the
bytes it came from can be recovered.

Two shapes matter for Chinese pages: UTF-8 bytes read as Latin-1 / Windows-1252
(商务部 → å•†åŠ¡éƒ¨), and GB18030 bytes read as Latin-1 (商务部 → ÉÌÎñ²¿). Storing
either loses the notice (no document number is found) and, once the page is read right, makes
a false `notice.revised` — so the pipeline refuses such text (ParseError "mojibake") rather
than store it, and decoding repairs what it can first.
"""

from __future__ import annotations

import re

# A UTF-8 lead byte as Latin-1/cp1252 followed by a continuation byte as Latin-1/cp1252.
_CP1252_HIGH = "\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d"
_CP1252_HIGH += (
    "\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
)
_UTF8_AS_LATIN = re.compile(f"[\u00c2-\u00ef][\u0080-\u00bf{_CP1252_HIGH}]")
# Runs of Latin-1 letters and signs no language writes four at a time: GB/Big5 bytes.
_CJK_AS_LATIN = re.compile("[\u00a1-\u00ff]{4,}")
_MIN_HITS = 3


def looks_like_mojibake(text: str) -> bool:
    """True when `text` carries the marks of bytes decoded with the wrong charset."""
    if text.isascii():
        return False
    hits = len(_UTF8_AS_LATIN.findall(text))
    hits += sum(len(run) // 2 for run in _CJK_AS_LATIN.findall(text))
    return hits >= _MIN_HITS


def repair_utf8_as_latin(text: str) -> str | None:
    """UTF-8 that was decoded as Latin-1 or cp1252, decoded right; None if it was not that."""
    if not _UTF8_AS_LATIN.search(text):
        return None
    raw = _latin_bytes(text)
    if raw is None:
        return None
    try:
        repaired = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return repaired if not looks_like_mojibake(repaired) else None


def _latin_bytes(text: str) -> bytes | None:
    """The bytes a Latin-1/cp1252 decoder turned into `text` (None if it cannot have)."""
    out = bytearray()
    for char in text:
        code = ord(char)
        if code < 256:
            out.append(code)
            continue
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError:
            return None
    return bytes(out)
