"""sources: index on (next_poll_at, id) for claiming the most overdue source

Revision ID: 0002_i13
Revises: 0001
Create Date: 2026-12-03 13:30:00

The daemon claims one due source per finished poll, most overdue first. Without this index
each claim read and sorted every row of `sources` (2.2 ms a claim at 5,000 sources on
SQLite; 0.4 ms with it), so a round's claiming grew with the square of the sources.
"""

from __future__ import annotations

from alembic import op

revision = "0002_i13"
down_revision = "0002_i11"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.create_index("ix_sources_due", ["next_poll_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_index("ix_sources_due")
