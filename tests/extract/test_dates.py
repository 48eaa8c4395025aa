"""dates.py: every printed form of a date reads back as that date; impossible ones as None."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.extract.dates import DATE, parse_date

_CN_DIGITS = "〇一二三四五六七八九"
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


def _cn_small(n: int) -> str:
    tens, units = divmod(n, 10)
    return (
        ("" if tens < 2 else _CN_DIGITS[tens])
        + ("十" if tens else "")
        + (_CN_DIGITS[units] if units else "")
    )


def printed_forms(day: date) -> list[str]:
    month = _MONTHS[day.month - 1]
    year_cn = "".join(_CN_DIGITS[int(d)] for d in str(day.year))
    return [
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year} 年 {day.month:02d} 月 {day.day:02d} 日",
        f"{year_cn}年{_cn_small(day.month)}月{_cn_small(day.day)}日",
        day.isoformat(),
        f"{month} {day.day}, {day.year}",
        f"{month[:3]}. {day.day}, {day.year}",
        f"{day.day} {month} {day.year}",
    ]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_every_printed_form_reads_back(day: date) -> None:
    for printed in printed_forms(day):
        assert re.fullmatch(DATE, printed), printed
        assert parse_date(printed) == day, printed


@pytest.mark.parametrize(
    "printed",
    [
        "2025年2月30日",
        "二〇二五年二月三十日",
        "2025-13-01",
        "February 30, 2025",
        "2025年4月",
        "5 2025",
    ],
)
def test_impossible_or_partial_dates_are_none(printed: str) -> None:
    assert parse_date(printed) is None


def test_text_around_a_date_is_no_date_not_an_error() -> None:
    # Found by the fuzz suite: words before 年 raised KeyError from the numeral reader.
    assert parse_date("商务部2025年4月4日") is None


def test_a_huge_number_is_no_date_not_an_error() -> None:
    # Found by the fuzz suite: date() raised OverflowError on a 20-digit day.
    assert parse_date("October 99999999999999999999, 2025") is None
