from __future__ import annotations

from pathlib import Path

import pytest

from monitor.adapters.catalog import available_sources, load_catalog, render_available
from monitor.config import build_settings
from monitor.errors import ConfigError


def test_bundled_catalog_has_the_main_source() -> None:
    catalog = load_catalog(build_settings({}))
    source = catalog["mofcom-zcfb"]
    assert source.kind == "mofcom-jpaas"
    assert source.url == "https://www.mofcom.gov.cn/zwgk/zcfb/index.html"
    assert source.interval_s > 0 and source.base_url is None


def test_overrides_replace_base_url_and_interval() -> None:
    settings = build_settings(
        {
            "sources": {
                "enabled": ["mofcom-zcfb"],
                "mofcom-zcfb": {"base_url": "http://127.0.0.1:9100/", "interval": "10m"},
            }
        }
    )
    catalog = load_catalog(settings)
    assert list(catalog) == ["mofcom-zcfb"]
    assert catalog["mofcom-zcfb"].base_url == "http://127.0.0.1:9100"
    assert catalog["mofcom-zcfb"].interval_s == 600


@pytest.mark.parametrize(
    ("sources", "key"),
    [
        ({"enabled": ["nope"]}, "sources.enabled[0]"),
        ({"nope": {"interval": "1m"}}, "sources.nope"),
        ({"mofcom-zcfb": {"interval": "often"}}, "sources.mofcom-zcfb.interval"),
        ({"mofcom-zcfb": {"colour": "red"}}, "sources.mofcom-zcfb.colour"),
        ({"mofcom-zcfb": {"base_url": "ftp://x"}}, "sources.mofcom-zcfb.base_url"),
        ({"mofcom-zcfb": {"page_size": 0}}, "sources.mofcom-zcfb.page_size"),
        ({"mofcom-zcfb": {"page_size": "15"}}, "sources.mofcom-zcfb.page_size"),
        ({"mofcom-zcfb": {"max_bytes": -1}}, "sources.mofcom-zcfb.max_bytes"),
        ({"mofcom-zcfb": {"read_timeout": 0}}, "sources.mofcom-zcfb.read_timeout"),
        ({"mofcom-zcfb": {"connect_timeout": -2.5}}, "sources.mofcom-zcfb.connect_timeout"),
        ({"mofcom-zcfb": {"deadline": 0}}, "sources.mofcom-zcfb.deadline"),
        ({"mofcom-zcfb": {"poll_deadline": "0s"}}, "sources.mofcom-zcfb.poll_deadline"),
        ({"mofcom-zcfb": {"politeness": "fast"}}, "sources.mofcom-zcfb.politeness"),
        ({"mofcom-zcfb": {"politeness": -1}}, "sources.mofcom-zcfb.politeness"),
        ({"mofcom-zcfb": {"retries": -1}}, "sources.mofcom-zcfb.retries"),
        ({"mofcom-zcfb": {"retries": True}}, "sources.mofcom-zcfb.retries"),
        ({"mofcom-zcfb": {"first_run_pages": 0}}, "sources.mofcom-zcfb.first_run_pages"),
        ({"mofcom-zcfb": {"max_pages": 0}}, "sources.mofcom-zcfb.max_pages"),
        ({"mofcom-zcfb": {"xhr": "yes"}}, "sources.mofcom-zcfb.xhr"),
        ({"mofcom-zcfb": {"hosts": ["ok.cn", "x/y"]}}, "sources.mofcom-zcfb.hosts[1]"),
        ({"mofcom-zcfb": {"hosts": 5}}, "sources.mofcom-zcfb.hosts"),
        ({"mofcom-zcfb": {"user_agent": ""}}, "sources.mofcom-zcfb.user_agent"),
        ({"mofcom-zcfb": {"recheck": "daily"}}, "sources.mofcom-zcfb.recheck"),
        ({"globaltimes-china": {"language": 3}}, "sources.globaltimes-china.language"),
    ],
)
def test_bad_overrides_name_the_key(sources: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_catalog(build_settings({"sources": sources}))
    assert caught.value.key == key


def test_definition_files(tmp_path: Path) -> None:
    (tmp_path / "my-news.toml").write_text(
        'name = "News"\nkind = "rss"\nurl = "https://example.org/feed.xml"\ninterval = "30m"\n',
        encoding="utf-8",
    )
    (tmp_path / "broken.toml").write_text(
        'name = "B"\nkind = "gopher"\nurl = "https://x"\ninterval = "1m"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"broken\.toml: kind"):
        load_catalog(build_settings({"sources": {"dir": str(tmp_path)}}))
    catalog = load_catalog(
        build_settings({"sources": {"dir": str(tmp_path), "enabled": ["my-news"]}})
    )
    assert catalog["my-news"].kind == "rss"


BUNDLED_OFF = {
    "mofcom-exportcontrol", "mofcom-exportcontrol-faq", "mofcom-english-announcements",
    "mofcom-spokesperson", "customs-gacc-announcements", "govcn-export-control",
    "news-search-zh", "news-search-en", "federal-register-bis",
}  # fmt: skip


def test_new_bundled_definitions_load_but_stay_off_by_default() -> None:
    settings = build_settings({})
    found = {source.id: on for source, on in available_sources(settings)}
    assert found.keys() >= BUNDLED_OFF
    assert {k for k, on in found.items() if on} == {"mofcom-zcfb", "mofcom-aqygzj",
                                                      "globaltimes-china"}  # fmt: skip
    assert set(load_catalog(settings)) == {"mofcom-zcfb", "mofcom-aqygzj", "globaltimes-china"}
    listing = render_available(available_sources(settings)).splitlines()
    assert len(listing) == len(found) + 1
    assert any(line.split()[:4] == ["federal-register-bis", "federal-register", "6h", "off"]
               for line in listing)  # fmt: skip


def test_a_definition_that_is_off_runs_when_named() -> None:
    catalog = load_catalog(build_settings({"sources": {"enabled": ["federal-register-bis"]}}))
    assert catalog["federal-register-bis"].options["agencies"] == ["industry-and-security-bureau"]
    on = load_catalog(build_settings({"sources": {"news-search-en": {"enabled": True}}}))
    assert "news-search-en" in on


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('kind = "html-list"\nitem = "ul >> li"', "item"),
        ('kind = "mofcom-exportcontrol"', "column_id"),
        ('kind = "federal-register"\nagencies = ["x"]\ntypes = ["RULES"]', "types"),
        ('kind = "rss"\nfetch = "curl"', "fetch"),
        ('kind = "rss"\nenabled = "yes"', "enabled"),
    ],
)
def test_bad_values_of_the_new_kinds_name_the_key(tmp_path: Path, body: str, key: str) -> None:
    (tmp_path / "s.toml").write_text(
        f'name = "S"\nurl = "https://example.gov/list.html"\ninterval = "1h"\n{body}\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_catalog(build_settings({"sources": {"dir": str(tmp_path)}}))
    assert caught.value.key == f"{tmp_path / 's'}.toml: {key}"


def test_good_option_values_pass() -> None:
    overrides = {
        "mofcom-zcfb": {
            "page_size": 20, "max_bytes": 5_000_000, "read_timeout": 12.5, "politeness": 0,
            "retries": 0, "deadline": 30, "poll_deadline": "3m", "hosts": ["big5.mofcom.gov.cn"],
            "xhr": True, "recheck": "30m",
        }
    }  # fmt: skip
    catalog = load_catalog(build_settings({"sources": overrides}))
    assert catalog["mofcom-zcfb"].options["page_size"] == 20
