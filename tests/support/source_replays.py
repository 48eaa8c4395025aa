"""Every bundled source's site, replayed on 127.0.0.1, and the config that points each
bundled definition at its replay by `base_url`.

Texts are ours, written in the style of the real pages with the real numbers and dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from monitor.replay.exportcontrol import ExportControlSite
from monitor.replay.federal_register import Document, FederalRegisterSite
from monitor.replay.html_lists import GACC_STYLE, ListSite, ListSpec
from monitor.replay.mofcom_pages import render_detail_page
from monitor.replay.searches import GovcnSearchSite, NewsSearchSite, PolicyHit, Story
from monitor.replay.site import ReplaySite

BEIJING = dt.timezone(dt.timedelta(hours=8))
EN_LIST = "/Policies/AnnouncementsOrders/index.html"
PRESS_LIST = "/xwfb/rcxwfb/index.html"
GACC_LIST = "/customs/302249/302266/302267/index.html"
ZCFB_ART = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/"
EC_ART = "https://exportcontrol.mofcom.gov.cn/article/zcfg/gnzcfg/zcfggzqd/"
EN_ART = "https://english.mofcom.gov.cn/Policies/AnnouncementsOrders/art/2025/"

N18_TITLE = "商务部 海关总署公告2025年第18号 关于对部分中重稀土相关物项实施出口管制的决定"
N18_TEXT = [
    "根据《中华人民共和国出口管制法》等法律法规有关规定，为维护国家安全和利益、履行防扩散等国际义务，"
    "经国务院批准，决定对钐、钆、铽、镝、镥、钪、钇等7类中重稀土相关物项实施出口管制。",
    "1C902 钐相关物项。a. 金属钐、钐钴合金。参考海关商品编号：2805301910。",
    "本公告自公布之日起正式实施。",
]
N61_TITLE = "商务部公告2025年第61号 公布对境外相关稀土物项实施出口管制的决定"
N61_TEXT = [
    "根据《中华人民共和国出口管制法》《中华人民共和国两用物项出口管制条例》等法律法规有关规定，"
    "为维护国家安全和利益，经国务院批准，决定对境外相关稀土物项实施出口管制。",
    "境外出口经营者将含有、集成或者混有原产于中国的稀土物项且价值比例达到0.1%及以上的物项"
    "从境外出口至第三国或者地区的，应当申请两用物项出口许可证。",
    "本公告第一条第（一）项、第（二）项自2025年12月1日起实施，其余条款自公布之日起实施。",
]
N61_EN_TITLE = (
    "MOFCOM Announcement No. 61 of 2025 on the Decision to Implement Export Controls on "
    "Relevant Overseas Rare Earth Items"
)
N61_EN_TEXT = [
    "In accordance with the Export Control Law of the People's Republic of China and other "
    "laws and regulations, the Ministry of Commerce decides to implement export controls on "
    "relevant overseas rare earth items.",
    "Items containing Chinese-origin rare earth items at a value ratio of 0.1% or more "
    "require a dual-use item export licence when exported from abroad to a third country.",
]
URL_18 = ZCFB_ART + "art_9c2108ccaf754f22a34abab2fedaa944.html"
URL_61 = ZCFB_ART + "art_3b7e2f0c9d8a4e61b5c2a7d9e4f10a61.html"
EC_18 = EC_ART + "202504/20250404180012.html"
EC_61 = EC_ART + "202510/20251009093015.html"
EN_18 = EN_ART + "art_0dd87cbee7b045bf93fabe6ab2faceee.html"
EN_61 = EN_ART + "art_7a41c0d2e9b84f61a3d5c8e2f0b61e61.html"
FR_MAGNETS = Document(
    "2025-20871",
    "Export Administration Regulations: Controls on Rare Earth Permanent Magnets and "
    "Magnet Production Equipment",
    "RULE",
    "The Bureau of Industry and Security (BIS) amends the Export Administration Regulations "
    "to require a license for exports of sintered neodymium-iron-boron (NdFeB) permanent "
    "magnets containing dysprosium or terbium, and of equipment for producing them.",
    "Interim final rule; request for comments.",
    dt.date(2025, 10, 20),
    dt.date(2025, 11, 1),
    citation="90 FR 48812",
    cfr_references=("742", "774"),
)
FR_OLD = Document(
    "2025-05512",
    "Additions to the Entity List",
    "RULE",
    "BIS adds entities to the Entity List for acting contrary to the national security of "
    "the United States.",
    "Final rule.",
    dt.date(2025, 3, 28),
    dt.date(2025, 3, 25),
    citation="90 FR 14034",
)


@dataclass
class Replays:
    mofcom: ReplaySite
    exportcontrol: ExportControlSite
    english: ListSite
    press: ListSite
    gacc: ListSite
    govcn: GovcnSearchSite
    news: NewsSearchSite
    federal_register: FederalRegisterSite

    def base_urls(self) -> dict[str, str]:
        """Every bundled source id → the replay that stands in for its site."""
        return {
            "mofcom-zcfb": self.mofcom.base_url,
            "mofcom-aqygzj": self.mofcom.base_url,
            "globaltimes-china": self.mofcom.base_url,
            "mofcom-exportcontrol": self.exportcontrol.base_url,
            "mofcom-exportcontrol-faq": self.exportcontrol.base_url,
            "mofcom-english-announcements": self.english.base_url,
            "mofcom-spokesperson": self.press.base_url,
            "customs-gacc-announcements": self.gacc.base_url,
            "govcn-export-control": self.govcn.base_url,
            "news-search-zh": self.news.base_url,
            "news-search-en": self.news.base_url,
            "federal-register-bis": self.federal_register.base_url,
        }

    def config_toml(self, store_url: str) -> str:
        ids = list(self.base_urls())
        lines = [f'[store]\nurl = "{store_url}"\n', "[sources]", f"enabled = {ids!r}\n"]
        for source_id, base in self.base_urls().items():
            lines += [f"[sources.{source_id}]", f'base_url = "{base}"', "politeness = 0",
                      "retries = 0", 'recheck = "1000d"', ""]  # fmt: skip
        lines += ["[[subscribers]]", 'name = "ops"', "console = true", ""]
        return "\n".join(lines).replace("'", '"')

    # -- content --------------------------------------------------------------------------

    def publish_baseline(self) -> None:
        """What every site already shows before regwatch first looks."""
        number_18 = "商务部 海关总署公告2025年第18号"
        page = render_detail_page(N18_TITLE, number_18, "安全与管制局",
                                  dt.datetime(2025, 4, 4, 18, 0), N18_TEXT)  # fmt: skip
        self.mofcom.publish(URL_18, page, title=N18_TITLE, date=dt.date(2025, 4, 4))
        self.mofcom.publish(
            "https://aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/art/2025/art_f3a1432ba20248eca12ff7b91bc73fda.html",
            page, title=N18_TITLE, date=dt.date(2025, 4, 4), column="aqygzj",
        )  # fmt: skip
        self.mofcom.add_rss_item(
            title="China announces export controls on seven medium and heavy rare earths",
            link="https://www.globaltimes.cn/page/202504/1331609.shtml",
            published=dt.datetime(2025, 4, 4, 21, 0, tzinfo=BEIJING),
            description="MOFCOM and the GAC said in Announcement No. 18 of 2025 that export "
            "controls apply to samarium, gadolinium, terbium, dysprosium, lutetium, scandium "
            "and yttrium items.",
        )
        self.exportcontrol.publish(9, _path(EC_18), N18_TITLE, dt.date(2025, 4, 4), N18_TEXT)
        self.exportcontrol.publish(
            17, "/article/cjwt/202505/20250512100001.html",
            "关于中重稀土相关物项出口许可申请的常见问题解答", dt.date(2025, 5, 12),
            ["问：出口受管制的稀土物项需要提交哪些材料？答：出口经营者应通过两用物项出口许可证件申领系统提交申请。"],
        )  # fmt: skip
        english_18 = render_detail_page(
            "MOFCOM GAC Announcement No. 18 of 2025 on the Decision to Implement Export "
            "Controls on Some Medium and Heavy Rare Earth Items",
            "MOFCOM GAC Announcement No. 18 of 2025", "Department of Security and Control",
            dt.datetime(2025, 4, 4, 19, 30),
            ["Export controls apply to samarium, gadolinium, terbium, dysprosium, lutetium, "
             "scandium and yttrium related items."], language="en",
        )  # fmt: skip
        self.english.publish(EN_LIST, EN_18, "MOFCOM GAC Announcement No. 18 of 2025",
                             dt.date(2025, 4, 4), english_18)  # fmt: skip
        press = render_detail_page(
            "商务部新闻发言人就稀土相关物项出口管制答记者问", None, None,
            dt.datetime(2025, 4, 4, 20, 0),
            ["问：商务部、海关总署发布公告，对部分中重稀土相关物项实施出口管制，请问有何考虑？",
             "答：对相关物项实施出口管制是国际通行做法，商务部 海关总署公告2025年第18号依法发布。"],
        )  # fmt: skip
        self.press.publish(PRESS_LIST, "https://www.mofcom.gov.cn/xwfb/rcxwfb/art/2025/"
                           "art_5e0a7c61d2f44b0c9e1a3b7d6c8f2e18.html",
                           "商务部新闻发言人就稀土相关物项出口管制答记者问", dt.date(2025, 4, 4),
                           press)  # fmt: skip
        self.gacc.publish(GACC_LIST, "http://www.customs.gov.cn/customs/302249/302266/302267/"
                          "6431185/index.html",
                          "海关总署公告2025年第29号（关于调整部分稀土相关物项海关商品编号的公告）",
                          dt.date(2025, 4, 30))  # fmt: skip
        self.govcn.publish(PolicyHit(N18_TITLE, "https://www.gov.cn/zhengce/zhengceku/202504/"
                                     "content_7017523.htm", "商务部 海关总署", number_18,
                                     dt.date(2025, 4, 4)))  # fmt: skip
        self.news.publish("zh-CN", Story(
            "商务部 海关总署对部分中重稀土相关物项实施出口管制", "https://www.news.cn/fortune/20250404/"
            "c2a1d6e0f3b04c8e9d7a5b6c1e2f3a4b/c.html", "新华网", "https://www.news.cn",
            dt.datetime(2025, 4, 4, 19, 12, tzinfo=BEIJING),
            "商务部、海关总署4日发布2025年第18号公告，决定对钐、钆、铽、镝、镥、钪、钇等7类中重稀土相关物项实施出口管制。",
        ))  # fmt: skip
        self.news.publish("en-US", Story(
            "China imposes export controls on seven rare earth elements",
            "https://www.example-wire.com/markets/commodities/china-rare-earth-controls-2025-04-04/",
            "Example Wire", "https://www.example-wire.com",
            dt.datetime(2025, 4, 4, 13, 40, tzinfo=dt.UTC),
            "China's commerce ministry said in Announcement No. 18 of 2025 that seven medium "
            "and heavy rare earths, including dysprosium and terbium, need export licences.",
        ))  # fmt: skip
        self.federal_register.publish(FR_OLD)

    def publish_61_everywhere(self) -> None:
        """No. 61 of 2025 appears on www, exportcontrol and the English site at once."""
        page = render_detail_page(N61_TITLE, "商务部公告2025年第61号", "安全与管制局",
                                  dt.datetime(2025, 10, 9, 9, 30), N61_TEXT)  # fmt: skip
        self.mofcom.publish(URL_61, page, title=N61_TITLE, date=dt.date(2025, 10, 9))
        self.exportcontrol.publish(9, _path(EC_61), N61_TITLE, dt.date(2025, 10, 9), N61_TEXT)
        english = render_detail_page(N61_EN_TITLE, "MOFCOM Announcement No. 61 of 2025",
                                     "Department of Security and Control",
                                     dt.datetime(2025, 10, 9, 11, 0), N61_EN_TEXT,
                                     language="en")  # fmt: skip
        self.english.publish(EN_LIST, EN_61, "MOFCOM Announcement No. 61 of 2025",
                             dt.date(2025, 10, 9), english)  # fmt: skip


def _path(url: str) -> str:
    return url.split("gov.cn", 1)[1]


@contextmanager
def started_replays() -> Iterator[Replays]:
    with ExitStack() as stack:
        replays = Replays(
            mofcom=stack.enter_context(ReplaySite()),
            exportcontrol=stack.enter_context(ExportControlSite()),
            english=stack.enter_context(ListSite("english", [ListSpec(EN_LIST, "index_{n}.html")])),
            press=stack.enter_context(
                ListSite("press", [ListSpec(PRESS_LIST, "index_{n}.html", title="例行新闻发布")])
            ),
            gacc=stack.enter_context(
                ListSite(
                    "gacc",
                    [ListSpec(GACC_LIST, "2011fa33-{n}.html", GACC_STYLE, title="海关总署公告")],
                    challenge_cookie=True,
                )
            ),
            govcn=stack.enter_context(GovcnSearchSite()),
            news=stack.enter_context(NewsSearchSite()),
            federal_register=stack.enter_context(FederalRegisterSite()),
        )
        yield replays
