from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from monitor.adapters.text import guess_language, html_to_text, node_text, normalise_text


def test_blocks_become_lines_and_whitespace_collapses() -> None:
    markup = """<div><h1> 标题 </h1><p>第一段
    继续\u3000\u3000同一段</p><p>  </p><ul><li>一</li><li>二<br>三</li></ul>
    <span>行内</span><b>文字</b></div>"""
    assert html_to_text(markup) == "标题\n第一段 继续 同一段\n一\n二\n三\n行内文字"


def test_scripts_styles_comments_are_dropped() -> None:
    markup = "<p>a<script>var x=1;</script><style>p{}</style><!-- note --></p><p>b</p>"
    assert html_to_text(markup) == "a\nb"


def test_table_cells_joined_per_row() -> None:
    markup = (
        "<table><tr><th>代码</th><th> 名称 </th></tr>"
        "<tr><td>1C902</td><td></td><td>钐</td></tr></table>"
    )
    assert html_to_text(markup) == "代码 | 名称\n1C902 | 钐"


def test_nfc_and_zero_width() -> None:
    assert normalise_text("Ce\u0301\u200b ri\ufeffum\n\n") == "C\u00e9 rium"


def test_node_text_of_an_element() -> None:
    soup = BeautifulSoup("<body><div id='x'><p>一</p>二</div><p>外</p></body>", "lxml")
    node = soup.select_one("#x")
    assert node is not None
    assert node_text(node) == "一\n二"


def test_plain_text_passes_through() -> None:
    assert html_to_text("  just   text  \n second ") == "just text\nsecond"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("MOFCOM Announcement No. 61 of 2025 on rare-earth items", "en"),
        ("商务部公告 on export controls of rare-earth related technologies", "en"),
        ("商务部公告2025年第61号 关于对境外相关稀土物项实施出口管制的决定", "zh-Hans"),
        ("商務部公告2025年第61號 關於對境外相關稀土物項實施出口管制的決定", "zh-Hant"),
        ("稀土", "zh-Hans"),
        ("國", "en"),  # one CJK character is not enough to call it Chinese
    ],
)
def test_guess_language(text: str, language: str) -> None:
    assert guess_language(text) == language


def test_one_traditional_character_in_a_long_simplified_text_is_still_simplified() -> None:
    text = "商务部公告关于对相关稀土物项实施出口管制的决定" * 10 + "發"
    assert guess_language(text) == "zh-Hans"


@pytest.mark.parametrize("opening", ["<div>", "<div><span>", "<b>", "<table><tr><td>"])
def test_thousands_of_unclosed_tags_are_read_not_a_recursion_error(opening: str) -> None:
    # A 5 KB page of unclosed tags once raised RecursionError out of every poll.
    page = f"<html><body>{opening * 3000}稀土出口管制</body></html>"
    assert html_to_text(page) == "稀土出口管制"


def test_deep_nesting_keeps_block_and_cell_layout() -> None:
    deep = "<div>" * 2000 + "<p>第一段</p><table><tr><td>1C902</td><td>钐</td></tr></table>"
    assert html_to_text(f"<body>{deep}</body>") == "第一段\n1C902 | 钐"
