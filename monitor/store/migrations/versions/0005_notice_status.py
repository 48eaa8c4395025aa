"""notices.status (official | reported) and notices.title_en (issue 10)

Revision ID: 0002_i10
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_i10"
down_revision = "0002_i13"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.add_column(
            sa.Column("status", sa.String(length=20), server_default="official", nullable=False)
        )
        batch.add_column(sa.Column("title_en", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("title_en")
        batch.drop_column("status")
