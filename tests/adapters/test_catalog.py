from __future__ import annotations

from pathlib import Path

import pytest

from monitor.adapters.catalog import load_catalog
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
