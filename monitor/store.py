"""The store: SQLAlchemy Core tables, engine set-up and migrations.

SQLite (WAL) for one process, PostgreSQL (psycopg 3) when replicas share the work. The
schema is created and migrated by Alembic on start (`open_store`). Writes that belong
together (baseline, versions, events, recipients, outbox rows) happen in one
transaction in pipeline.py through `Store.begin()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from monitor.errors import StoreError


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which keeps no offset) too."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = sa.MetaData()

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("kind", sa.String(50), nullable=False),
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column(
        "baseline_at", UTCDateTime()
    ),  # first successful poll; NULL = next poll is the baseline
    sa.Column("last_attempt_at", UTCDateTime()),
    sa.Column("last_success_at", UTCDateTime()),
    sa.Column("last_error", sa.Text),
    sa.Column("last_error_reason", sa.String(100)),
    sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("list_etag", sa.Text),
    sa.Column("list_last_modified", sa.Text),
    sa.Column("list_sha256", sa.String(64)),
    sa.Column("last_recheck_at", UTCDateTime()),
    sa.Column("last_listed_count", sa.Integer),
    sa.Column("polls", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_poll_at", UTCDateTime()),
    sa.Column("lease_owner", sa.String(200)),
    sa.Column("lease_until", UTCDateTime()),
    sa.Column("health_alerted", sa.Boolean, nullable=False, server_default=sa.false()),
)

notices = sa.Table(
    "notices",
    metadata,
    sa.Column("doc_key", sa.String(2000), primary_key=True),
    sa.Column("doc_number", sa.Text),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("source_id", sa.String(200), nullable=False),
    sa.Column("language", sa.String(10), nullable=False, server_default="zh-Hans"),
    sa.Column("published", sa.Date),
    sa.Column("kind", sa.String(30), nullable=False, server_default="other"),
    sa.Column("relevant", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("facts", sa.JSON, nullable=False),
    sa.Column("verdict", sa.JSON, nullable=False),
    sa.Column("attachments", sa.JSON, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("first_seen_at", UTCDateTime(), nullable=False),
    sa.Column("last_seen_at", UTCDateTime(), nullable=False),
    sa.Column("withdrawn_at", UTCDateTime()),
    sa.Index("ix_notices_source_published", "source_id", "published"),
)

notice_urls = sa.Table(
    "notice_urls",
    metadata,
    sa.Column("url", sa.String(2000), primary_key=True),
    sa.Column("doc_key", sa.String(2000), nullable=False, index=True),
    sa.Column("source_id", sa.String(200), nullable=False),
    sa.Column("language", sa.String(10), nullable=False, server_default="zh-Hans"),
    sa.Column("published", sa.Date),  # as listed at this URL; bounds withdrawn detection
    sa.Column("content_hash", sa.String(64)),  # of the text last read at this URL
    sa.Column("missing_polls", sa.Integer, nullable=False, server_default="0"),
    sa.Column("first_seen_at", UTCDateTime(), nullable=False),
    sa.Index("ix_notice_urls_source", "source_id", "published"),
)

versions = sa.Table(
    "versions",
    metadata,
    sa.Column("doc_key", sa.String(2000), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("seen_at", UTCDateTime(), nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(100), nullable=False, unique=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("doc_key", sa.String(2000), nullable=False, index=True),
    sa.Column("source_id", sa.String(200), nullable=False),
    sa.Column("detected_at", UTCDateTime(), nullable=False),
    sa.Column("relevant", sa.Boolean, nullable=False),
    sa.Column("item", sa.JSON, nullable=False),  # the JSON Feed item, frozen at detection
)

recipients = sa.Table(
    "recipients",
    metadata,
    sa.Column("event_id", sa.String(100), primary_key=True),
    sa.Column("subscriber", sa.String(200), primary_key=True),
    sa.Index("ix_recipients_subscriber", "subscriber", "event_id"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(100), nullable=False),
    sa.Column("subscriber", sa.String(200), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
    sa.Column("sent_at", UTCDateTime()),
    sa.Column("last_error", sa.Text),
    sa.Column("claimed_by", sa.String(200)),
    sa.Column("claimed_until", UTCDateTime()),
    sa.UniqueConstraint(
        "event_id", "subscriber", "channel", name="uq_outbox_event_subscriber_channel"
    ),
    sa.Index("ix_outbox_due", "status", "next_attempt_at"),
)

digests = sa.Table(
    "digests",
    metadata,
    sa.Column("subscriber", sa.String(200), primary_key=True),
    sa.Column("local_date", sa.Date, primary_key=True),
    sa.Column("status", sa.String(20), nullable=False),  # sending | sent | dead
    sa.Column("message_id", sa.Text, nullable=False),
    sa.Column("event_count", sa.Integer, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("claimed_by", sa.String(200)),
    sa.Column("claimed_until", UTCDateTime()),
    sa.Column("sent_at", UTCDateTime()),
    sa.Column("last_error", sa.Text),
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


class Store:
    """An engine plus the one way to open a transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as connection:
                yield connection
        except OperationalError as exc:
            raise StoreError(f"store unreachable or busy: {_short(exc)}") from exc

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                yield connection
        except OperationalError as exc:
            raise StoreError(f"store unreachable: {_short(exc)}") from exc

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
        if migrate:
            from monitor.migrate import upgrade

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
