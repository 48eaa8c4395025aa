"""The files in deploy/ stay loadable and keep their promises."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from monitor.adapters.catalog import load_catalog
from monitor.config import load_settings

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def test_the_example_config_loads_with_its_sources() -> None:
    settings = load_settings(DEPLOY / "regwatch.example.toml", environ={})
    assert settings.operator is not None and settings.slack is not None
    assert settings.schedule.lease_s == 20
    assert "mofcom-zcfb" in load_catalog(settings)


def test_every_key_in_the_example_has_a_comment() -> None:
    # Walking up from a key over the keys it shares a comment with, a comment comes first.
    lines = (DEPLOY / "regwatch.example.toml").read_text(encoding="utf-8").splitlines()
    key = re.compile(r"^[a-z_]+\s*=")
    for index, line in enumerate(lines):
        if not key.match(line):
            continue
        above = index - 1
        while above >= 0 and key.match(lines[above]):
            above -= 1
        assert above >= 0 and lines[above].startswith("#"), f"no comment above: {line}"


def test_the_image_config_serves_on_every_interface() -> None:
    settings = load_settings(DEPLOY / "regwatch.container.toml", environ={})
    assert (settings.server.host, settings.server.port) == ("0.0.0.0", 8080)
    assert settings.store.url == "sqlite:////var/lib/regwatch/regwatch.db"


def test_service_unit_and_dockerfile() -> None:
    unit = (DEPLOY / "regwatch.service").read_text(encoding="utf-8")
    assert "Restart=on-failure" in unit
    assert "EnvironmentFile=/etc/regwatch/regwatch.env" in unit
    assert re.search(r"^User=regwatch$", unit, re.M)
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.\d+-slim$", dockerfile, re.M)
    assert re.search(r"^USER regwatch$", dockerfile, re.M)
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert 'CMD ["run"]' in dockerfile


def test_compose_file_names_its_services_and_volumes() -> None:
    text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
    for needle in ("postgres:", "regwatch:", "pgdata:", "regwatch-data:", "env_file:"):
        assert needle in text
    # No secret values in files meant to be committed.
    assert "PGPASSWORD=" not in text
    env_example = (DEPLOY / "regwatch.env.example").read_text(encoding="utf-8")
    assert "change-me" in env_example
    tomllib.loads((DEPLOY / "regwatch.example.toml").read_text(encoding="utf-8"))
