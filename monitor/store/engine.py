"""Engine set-up and the one way to open a transaction.

SQLite (WAL) for one process, PostgreSQL (psycopg 3) when replicas share the work. The
schema is created and migrated by Alembic on start (`open_store`). Writes that belong
together (baseline, versions, events, recipients, outbox rows) happen in one
transaction through `Store.begin()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeAlias

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from monitor.errors import StoreConflictError, StoreError
from monitor.store.schema_version import at_head

# What `Store.begin()` yields: callers above the store name it only by this alias and hand
# it back to store functions, so SQLAlchemy stays inside `monitor.store`.
Transaction: TypeAlias = Connection


class Store:
    """An engine plus the one way to open a transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def begin(self) -> Iterator[Transaction]:
        """One transaction. A key another writer committed first (an integrity error) is a
        `StoreConflictError`: the caller's next attempt sees that row."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except OperationalError as exc:
            raise StoreError(f"store unreachable or busy: {_short(exc)}") from exc
        except IntegrityError as exc:
            raise StoreConflictError(str(exc).splitlines()[0]) from exc

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reads; any database failure is a `StoreError` (HTTP 503, exit 2)."""
        try:
            with self.engine.connect() as connection:
                yield connection
        except OperationalError as exc:
            raise StoreError(f"store unreachable: {_short(exc)}") from exc
        except SQLAlchemyError as exc:  # e.g. a dropped table on PostgreSQL, a pool timeout
            raise StoreError(f"store unusable: {_short(exc)}") from exc

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:300]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_pre_ping=False
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Connect, and bring the schema up to date (Alembic) unless `migrate` is False."""
    try:
        engine = make_engine(url)
        if migrate and not at_head(engine):
            # Imported here: Alembic takes ~0.3 s to import, which a store already at the
            # newest migration (every start but the first after an upgrade) need not pay.
            from monitor.store.migrate import upgrade

            upgrade(engine)
        else:
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open store {_redact(url)}: {_short(exc)}") from exc
    except OSError as exc:
        raise StoreError(f"cannot open store {_redact(url)}: {exc}") from exc
    return Store(engine)


def _redact(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)
