"""The jpaas adapter reads annexes, page tables and same-host iframes into item rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from monitor.adapters.base import SourceState
from monitor.adapters.mofcom_jpaas import MofcomJpaasAdapter
from monitor.fetch.client import Fetcher
from monitor.models import SourceDef
from monitor.replay import ReplaySite, render_detail_page
from tests.support.annex_files import annex_docx, annex_html, annex_xlsx, no61_annex

INDEX = "https://www.mofcom.gov.cn/zwgk/zcfb/index.html"
WWW = "https://www.mofcom.gov.cn"
PAGE = WWW + "/zwgk/zcfb/art/2025/art_3b7e2f0c9d8a4e61b5c2a7d9e4f10a61.html"
ATTACH = WWW + "/cms_files/filemanager/1077459795/attach/202510/"
SOURCE = SourceDef(
    id="mofcom-zcfb", name="zcfb", kind="mofcom-jpaas", url=INDEX, interval_s=900,
    options={"web_id": "8f43c7ad3afc411fb56f281724b73708",
             "tpl_set_id": "52551ea0e2c14bca8c84792f7aa37ead",
             "page_id": "fc8bdff48fa345a48b651c1285b70b8f"},
)  # fmt: skip
TABLE = (
    "<table><tr><td>序号</td><td>物项名称</td><td>管制编码</td><td>参考海关商品编号</td></tr>"
    "<tr><td>1</td><td>金属钐</td><td>1C902.a</td><td>2805301910</td></tr></table>"
)


@pytest.fixture
def site() -> ReplaySite:
    return ReplaySite()


@pytest.fixture
def fetcher(site: ReplaySite) -> Iterator[Fetcher]:
    with Fetcher(politeness_s=0, retries=0, backoff_base_s=0, transport=site.transport()) as f:
        yield f


def publish(site: ReplaySite, attachments: list[tuple[str, str]], extra: str = "") -> None:
    html = render_detail_page(
        "商务部公告2025年第61号 公布对境外相关稀土物项实施出口管制的决定",
        "商务部公告2025年第61号", "安全与管制局",
        dt.datetime(2025, 10, 9, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        ["决定对附件所列物项实施出口管制。"], attachments,
    )  # fmt: skip
    html = html.replace("</div>\n</body>", f"{extra}</div>\n</body>")
    site.publish(PAGE, html, title="商务部公告2025年第61号", date=dt.date(2025, 10, 9))


def poll(site: ReplaySite, fetcher: Fetcher):  # type: ignore[no-untyped-def]
    result = MofcomJpaasAdapter().poll(SOURCE, fetcher, SourceState(first_run=True))
    (notice,) = result.notices
    return notice


def test_docx_and_xlsx_annexes_and_a_failed_fetch(site: ReplaySite, fetcher: Fetcher) -> None:
    site.add_attachment(ATTACH + "a.docx", annex_docx(no61_annex()), "application/msword")
    site.add_attachment(ATTACH + "b.xlsx", annex_xlsx(no61_annex()), "application/vnd.ms-excel")
    missing = ATTACH + "c.pdf"  # never added: the site answers 404
    publish(site, [(ATTACH + "a.docx", "附件1"), (ATTACH + "b.xlsx", "附件2"), (missing, "附件3")])
    notice = poll(site, fetcher)
    docx, xlsx, pdf = notice.attachments
    assert len(docx.items) == len(xlsx.items) == 10 and docx.sha256
    assert docx.items[0].source == "附件1.docx" and xlsx.items[0].source == "附件2.xlsx"
    assert pdf.items == () and (pdf.error or "").startswith("fetch:")


def test_page_tables_and_same_host_iframes(site: ReplaySite, fetcher: Fetcher) -> None:
    frame = WWW + "/cms_files/filemanager/1077459795/attach/202510/table.html"
    site.add_attachment(frame, annex_html(no61_annex()).encode(), "text/html; charset=utf-8")
    extra = (
        f'{TABLE}<iframe src="{frame}" title="附件1 物项清单"></iframe>'
        '<iframe src="https://elsewhere.example/x.html"></iframe><iframe src="javascript:;">'
        "</iframe>"
    )
    publish(site, [], extra)
    notice = poll(site, fetcher)
    assert [(i.code, i.source) for i in notice.table_items] == [("1C902.a", "text")]
    (framed,) = notice.attachments
    assert framed.url == frame and len(framed.items) == 10
    assert framed.items[0].source == "附件1 物项清单.html"


def test_the_same_annex_bytes_are_read_once(
    site: ReplaySite, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    import monitor.adapters.mofcom_jpaas as jpaas

    calls: list[str] = []
    real = jpaas.read_annex

    def counting(data: bytes, name: str, url: str) -> jpaas.AnnexResult:
        calls.append(url)
        return real(data, name, url)

    monkeypatch.setattr(jpaas, "read_annex", counting)
    monkeypatch.setattr(jpaas, "ANNEX_CACHE_SIZE", 1)
    site.add_attachment(ATTACH + "a.docx", annex_docx(no61_annex()), "application/msword")
    publish(site, [(ATTACH + "a.docx", "附件1")])
    adapter = MofcomJpaasAdapter()
    for _ in range(2):
        result = adapter.poll(SOURCE, fetcher, SourceState(first_run=True))
        assert len(result.notices[0].attachments[0].items) == 10
    assert calls == [ATTACH + "a.docx"]
    site.add_attachment(ATTACH + "a.docx", annex_xlsx(no61_annex()), "application/msword")
    adapter.poll(SOURCE, fetcher, SourceState(first_run=True))
    assert len(calls) == 2  # new bytes are read again (and the older entry made room)
