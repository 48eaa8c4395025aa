"""`regwatch serve` with a page login that cannot be read: exit 2, the key named, no value."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Cli, write_config

pytestmark = pytest.mark.e2e


def test_a_malformed_users_variable_stops_serve_without_echoing_it(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    config = write_config(
        tmp_path / "regwatch.toml",
        f'[store]\nurl = "sqlite:///{tmp_path / "r.db"}"\n'
        '[server]\nlisten = "127.0.0.1:0"\nusers_env = "REGWATCH_TEST_USERS"\n',
    )
    cli = Cli(config, cli_env)
    done = cli("serve", extra_env={"REGWATCH_TEST_USERS": "alice:hunter2-plaintext"}, timeout=60)
    assert done.code == 2
    assert "server.users_env" in done.stderr and "hunter2" not in done.stderr + done.stdout
    unset = cli("serve", timeout=60)
    assert unset.code == 2 and "REGWATCH_TEST_USERS is empty or unset" in unset.stderr
