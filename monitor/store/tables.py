"""The schema: SQLAlchemy Core tables (created and migrated by Alembic, `migrations/`)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa


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
    sa.Index("ix_sources_due", "next_poll_at", "id"),  # claiming: most overdue first
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
    sa.Column("items", sa.JSON, nullable=False, server_default="[]"),  # text, tables, annexes
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("first_seen_at", UTCDateTime(), nullable=False),
    sa.Column("last_seen_at", UTCDateTime(), nullable=False),
    sa.Column("withdrawn_at", UTCDateTime()),
    sa.Column("status", sa.String(20), nullable=False, server_default="official"),
    sa.Column("title_en", sa.Text),  # an English-language copy's title, when one was read
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
    sa.Column("items", sa.JSON, nullable=False, server_default="[]"),  # the version's items
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

# The parties each designation notice names, as extracted (one row per party and notice);
# the listings state on a date is computed from them (controls/listings.py).
entity_rows = sa.Table(
    "entity_rows",
    metadata,
    sa.Column("doc_key", sa.String(2000), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),  # order printed in the notice
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text),
    sa.Column("list", sa.String(30), nullable=False),
    sa.Column("action", sa.String(10), nullable=False),
    sa.Column("country", sa.String(2)),
    sa.Column("alt_names", sa.JSON, nullable=False),
    sa.Column("addresses", sa.JSON, nullable=False),
    sa.Column("until", sa.Date),
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
