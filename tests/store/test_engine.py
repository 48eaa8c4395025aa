from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from monitor.errors import StoreConflictError, StoreError
from monitor.store import Store, open_store
from monitor.store import tables as t
from monitor.store.tables import metadata


def test_migrations_build_exactly_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert compare_metadata(context, metadata) == []


def test_migrating_twice_is_harmless(store_url: str) -> None:
    open_store(store_url).dispose()
    again = open_store(store_url)
    assert again.ping()
    again.dispose()


def test_times_come_back_aware_and_in_utc(store: Store) -> None:
    beijing = datetime(2025, 10, 9, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    with store.begin() as conn:
        conn.execute(
            sa.insert(t.sources).values(id="s", kind="rss", name="n", last_success_at=beijing)
        )
    with store.connect() as conn:
        value = conn.execute(sa.select(t.sources.c.last_success_at)).scalar_one()
    assert value == beijing and value.tzinfo is not None
    assert value.astimezone(UTC).hour == 1


def test_naive_times_are_refused(store: Store) -> None:
    with pytest.raises(sa.exc.StatementError), store.begin() as conn:
        conn.execute(
            sa.insert(t.sources).values(
                id="s", kind="rss", name="n", last_success_at=datetime(2025, 1, 1)
            )
        )


def test_unreachable_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open store"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError):
        open_store(f"sqlite:///{blocker}/sub/regwatch.db")


def test_a_unique_key_written_first_is_a_conflict(store: Store) -> None:
    with store.begin() as tx:
        tx.execute(sa.insert(t.sources).values(id="s", kind="rss", name="first"))
    with pytest.raises(StoreConflictError) as raised, store.begin() as tx:
        tx.execute(sa.update(t.sources).values(name="lost"))
        tx.execute(sa.insert(t.sources).values(id="s", kind="rss", name="second"))
    assert isinstance(raised.value, StoreError)
    assert isinstance(raised.value.__cause__, sa.exc.IntegrityError)
    assert str(raised.value) == str(raised.value.__cause__).splitlines()[0]
    with store.connect() as conn:
        assert conn.execute(sa.select(t.sources.c.name)).scalars().all() == ["first"]
