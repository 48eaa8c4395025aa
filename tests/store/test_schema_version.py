"""The at-head check that lets a migrated store open without importing Alembic."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from monitor.store import Store
from monitor.store.engine import make_engine
from monitor.store.migrate import alembic_config
from monitor.store.schema_version import at_head, script_heads


def test_the_heads_read_from_the_files_are_alembics(store: Store) -> None:
    script = ScriptDirectory.from_config(alembic_config(store.engine))
    assert script_heads() == frozenset(script.get_heads())


def test_a_migrated_store_is_at_head_and_an_older_or_empty_one_is_not(
    store: Store, tmp_path: Path
) -> None:
    assert at_head(store.engine)
    with store.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'older'"))
    assert not at_head(store.engine)
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert not at_head(empty)
    empty.dispose()
