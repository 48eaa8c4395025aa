"""Every command explains itself with an example; user mistakes get one line and exit 2."""

from __future__ import annotations

import inspect
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from monitor.cli import cli

REPO = Path(__file__).resolve().parents[1]
UNREACHABLE_STORE = "postgresql+psycopg://nobody@127.0.0.1:1/x"
COMMANDS = sorted(cli.commands)


def runner() -> CliRunner:
    # Click < 8.2 mixes stderr into stdout unless told not to; 8.2 always keeps it apart.
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    return CliRunner()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No $REGWATCH_* from the environment; the root logger put back as it was (commands
    point it at the runner's stderr, which is closed afterwards)."""
    for name in list(os.environ):
        if name.startswith("REGWATCH_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def invoke(*args: str) -> Result:
    return runner().invoke(cli, list(args), prog_name="regwatch")


def config(tmp_path: Path, body: str = "") -> str:
    path = tmp_path / "regwatch.toml"
    store = f'[store]\nurl = "sqlite:///{tmp_path / "regwatch.db"}"\n'
    path.write_text(body if "[store]" in body else store + body, encoding="utf-8")
    return str(path)


# -- help ---------------------------------------------------------------------------------


def test_every_command_is_covered() -> None:
    assert {"run", "poll", "digest", "feed", "controls", "sources", "serve", "demo"} <= set(
        COMMANDS
    )


@pytest.mark.parametrize(
    "command", [[], *([name] for name in COMMANDS)], ids=["regwatch", *COMMANDS]
)
def test_help_has_an_example_on_its_own_line(command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout
    # `\b` kept the example block as written: the command starts its own indented line.
    example = result.stdout[result.stdout.index("Example") :]
    assert any(line.startswith("    regwatch") for line in example.splitlines()), result.stdout
    assert "Traceback" not in result.output


def test_demo_help_documents_output_and_speed() -> None:
    result = invoke("demo", "--help")
    text = re.sub(r"-\n\s+", "-", result.stdout)  # click wraps at hyphens
    assert "--output" in text and "demo-output" in text
    assert "--speed" in text and "ignored" in text


# -- user mistakes -------------------------------------------------------------------------


def assert_one_line(result: Result, *expected: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("regwatch: "), lines
    for text in expected:
        assert text in lines[0], lines[0]
    assert "Traceback" not in result.output
    return lines[0]


def test_unknown_config_key(tmp_path: Path) -> None:
    path = config(tmp_path, f'[store]\nurl = "sqlite:///{tmp_path}/r.db"\nurll = "x"\n')
    assert_one_line(invoke("--config", path, "sources"), "store.urll", "unknown key")


def test_bad_config_value(tmp_path: Path) -> None:
    path = config(tmp_path, '[server]\nlisten = "nowhere"\n')
    assert_one_line(invoke("--config", path, "controls"), "server.listen", "'nowhere'")


def test_bad_watch_element(tmp_path: Path) -> None:
    body = '[[subscribers]]\nname = "m"\nconsole = true\n[subscribers.watch]\nelements = ["Nd", "Xx"]\n'
    path = config(tmp_path, body)
    assert_one_line(invoke("--config", path, "poll"), "subscribers[0].watch.elements[1]", "'Xx'")


def test_missing_config_file(tmp_path: Path) -> None:
    assert_one_line(invoke("--config", str(tmp_path / "nope.toml"), "sources"), "not found")


def test_bad_now(tmp_path: Path) -> None:
    path = config(tmp_path)
    assert_one_line(invoke("--config", path, "--now", "tomorrow", "controls"), "--now")


@pytest.mark.parametrize("command", ["poll", "backfill"])
def test_unknown_source(tmp_path: Path, command: str) -> None:
    args = ["--since", "2025-01-01"] if command == "backfill" else []
    result = invoke("--config", config(tmp_path), command, *args, "no-such-source")
    assert_one_line(result, "unknown source", "no-such-source")


def test_unknown_source_in_config(tmp_path: Path) -> None:
    path = config(tmp_path, '[sources]\nenabled = ["mofcom-zcfb", "no-such-source"]\n')
    assert_one_line(invoke("--config", path, "poll"), "sources.enabled[1]", "no-such-source")


@pytest.mark.parametrize("command", ["controls", "sources", "feed", "poll"])
def test_unreachable_store(tmp_path: Path, command: str) -> None:
    path = config(tmp_path, f'[store]\nurl = "{UNREACHABLE_STORE}"\n')
    line = assert_one_line(invoke("--config", path, command), "cannot open store", "127.0.0.1:1")
    assert "nobody@" in line  # the URL is named (without a password: there is none)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["controls", "--as-of", "2025-13-01"], "--as-of"),
        (["controls", "--as-of", "08/11/2025"], "--as-of"),
        (["digest", "--date", "yesterday"], "--date"),
        (["backfill", "--since", "2024-1-1x"], "--since"),
    ],
)
def test_bad_date(tmp_path: Path, args: list[str], option: str) -> None:
    result = invoke("--config", config(tmp_path), *args)
    assert_one_line(result, option, "YYYY-MM-DD", repr(args[-1]))


def test_unknown_subscriber(tmp_path: Path) -> None:
    result = invoke("--config", config(tmp_path), "feed", "--subscriber", "nobody")
    assert_one_line(result, "unknown subscriber 'nobody'")


def test_the_real_entry_point_prints_one_line_too(tmp_path: Path) -> None:
    """The console script path, not CliRunner: a process with an unreachable store."""
    path = config(tmp_path, f'[store]\nurl = "{UNREACHABLE_STORE}"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGWATCH_")}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "--config", path, "controls", "--as-of", "2025-11-08"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("regwatch: cannot open store")


def test_click_usage_errors_exit_2() -> None:
    result = invoke("no-such-command")
    assert result.exit_code == 2
    assert "No such command" in result.stderr
    assert isinstance(result.exception, SystemExit)
