"""Bytes → str: the charset a response declares, checked against what its bytes are.

Evidence beats labels: a non-ASCII body that is valid UTF-8 is UTF-8 whatever it is labelled
(other text is almost never valid multi-byte UTF-8), GB18030 bytes labelled Latin-1 are read
as GB18030, and UTF-8 that was already decoded as Latin-1 once (double-encoded) is repaired
(fetch/mojibake.py).

MOFCOM's current pages are UTF-8; legacy pages declare gb2312/gbk but use
characters only GB18030 has, which a strict gb2312 codec rejects (bs4/lxml then yields an
empty document), so every GB label is read as gb18030.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

from charset_normalizer import from_bytes

from monitor.fetch.mojibake import repair_utf8_as_latin

_GB_LABELS = frozenset(
    {"gb2312", "gb_2312", "gb_2312-80", "gbk", "x-gbk", "cp936", "ms936", "windows-936",
     "csgb2312", "euc-cn", "x-euc-cn", "chinese", "iso-ir-58", "gb18030"}
)  # fmt: skip
# Labels whose bytes could also be valid UTF-8 by design: their label is believed.
_WIDE = ("utf_16", "utf_32", "utf-16", "utf-32")
# Western single-byte labels that GB-encoded Chinese pages are mislabelled with.
_WESTERN = frozenset({"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15"})
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:\-]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.IGNORECASE
)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:\-]+)""")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip


def codec_name(label: str | None) -> str | None:
    """A usable Python codec for a charset label, or None if unknown (gb* → gb18030)."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _GB_LABELS:
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    match = _CT_CHARSET.search(content_type or "")
    return codec_name(match.group(1)) if match else None


def charset_from_markup(body: bytes) -> str | None:
    """`<meta charset>` / http-equiv charset / `<?xml encoding>` in the first 4 KB."""
    head = body[:4096]
    match = _XML_DECL.search(head) or _META_CHARSET.search(head)
    return codec_name(match.group(1).decode("ascii", "replace")) if match else None


def decode_body(
    body: bytes, content_type: str | None = None, *, default: str = "utf-8"
) -> tuple[str, str]:
    """Decode a response body: BOM, then the header charset, then the markup's own
    declaration, then `default`; charset-normalizer only when those fail to decode.

    Any label but UTF-16/32 on a body that is valid multi-byte UTF-8 is a mislabelled
    UTF-8 page: GB18030 and Latin-1 accept most UTF-8 byte pairs and would silently produce
    mojibake (鈥 for curly quotes, å•† for 商). Returns (text, codec). Raises ValueError
    when nothing decodes the body cleanly.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            try:
                return body.decode(name), name
            except UnicodeDecodeError:
                break
    declared = charset_from_content_type(content_type) or charset_from_markup(body)
    candidates: list[str] = []
    if not (declared or "").startswith(_WIDE) and not body.isascii() and _is_utf8(body):
        candidates.append("utf-8")
    elif declared in _WESTERN and _gb_runs(body):
        candidates.append("gb18030")
    candidates += [c for c in (declared, codec_name(default)) if c]
    for name in _unique(candidates):
        try:
            return _repaired(body.decode(name), name)
        except (UnicodeDecodeError, LookupError):
            continue
    return _guess(body, declared or codec_name(default) or "utf-8")


def _repaired(text: str, codec: str) -> tuple[str, str]:
    """Double-encoded UTF-8 (UTF-8 once decoded as Latin-1, then stored as UTF-8) undone."""
    fixed = repair_utf8_as_latin(text)
    return (fixed if fixed is not None else text), codec


def _gb_runs(body: bytes) -> bool:
    """Whether the high bytes come in GB-style pairs (both bytes >= 0xA1), as Chinese text
    does, rather than alone between ASCII letters, as accented Western text does."""
    high = paired = 0
    run = 0
    for byte in body + b"\x00":
        if byte >= 0x80:
            run += 1
            continue
        high += run
        paired += run if run >= 2 and run % 2 == 0 else 0
        run = 0
    if high < 4 or paired * 10 < high * 9:
        return False
    try:
        text = body.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return sum(1 for char in text if "\u4e00" <= char <= "\u9fff") * 2 >= high // 2


def _guess(body: bytes, fallback: str) -> tuple[str, str]:
    best = from_bytes(body).best()
    if best is not None and best.encoding:
        name = codec_name(best.encoding) or best.encoding
        try:
            return body.decode(name), name
        except (UnicodeDecodeError, LookupError):
            pass
    # A stray broken byte (say, a cut multi-byte character) should not lose a page.
    text = body.decode(fallback, errors="replace")
    if text.count("\ufffd") <= max(1, len(text) // 1000):
        return text, fallback
    raise ValueError(f"body does not decode as {fallback} and no charset fits")


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _unique(names: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return seen
