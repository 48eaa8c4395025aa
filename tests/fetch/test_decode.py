"""fetch/decode.py: the charset a body declares, checked against what its bytes are."""

from __future__ import annotations

import pytest

from monitor.fetch.decode import (
    charset_from_content_type,
    charset_from_markup,
    codec_name,
    decode_body,
)


@pytest.mark.parametrize(
    ("label", "codec"),
    [("gb2312", "gb18030"), ("GBK", "gb18030"), ("x-gbk", "gb18030"), ("UTF-8", "utf-8"),
     ("big5", "big5"), ("nonsense", None), (None, None)],
)  # fmt: skip
def test_codec_name(label: str | None, codec: str | None) -> None:
    assert codec_name(label) == codec


def test_charset_sources() -> None:
    assert charset_from_content_type('text/html; charset="GB2312"') == "gb18030"
    assert charset_from_content_type("text/html") is None
    assert charset_from_markup(b'<html><head><meta charset="gbk">') == "gb18030"
    assert (
        charset_from_markup(b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
        == "gb18030"
    )
    assert charset_from_markup(b'<?xml version="1.0" encoding="GB2312"?><rss/>') == "gb18030"


def test_gb2312_label_with_gb18030_only_character_decodes() -> None:
    # 镕 is outside GB2312: a strict gb2312 codec fails on it
    text = "<meta charset='gb2312'><p>朱镕基 稀土</p>"
    body = text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")
    assert decode_body(body) == (text, "gb18030")


def test_header_charset_wins_over_meta() -> None:
    text = "<meta charset='utf-8'><p>稀土</p>"
    assert decode_body(text.encode("gb18030"), "text/html; charset=gbk") == (text, "gb18030")


def test_utf8_page_mislabelled_gb2312_is_read_as_utf8() -> None:
    text = "<meta charset='gb2312'><p>\u201c稀土\u201d</p>"
    decoded, codec = decode_body(text.encode("utf-8"))
    assert codec == "utf-8"
    assert "鈥" not in decoded and decoded == text


def test_default_utf8_and_bom() -> None:
    assert decode_body("稀土".encode()) == ("稀土", "utf-8")
    assert decode_body(b"\xef\xbb\xbf" + "稀土".encode()) == ("稀土", "utf-8-sig")


def test_undeclared_gbk_falls_back_to_detection() -> None:
    text = "商务部 海关总署公告2025年第18号，关于对部分中重稀土相关物项实施出口管制的公告。" * 5
    decoded, codec = decode_body(text.encode("gb18030"))
    assert decoded == text
    assert codec == "gb18030"


def test_garbage_raises_value_error() -> None:
    with pytest.raises(ValueError):
        decode_body(bytes(range(128, 256)) * 40, "text/html; charset=utf-8")


# -- charset lies: evidence over labels, one test per lie ---------------------------------

NOTICE = (
    "商务部公告2025年第61号 公布对境外相关稀土物项实施出口管制的决定。本公告自公布之日起正式实施。"
)


def test_utf8_labelled_latin1_in_the_header_is_utf8() -> None:
    text, codec = decode_body(NOTICE.encode(), "text/html; charset=iso-8859-1")
    assert (text, codec) == (NOTICE, "utf-8")


def test_utf8_labelled_latin1_in_the_markup_is_utf8() -> None:
    page = f'<html><head><meta charset="ISO-8859-1"></head><body>{NOTICE}</body></html>'
    text, codec = decode_body(page.encode(), "text/html")
    assert NOTICE in text and codec == "utf-8"


def test_gb18030_labelled_latin1_is_gb18030() -> None:
    text, codec = decode_body(NOTICE.encode("gb18030"), "text/html; charset=iso-8859-1")
    assert (text, codec) == (NOTICE, "gb18030")


def test_gb18030_labelled_utf8_is_gb18030() -> None:
    text, _ = decode_body(NOTICE.encode("gb18030"), "text/html; charset=utf-8")
    assert text == NOTICE


def test_double_encoded_utf8_is_repaired() -> None:
    # UTF-8 once decoded as Latin-1 by some CMS, then served as UTF-8: å•†åŠ¡éƒ¨…
    double = NOTICE.encode().decode("latin-1").encode()
    text, _ = decode_body(double, "text/html; charset=utf-8")
    assert text == NOTICE


@pytest.mark.parametrize(
    "western",
    [
        "Règlement sur les exportations de terres rares, édition révisée à Genève",
        "Grüße aus München: Ausfuhrkontrolle für Seltene Erden, Maßnahmen ab Oktober",
        "Exportación de tierras raras: la Comisión Europea reaccionó el miércoles",
    ],
)
def test_real_latin1_text_stays_latin1(western: str) -> None:
    text, codec = decode_body(western.encode("latin-1"), "text/html; charset=iso-8859-1")
    assert (text, codec) == (western, "iso8859-1")


def test_utf16_label_is_believed_even_when_the_bytes_are_valid_utf8() -> None:
    body = "稀土".encode("utf-16-le")  # 00 7a 1f 57: valid UTF-8 too (NUL, z, …)
    text, _ = decode_body(body, "text/plain; charset=utf-16le")
    assert text == "稀土"
