"""Hypothesis strategies for hostile pages, and how long the fuzz suite runs.

`make test` runs each fuzz test with a few dozen examples (the whole suite within a minute).
A longer hunt: ``REGWATCH_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests -k fuzz``.
Every example must also finish within `EXAMPLE_LIMIT_S`: a slower one is a hang to report.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("REGWATCH_FUZZ_EXAMPLES", "40"))
EXAMPLE_LIMIT_S = float(os.environ.get("REGWATCH_FUZZ_LIMIT_S", "5"))

fuzz_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the machine is shared; EXAMPLE_LIMIT_S catches real hangs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=EXAMPLES <= 40,  # the short run in `make test` is reproducible
)

T = TypeVar("T")


def within_limit(work: Callable[[], T], what: str) -> T:
    started = time.perf_counter()
    result = work()
    took = time.perf_counter() - started
    assert took < EXAMPLE_LIMIT_S, f"{what} took {took:.1f}s: a hang on this input"
    return result


# Text in the notices' own vocabulary, run together with punctuation and numbers.
VOCABULARY = [
    "商务部", "海关总署", "商务部 海关总署公告", "公告", "2025年第61号", "第62号", "稀土",
    "出口管制", "1C902.a", "1E902.b", "2805301910", "钐", "镝", "铽", "【发布单位】",
    "【发布文号】", "【发文日期】", "安全与管制局", "自公布之日起实施", "暂停至2026年11月10日",
    "MOFCOM Announcement No. 61 of 2025", "[Issuing Unit]", "附件1", "﻿", "\u200b", "&amp;",
    "&lt;div&gt;", "&#x1F600;", "&#0;", "]]>", "<![CDATA[", "<!--", "-->", "\r\n", "\x00",
]  # fmt: skip
words = st.sampled_from(VOCABULARY) | st.text(max_size=12)
texts = st.lists(words, max_size=30).map("".join)

TAGS = ["div", "p", "span", "table", "tr", "td", "th", "a", "b", "br", "ul", "li", "script",
        "style", "meta", "title", "html", "body", "head", "pre", "svg", "iframe"]  # fmt: skip
ATTRIBUTES = [
    "", ' class="art-con"', ' ergodic="article"', ' class="art-title"',
    ' href="javascript:alert(1)"', ' href="data:text/html,x"', ' href="/cms_files/a.pdf"',
    ' href="https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_1.html"', ' name="PubDate"',
    ' content="2025-10-09 09:30"', ' charset="gbk"', ' lang="en"', ' title="商务部公告"',
]  # fmt: skip


@st.composite
def markup(draw: Any, max_depth: int = 3000) -> str:
    """HTML-ish text: tags opened and not always closed, nested up to `max_depth`."""
    pieces: list[str] = []
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.integers(0, 5))
        tag = draw(st.sampled_from(TAGS))
        if kind == 0:  # a deep run of unclosed tags
            pieces.append(f"<{tag}>" * draw(st.integers(1, max_depth)))
        elif kind == 1:
            pieces.append(f"<{tag}{draw(st.sampled_from(ATTRIBUTES))}>")
        elif kind == 2:
            pieces.append(f"</{tag}>")
        else:
            pieces.append(draw(texts))
    return "".join(pieces)
