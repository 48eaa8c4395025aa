"""`regwatch demo --keep`: a folder that already holds a demo store is refused, untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.demo.walk import KEPT_STORE, run_demo
from monitor.errors import UsageError


def test_keep_refuses_a_folder_with_a_store_in_it(tmp_path: Path) -> None:
    (tmp_path / KEPT_STORE).write_bytes(b"an earlier run")
    with pytest.raises(UsageError, match=r"--keep: .* already holds a demo store"):
        run_demo(output=tmp_path / "out", keep=tmp_path)
    assert (tmp_path / KEPT_STORE).read_bytes() == b"an earlier run"
    assert not (tmp_path / "out").exists()


def test_keep_names_a_folder_it_cannot_create(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(UsageError, match="--keep: cannot create the folder"):
        run_demo(output=tmp_path / "out", keep=blocker / "store")
