"""Quick commands import only what they need: no fetch, delivery, scheduler or server stack.

Each command runs in a fresh interpreter, which then lists the modules it imported. (Not a
timing test: `python -m benchmarks polling` times `--help` and `controls`.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.store import open_store

REPO = Path(__file__).resolve().parents[1]
STACKS = {
    "fetch": ("httpx", "httpcore", "monitor.fetch.client", "monitor.pipeline", "monitor.runtime"),
    "delivery": ("slack_sdk", "monitor.deliver.outbox", "monitor.deliver.channels",
                 "monitor.deliver.digest"),
    "scheduler": ("apscheduler", "monitor.daemon"),
    "server": ("uvicorn", "starlette", "monitor.serve.app", "monitor.serve.runner"),
}  # fmt: skip
RUN_AND_LIST = """
import json, sys
from monitor.cli import cli
try:
    cli.main(args=sys.argv[2:], prog_name="regwatch", standalone_mode=False)
except SystemExit:
    pass
with open(sys.argv[1], "w") as out:
    json.dump(sorted(sys.modules), out)
"""


def imported_by(tmp_path: Path, *args: str) -> set[str]:
    listing = tmp_path / "modules.json"
    env = {**os.environ, "PYTHONPATH": str(REPO), "HOME": str(tmp_path)}
    env = {k: v for k, v in env.items() if not k.startswith("REGWATCH_")}
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST, str(listing), *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return set(json.loads(listing.read_text()))


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(f"{n}.") for n in names))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    url = f"sqlite:///{tmp_path / 'regwatch.db'}"
    open_store(url).dispose()  # migrated, as after any earlier run
    path = tmp_path / "regwatch.toml"
    path.write_text(f'[store]\nurl = "{url}"\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["controls"], ["feed", "--all"], ["sources"]])
def test_read_commands_import_no_fetch_delivery_scheduler_or_server_stack(
    tmp_path: Path, config: Path, command: list[str]
) -> None:
    modules = imported_by(tmp_path, "--config", str(config), *command)
    assert "monitor.store.engine" in modules  # it did read the store
    for stack, names in STACKS.items():
        assert loaded(modules, names) == [], stack
    assert loaded(modules, ("alembic",)) == []  # the store was already migrated


def test_help_imports_neither_the_store_nor_any_stack(tmp_path: Path) -> None:
    modules = imported_by(tmp_path, "--help")
    assert "click" in modules
    heavy = ("sqlalchemy", "alembic", "bs4", "feedparser", "monitor.store", "monitor.adapters")
    assert loaded(modules, heavy) == []
    for stack, names in STACKS.items():
        assert loaded(modules, names) == [], stack


def test_poll_does_import_the_fetch_stack(tmp_path: Path, config: Path) -> None:
    # the check above can see a stack when one is imported
    modules = imported_by(tmp_path, "--config", str(config), "poll", "no-such-source")
    assert "httpx" in modules and "monitor.pipeline" in modules
