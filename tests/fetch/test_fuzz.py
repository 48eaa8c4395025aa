"""Fuzz: decoding bodies and content-encodings never raises anything but the project's own
errors, respects the size cap, and round-trips what it can read."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator

import httpx
from hypothesis import given
from hypothesis import strategies as st

from monitor.errors import FetchError
from monitor.fetch.decode import decode_body
from monitor.fetch.mojibake import looks_like_mojibake
from monitor.fetch.stream import read_body
from tests.support.fuzz import VOCABULARY, fuzz_settings, texts, within_limit

LABELS = ["", "text/html", "text/html; charset=utf-8", "text/html; charset=iso-8859-1",
          "text/html; charset=gbk", "text/html; charset=big5", "text/html; charset=utf-16",
          "text/html; charset=x-unknown", "text/html; charset=\"utf-8"]  # fmt: skip


@fuzz_settings
@given(st.binary(max_size=3000), st.sampled_from(LABELS))
def test_fuzz_decode_body_gives_text_or_value_error(body: bytes, label: str) -> None:
    try:
        text, codec = within_limit(lambda: decode_body(body, label), "decode_body")
    except ValueError:
        return
    assert isinstance(text, str) and codec


@fuzz_settings
@given(texts, st.sampled_from(LABELS))
def test_fuzz_utf8_text_survives_any_label(text: str, label: str) -> None:
    body = text.encode("utf-8", errors="surrogatepass")
    if "utf-16" in label or not _valid_utf8(body) or looks_like_mojibake(text):
        return
    decoded, _ = decode_body(body, label)
    if not body.isascii():
        assert decoded == text.removeprefix("\ufeff")


def _valid_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class Pieces(httpx.SyncByteStream):
    def __init__(self, data: bytes, size: int) -> None:
        self.data, self.size = data, size

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self.data), self.size):
            yield self.data[start : start + self.size]


ENCODERS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "identity": lambda data: data,
    "gzip, deflate": lambda data: zlib.compress(gzip.compress(data)),
}


@fuzz_settings
@given(
    st.binary(max_size=5000) | st.sampled_from(VOCABULARY).map(lambda w: w.encode() * 2000),
    st.sampled_from(sorted(ENCODERS)),
    st.integers(1, 4096),
    st.integers(1, 20_000),
    st.integers(0, 40),
)
def test_fuzz_streamed_bodies(
    data: bytes, encoding: str, piece: int, cap: int, damage: int
) -> None:
    encoded = bytearray(ENCODERS[encoding](data))
    if damage and encoded:  # flip a byte somewhere: bad data must be a decode failure
        encoded[damage % len(encoded)] ^= 0x5A
    response = httpx.Response(200, headers={"Content-Encoding": encoding},
                              stream=Pieces(bytes(encoded), piece))  # fmt: skip
    try:
        body = within_limit(lambda: read_body(response, "https://x.cn/a", max_bytes=cap), "read")
    except FetchError as error:
        assert error.reason in {"too_large", "decode"}
        return
    assert len(body) <= cap
    if not damage:
        assert body == data
