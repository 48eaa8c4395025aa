"""End-to-end helpers: run the real `regwatch` CLI in a subprocess against loopback servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from monitor.replay.site import ReplaySite

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@dataclass
class Cli:
    config: Path
    env: dict[str, str]

    def __call__(
        self,
        *args: str,
        now: str | None = None,
        extra_env: dict[str, str] | None = None,
        timeout: float = 120,
    ) -> Result:
        env = {**self.env, **(extra_env or {})}
        command = [sys.executable, "-m", "monitor", "--config", str(self.config)]
        if now:
            command += ["--now", now]
        done = subprocess.run(
            [*command, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            check=False,
            cwd=REPO,
        )
        return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def site() -> Iterator[ReplaySite]:
    with ReplaySite() as replay:
        yield replay


def write_config(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGWATCH_")}
    env["PYTHONPATH"] = str(REPO)
    env["HOME"] = str(tmp_path)
    return env
