"""Item rows from a notice's text and from annex cells (monitor/extract/items.py)."""

from __future__ import annotations

from pathlib import Path

from monitor.adapters.mofcom_detail import parse_detail
from monitor.extract.items import hs_codes_in, item_elements, item_row, items_from_text
from monitor.models import Item

CORPUS = Path(__file__).resolve().parents[2] / "monitor" / "corpus"


def test_no_18_prints_21_items_with_their_hs_lines() -> None:
    html = (CORPUS / "mofcom-2025-18.html").read_text("utf-8")
    raw = parse_detail(html, "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/x.html", "s")
    items = items_from_text(raw.text)
    assert [i.code for i in items][:4] == ["1C902.a", "1C902.b", "1C902.c", "1C903.a"]
    assert len(items) == 21  # 7 elements × .a/.b/.c; the （一）1C902 headings are not items
    first = items[0]
    assert first.description.startswith("金属钐；钐钴、钐铁")
    assert first.description.endswith("钐钴永磁材料及其制品")
    assert first.hs_codes == ("2805301910", "3824999922", "8486909110")
    assert first.elements == ("Sm",)
    assert first.source == "text"
    terbium = next(i for i in items if i.code == "1C904.a")
    assert terbium.elements == ("Tb",)  # 含铽的钕铁硼: the Tb content is what is controlled


def test_hs_lines_on_the_next_line_join_the_item_above() -> None:
    text = "\n".join(
        [
            "（一）1C909 钬相关物项",
            "1C909.a 金属钬；钬铜、镁钬、钬铁合金",
            "参考税则号列：28053019",
            "参考税则号列：28053019、81049000",
            "参考税则号列：28461000",
        ]
    )
    (item,) = items_from_text(text)
    assert item.code == "1C909.a"
    assert item.hs_codes == ("28053019", "81049000", "28461000")
    assert item.elements == ("Ho",)


def test_a_marker_line_before_any_item_and_prose_lines_are_ignored() -> None:
    text = "参考海关商品编号：2805301910\n本公告自公布之日起实施。\n1C902 钐相关物项"
    (item,) = items_from_text(text)
    assert item == Item(code="1C902", description="钐相关物项", elements=("Sm",))


def test_a_heading_with_hs_codes_is_an_item() -> None:
    text = "1C902 钐相关物项。参考海关商品编号：2805301910\n1C902.a 金属钐"
    assert [i.code for i in items_from_text(text)] == ["1C902", "1C902.a"]


def test_a_line_with_only_a_code_is_not_an_item() -> None:
    assert items_from_text("1C902\n2. 1C903。") == ()


def test_item_row_reads_table_cells() -> None:
    item = item_row(
        "１C９０４.b",
        "氧化铽及其混合物",
        "2846901993\n3824999922",
        source="附件1.pdf",
        notes=" 含量≥0.1% ",
        part="第一部分",
    )
    assert item == Item(
        code="1C904.b",
        description="氧化铽及其混合物",
        hs_codes=("2846901993", "3824999922"),
        elements=("Tb",),
        source="附件1.pdf",
        notes="含量≥0.1%",
        part="第一部分",
    )


def test_item_row_finds_the_code_and_hs_codes_inside_the_description() -> None:
    item = item_row("", "1C902.c 含钐的化合物。参考海关商品编号：2846902810、2846902910")
    assert item is not None
    assert item.code == "1C902.c"
    assert item.description == "含钐的化合物"
    assert item.hs_codes == ("2846902810", "2846902910")


def test_item_row_without_code_keeps_the_description() -> None:
    item = item_row("—", "稀土永磁材料")
    assert item is not None and item.code is None and item.elements == ()


def test_an_empty_row_is_no_item() -> None:
    assert item_row("", "  ", "") is None


def test_hs_codes_skip_other_numbers_and_repeat_once() -> None:
    assert hs_codes_in("2805301910、28053019；1C902；123456789；2805301910") == (
        "2805301910",
        "28053019",
    )


def test_elements_by_formula_english_name_and_context() -> None:
    assert item_elements("SmCo5 magnets; TbDyFe alloy") == ("Sm", "Tb", "Dy")
    assert item_elements("dysprosium oxide") == ("Dy",)
    assert item_elements("ABC alloy XyZ") == ()  # not chemical symbols
    assert item_elements("镧玻璃") == ()  # La alone, no rare-earth context
    assert item_elements("稀土镧铈合金") == ("La", "Ce")
    assert item_elements("镧钇合金") == ("La", "Y")
    assert item_elements("钕铁硼永磁材料") == ("Nd",)
    assert item_elements("含镝的钕铁硼永磁材料") == ("Dy",)
    assert item_elements("含镝的钕铁硼及金属钕") == ("Nd", "Dy")
    assert item_elements("釤鈷合金") == ("Sm",)
