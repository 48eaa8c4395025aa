from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from monitor.clock import FixedClock
from monitor.errors import FetchError
from monitor.fetch.client import Fetcher
from monitor.fetch.urls import from_wire, source_hosts, to_wire
from monitor.models import SourceDef, Validators

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mofcom-zcfb"
INDEX = "https://www.mofcom.gov.cn/zwgk/zcfb/index.html"
DETAIL = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_9c2108ccaf754f22a34abab2fedaa944.html"
PAGE = b"<!DOCTYPE html><html><body><p>\xe7\xa8\x80\xe5\x9c\x9f</p></body></html>"
NOW = datetime(2025, 10, 9, 1, 30, tzinfo=UTC)

Handler = Callable[[httpx.Request], httpx.Response]


def source(**options: Any) -> SourceDef:
    base_url = options.pop("base_url", None)
    return SourceDef(
        id="mofcom-zcfb", name="zcfb", kind="mofcom-jpaas", url=INDEX, interval_s=600,
        base_url=base_url, options=options,
    )  # fmt: skip


class FakeTime:
    """sleep() advances monotonic(); every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []
        self.lock = threading.Lock()

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.sleeps.append(round(seconds, 6))

    def monotonic(self) -> float:
        return self.now


class Recorder:
    def __init__(self, *responses: httpx.Response | Exception | Handler) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests.append(request)
            item = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(item, Exception):
            raise item
        if callable(item) and not isinstance(item, httpx.Response):
            return item(request)
        return item


def html(
    body: bytes = PAGE, status: int = 200, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status, headers={"Content-Type": "text/html; charset=utf-8", **(headers or {})},
        content=body,
    )  # fmt: skip


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def make_fetcher(recorder: Recorder, fake_time: FakeTime, **kwargs: Any) -> Fetcher:
    kwargs.setdefault("politeness_s", 0)
    return Fetcher(
        transport=httpx.MockTransport(recorder), sleep=fake_time.sleep,
        monotonic=fake_time.monotonic, jitter=lambda: 1.0, clock=FixedClock(NOW), **kwargs,
    )  # fmt: skip


@pytest.fixture
def fetch(fake_time: FakeTime) -> Iterator[Callable[..., tuple[Fetcher, Recorder]]]:
    made: list[Fetcher] = []

    def factory(*responses: Any, **kwargs: Any) -> tuple[Fetcher, Recorder]:
        recorder = Recorder(*responses)
        fetcher = make_fetcher(recorder, fake_time, **kwargs)
        made.append(fetcher)
        return fetcher, recorder

    yield factory
    for fetcher in made:
        fetcher.close()


def reason(call: Callable[[], object]) -> str:
    with pytest.raises(FetchError) as caught:
        call()
    return caught.value.reason


# -- success, headers, rewriting ---------------------------------------------------------


def test_ok_page(fetch: Any) -> None:
    fetcher, recorder = fetch(
        html(headers={"ETag": '"abc"', "Last-Modified": "Thu, 09 Oct 2025 01:00:00 GMT"})
    )
    page = fetcher.get(source(), DETAIL, headers={"Referer": INDEX})

    assert (page.url, page.final_url, page.status) == (DETAIL, DETAIL, 200)
    assert page.body == PAGE and "稀土" in page.text
    assert page.etag == '"abc"' and page.last_modified == "Thu, 09 Oct 2025 01:00:00 GMT"
    assert page.fetched_at == NOW
    assert page.sha256 == hashlib.sha256(PAGE).hexdigest()
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    sent = recorder.requests[0].headers
    assert sent["user-agent"].startswith("regwatch/0.1")
    assert sent["referer"] == INDEX
    assert sent["accept"].startswith("text/html")
    assert "if-none-match" not in sent


def test_base_url_rewrites_scheme_host_port_only(fetch: Any) -> None:
    fetcher, recorder = fetch(html())
    url = INDEX.replace("index.html", "art/2025/a.html?x=1&tagId=%E5%88%86")
    page = fetcher.get(source(base_url="http://127.0.0.1:9100"), url)

    assert str(recorder.requests[0].url) == (
        "http://127.0.0.1:9100/zwgk/zcfb/art/2025/a.html?x=1&tagId=%E5%88%86"
    )
    assert page.url == url and page.final_url == url


def test_url_mapping_helpers() -> None:
    src = source(base_url="http://127.0.0.1:9100", hosts=["aqygzj.mofcom.gov.cn"])
    assert source_hosts(src) == {"www.mofcom.gov.cn", "aqygzj.mofcom.gov.cn", "127.0.0.1"}
    assert to_wire(src, "https://aqygzj.mofcom.gov.cn/a?b") == "http://127.0.0.1:9100/a?b"
    assert to_wire(src, "https://www.globaltimes.cn/x") == "https://www.globaltimes.cn/x"
    assert from_wire(src, "http://127.0.0.1:9100/p?q") == "https://www.mofcom.gov.cn/p?q"
    assert from_wire(src, "https://other.example/p") == "https://other.example/p"
    assert to_wire(source(), DETAIL) == DETAIL


def test_source_options_override_user_agent_and_timeouts(fetch: Any) -> None:
    fetcher, recorder = fetch(html())
    fetcher.get(source(user_agent="Mozilla/5.0 test", read_timeout=7, connect_timeout=3), DETAIL)
    request = recorder.requests[0]
    assert request.headers["user-agent"] == "Mozilla/5.0 test"
    timeout = request.extensions["timeout"]
    assert (timeout["connect"], timeout["read"]) == (3, 7)


def test_expect_sets_accept_and_json_has_no_html_end_check(fetch: Any) -> None:
    body = b'{"code":"200","success":true,"data":{"html":"<ul></ul>"}}'
    fetcher, recorder = fetch(
        httpx.Response(200, headers={"Content-Type": "application/json"}, content=body)
    )
    page = fetcher.get(source(), INDEX, expect="json")
    assert page.text == body.decode()
    assert recorder.requests[0].headers["accept"].startswith("application/json")


def test_binary_is_not_decoded(fetch: Any) -> None:
    pdf = b"%PDF-1.7\n\xff\xfe\x00garbage"
    fetcher, _ = fetch(
        httpx.Response(200, headers={"Content-Type": "application/pdf"}, content=pdf)
    )
    page = fetcher.get(source(), DETAIL.replace(".html", ".pdf"), expect="binary")
    assert page.body == pdf and page.text == ""


# -- conditional GET --------------------------------------------------------------------


def test_conditional_get_304(fetch: Any) -> None:
    fetcher, recorder = fetch(httpx.Response(304, headers={"ETag": '"v2"'}))
    validators = Validators(etag='"v1"', last_modified="Wed, 08 Oct 2025 00:00:00 GMT", sha256="h1")
    page = fetcher.get(source(), INDEX, validators=validators, expect="json")

    sent = recorder.requests[0].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Wed, 08 Oct 2025 00:00:00 GMT"
    assert page.not_modified and page.status == 304
    assert page.body == b"" and page.text == ""
    assert page.sha256 == "h1"
    assert page.etag == '"v2"'
    assert page.last_modified == "Wed, 08 Oct 2025 00:00:00 GMT"


def test_same_body_gives_same_sha256(fetch: Any) -> None:
    fetcher, _ = fetch(html())
    first = fetcher.get(source(), DETAIL)
    second = fetcher.get(source(), DETAIL, validators=Validators(sha256=first.sha256))
    assert second.status == 200 and second.sha256 == first.sha256


# -- retries and backoff ----------------------------------------------------------------


def test_5xx_retried_with_exponential_backoff_then_http_status(
    fetch: Any, fake_time: FakeTime
) -> None:
    fetcher, recorder = fetch(html(b"oops", 500))
    assert reason(lambda: fetcher.get(source(), DETAIL)) == "http_status"
    assert len(recorder.requests) == 4
    assert fake_time.sleeps == [1.0, 2.0, 4.0]


def test_full_jitter_scales_the_delay(fake_time: FakeTime) -> None:
    recorder = Recorder(html(b"x", 503), html())
    with Fetcher(
        transport=httpx.MockTransport(recorder), sleep=fake_time.sleep, politeness_s=0,
        monotonic=fake_time.monotonic, jitter=lambda: 0.25, backoff_base_s=2.0,
    ) as fetcher:  # fmt: skip
        fetcher.get(source(), DETAIL)
    assert fake_time.sleeps == [0.5]


def test_recovers_after_transient_failures(fetch: Any, fake_time: FakeTime) -> None:
    request = httpx.Request("GET", DETAIL)
    fetcher, recorder = fetch(
        httpx.RemoteProtocolError("Server disconnected without sending a response.",
                                  request=request),
        httpx.ConnectError("connection reset", request=request),
        html(b"x", 502),
        html(),
    )  # fmt: skip
    page = fetcher.get(source(), DETAIL)
    assert page.status == 200 and len(recorder.requests) == 4
    assert fake_time.sleeps == [1.0, 2.0, 4.0]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (httpx.ConnectError("refused"), "connect"),
        (httpx.ReadError("reset by peer"), "connect"),
        (httpx.ConnectTimeout("slow"), "timeout"),
        (httpx.ReadTimeout("slow"), "timeout"),
    ],
)
def test_transport_errors_retried_then_labelled(
    fetch: Any, fake_time: FakeTime, error: Exception, expected: str
) -> None:
    fetcher, recorder = fetch(error, retries=2)
    assert reason(lambda: fetcher.get(source(), DETAIL)) == expected
    assert len(recorder.requests) == 3
    assert fake_time.sleeps == [1.0, 2.0]


def test_source_option_retries(fetch: Any) -> None:
    fetcher, recorder = fetch(html(b"x", 500))
    assert reason(lambda: fetcher.get(source(retries=0), DETAIL)) == "http_status"
    assert len(recorder.requests) == 1


@pytest.mark.parametrize("status", [400, 403, 404, 410, 429])
def test_4xx_not_retried(fetch: Any, fake_time: FakeTime, status: int) -> None:
    fetcher, recorder = fetch(html(b"<html>no</html>", status))
    assert reason(lambda: fetcher.get(source(), DETAIL)) == "http_status"
    assert len(recorder.requests) == 1 and fake_time.sleeps == []


def test_retry_after_is_honoured(fetch: Any, fake_time: FakeTime) -> None:
    fetcher, _ = fetch(html(b"busy", 503, {"Retry-After": "7"}), html())
    fetcher.get(source(), DETAIL)
    assert fake_time.sleeps == [7.0]


# -- challenge, empty, truncated, too large, decode ----------------------------------------


@pytest.mark.parametrize("name,status", [("challenge-412.html", 412), ("challenge-521.html", 521)])
def test_challenge_status_pages(fetch: Any, name: str, status: int) -> None:
    fetcher, recorder = fetch(html((FIXTURES / name).read_bytes(), status))
    assert reason(lambda: fetcher.get(source(), DETAIL)) == "challenge"
    assert len(recorder.requests) == 1


def test_200_javascript_challenge_page(fetch: Any) -> None:
    fetcher, _ = fetch(html((FIXTURES / "challenge-200.html").read_bytes()))
    assert reason(lambda: fetcher.get(source(), DETAIL)) == "challenge"
    fetcher, _ = fetch(html((FIXTURES / "challenge-200.html").read_bytes()))
    assert reason(lambda: fetcher.get(source(), INDEX, expect="json")) == "challenge"


def test_bare_challenge_script_without_html_end_is_a_challenge(fetch: Any) -> None:
    script = b"<script>document.cookie='__jsl_clearance_s=1|0|x';location.reload()</script>"
    fetcher, recorder = fetch(html(script))
    assert reason(lambda: fetcher.get(source(), DETAIL)) == "challenge"
    assert len(recorder.requests) == 1


def test_real_page_with_cookie_script_is_not_a_challenge(fetch: Any) -> None:
    page = (
        (FIXTURES / "mofcom-2025-18.html")
        .read_bytes()
        .replace(
            b"</head>",
            b"<script>document.cookie='font=big';if(x){window.location.href='/m/'}</script></head>",
        )
    )
    fetcher, _ = fetch(html(page))
    assert fetcher.get(source(), DETAIL).status == 200


def test_empty_bodies(fetch: Any) -> None:
    fetcher, recorder = fetch(httpx.Response(202, content=b""))
    assert reason(lambda: fetcher.get(source(), DETAIL)) == "empty_body"
    assert len(recorder.requests) == 1
    fetcher, _ = fetch(html(b""))
    assert reason(lambda: fetcher.get(source(), DETAIL)) == "empty_body"
    fetcher, _ = fetch(html(b"  \r\n "))
    assert reason(lambda: fetcher.get(source(), INDEX, expect="json")) == "empty_body"


def test_short_body_against_content_length_is_truncated(fetch: Any) -> None:
    fetcher, recorder = fetch(
        html(PAGE[:20], headers={"Content-Length": str(len(PAGE))}), retries=1
    )
    assert reason(lambda: fetcher.get(source(), DETAIL)) == "truncated"
    assert len(recorder.requests) == 2


def test_peer_closing_mid_body_is_truncated(fetch: Any) -> None:
    class CutStream(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield PAGE[:10]
            raise httpx.RemoteProtocolError("peer closed connection without sending complete body")

    fetcher, _ = fetch(
        httpx.Response(200, headers={"Content-Type": "text/html"}, stream=CutStream()), retries=0
    )
    assert reason(lambda: fetcher.get(source(), DETAIL)) == "truncated"


def test_html_without_closing_tag_is_truncated_but_json_and_plain_text_are_not(
    fetch: Any,
) -> None:
    cut = PAGE.replace(b"</body></html>", b"")
    fetcher, _ = fetch(html(cut), retries=0)
    assert reason(lambda: fetcher.get(source(), DETAIL)) == "truncated"
    fetcher, _ = fetch(httpx.Response(200, headers={"Content-Type": "text/plain"}, content=cut))
    assert fetcher.get(source(), DETAIL).status == 200
    fetcher, _ = fetch(html(cut))
    assert fetcher.get(source(), DETAIL, expect="xml").status == 200


def test_too_large_by_header_and_while_streaming(fetch: Any) -> None:
    fetcher, recorder = fetch(html(PAGE), max_bytes=10)
    assert reason(lambda: fetcher.get(source(), DETAIL)) == "too_large"
    assert len(recorder.requests) == 1

    class Endless(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            while True:
                yield b"x" * 1024

    fetcher, _ = fetch(httpx.Response(200, stream=Endless()))
    assert reason(lambda: fetcher.get(source(max_bytes=50_000), DETAIL)) == "too_large"


def test_gb2312_labelled_page_is_read_as_gb18030(fetch: Any) -> None:
    text = "<html><head><meta charset='gb2312'></head><body>朱镕基 钐 镝</body></html>"
    fetcher, _ = fetch(httpx.Response(200, headers={"Content-Type": "text/html"},
                                      content=text.encode("gb18030")))  # fmt: skip
    assert fetcher.get(source(), DETAIL).text == text


def test_header_charset_wins(fetch: Any) -> None:
    text = "<html><head><meta charset='utf-8'></head><body>稀土</body></html>"
    fetcher, _ = fetch(httpx.Response(200, headers={"Content-Type": "text/html; charset=GBK"},
                                      content=text.encode("gb18030")))  # fmt: skip
    assert fetcher.get(source(), DETAIL).text == text


def test_undecodable_body(fetch: Any) -> None:
    body = b"<html>" + bytes(range(128, 256)) * 40 + b"</html>"
    fetcher, _ = fetch(html(body))
    assert reason(lambda: fetcher.get(source(), DETAIL)) == "decode"


# -- redirects ---------------------------------------------------------------------------


def redirect(location: str, status: int = 302) -> httpx.Response:
    return httpx.Response(status, headers={"Location": location})


def test_redirect_within_host_is_followed(fetch: Any) -> None:
    fetcher, recorder = fetch(redirect("/zwgk/zcfb/art/2025/moved.html"), html())
    page = fetcher.get(source(), DETAIL)
    assert page.url == DETAIL
    assert page.final_url == "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/moved.html"
    assert [str(r.url) for r in recorder.requests][1] == page.final_url


def test_redirect_off_site_is_refused(fetch: Any) -> None:
    fetcher, recorder = fetch(redirect("https://evil.example/login"), html())
    assert reason(lambda: fetcher.get(source(), DETAIL)) == "redirect_off_site"
    assert len(recorder.requests) == 1


def test_redirect_to_listed_host_and_via_base_url(fetch: Any) -> None:
    fetcher, recorder = fetch(redirect("https://aqygzj.mofcom.gov.cn/a.html", 301), html())
    page = fetcher.get(source(hosts=["aqygzj.mofcom.gov.cn"]), DETAIL)
    assert page.final_url == "https://aqygzj.mofcom.gov.cn/a.html"

    # a replay answering with absolute URLs on its own origin stays on base_url on the wire
    fetcher, recorder = fetch(redirect("http://127.0.0.1:9100/b.html"), html())
    page = fetcher.get(source(base_url="http://127.0.0.1:9100"), DETAIL)
    assert str(recorder.requests[1].url) == "http://127.0.0.1:9100/b.html"
    assert page.final_url == "https://www.mofcom.gov.cn/b.html"


def test_redirect_loop(fetch: Any) -> None:
    fetcher, recorder = fetch(redirect(DETAIL))
    assert reason(lambda: fetcher.get(source(), DETAIL)) == "redirect_off_site"
    assert len(recorder.requests) == 6


# -- politeness --------------------------------------------------------------------------


def test_politeness_gap_per_host(fake_time: FakeTime) -> None:
    recorder = Recorder(html())
    fetcher = make_fetcher(recorder, fake_time, politeness_s=2.0)
    other = "https://english.mofcom.gov.cn/x.html"
    fetcher.get(source(), DETAIL)
    fetcher.get(source(), DETAIL)  # same host, no time passed: waits the full gap
    fetcher.get(source(), other)  # another host: no wait
    fake_time.now += 10
    fetcher.get(source(), DETAIL)  # gap long over: no wait
    assert fake_time.sleeps == [2.0]
    fetcher.close()


def test_politeness_option_and_retries_wait_their_turn(fake_time: FakeTime) -> None:
    recorder = Recorder(html(b"x", 500), html())
    fetcher = make_fetcher(recorder, fake_time, politeness_s=2.0)
    fetcher.get(source(politeness=5), DETAIL)
    # backoff 1 s, then the politeness slot: 5 s after the first request start
    assert fake_time.sleeps == [1.0, 5.0]
    fetcher.close()


def test_politeness_is_shared_across_threads(fake_time: FakeTime) -> None:
    recorder = Recorder(html())
    fetcher = make_fetcher(recorder, fake_time, politeness_s=2.0)
    threads = [threading.Thread(target=fetcher.get, args=(source(), DETAIL)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # the first goes at once, the others reserved slots 2, 4 and 6 s later
    assert sorted(fake_time.sleeps) == [2.0, 4.0, 6.0]
    assert len(recorder.requests) == 4
    fetcher.close()


def test_default_fetcher_constructs_and_closes() -> None:
    with Fetcher(politeness_s=0) as fetcher:
        assert isinstance(fetcher, Fetcher)


def test_a_utf8_page_labelled_latin1_is_read_as_utf8(fetch: Any) -> None:
    text = "<html><body><p>商务部公告2025年第61号</p></body></html>"
    fetcher, _ = fetch(
        html(text.encode(), headers={"Content-Type": "text/html; charset=iso-8859-1"})
    )
    assert fetcher.get(source(), DETAIL).text == text
