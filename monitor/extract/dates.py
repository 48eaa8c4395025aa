"""Dates as notices print them (pure): 2025年4月4日, 二〇二五年四月四日, 2025-04-04,
April 4, 2025 and 4 April 2025.

`DATE` is a regex fragment for embedding in larger patterns; `parse_date` reads a match.
"""

from __future__ import annotations

import re
from datetime import date

_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
)  # fmt: skip
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
DATE = (
    r"(?:\d{4}\s*+年\s*+\d{1,2}\s*+月\s*+\d{1,2}\s*+日"
    r"|[〇零一二三四五六七八九]{4}\s*+年\s*+[一二三四五六七八九十]{1,3}\s*+月\s*+[一二三四五六七八九十]{1,3}\s*+日"
    r"|\d{4}-\d{1,2}-\d{1,2}(?!\d)"
    rf"|{_MONTH}\.?\s++\d{{1,2}}(?:st|nd|rd|th)?,?\s++\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s++{_MONTH}\.?,?\s++\d{{4}})"
)
_NUMS = re.compile(r"\d+")


def _cn_number(text: str) -> int:
    """二〇二五 → 2025, 十二 → 12, 二十一 → 21."""
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    tens, _, units = text.partition("十")
    return (_cn_number(tens) if tens else 1) * 10 + (_cn_number(units) if units else 0)


def parse_date(text: str) -> date | None:
    """A date written in any of the DATE forms (Chinese, Chinese numerals, ISO, English)."""
    text = text.strip()
    try:
        if "年" in text:
            year, rest = text.split("年", 1)
            month, rest = rest.split("月", 1)
            day = rest.split("日", 1)[0]
            y, m, d = (
                int(p) if p.strip().isdigit() else _cn_number(p.strip()) for p in (year, month, day)
            )
            return date(y, m, d)
        numbers = [int(n) for n in _NUMS.findall(text)]
        if "-" in text and len(numbers) == 3:
            return date(numbers[0], numbers[1], numbers[2])
        lowered = text.lower()
        month_no = next(i for i, m in enumerate(_MONTH_NAMES, 1) if m[:3] in lowered)
        day_no, year_no = (numbers[0], numbers[1]) if numbers[1] > 31 else (numbers[1], numbers[0])
        return date(year_no, month_no, day_no)
    except (ValueError, IndexError, KeyError, OverflowError, StopIteration):
        return None
