"""items: a notice's controlled items, current and per version (issue 11)

Revision ID: 0002_i11
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_i11"
down_revision = "0002_i11e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("items", sa.JSON(), server_default="[]", nullable=False))
    with op.batch_alter_table("versions") as batch:
        batch.add_column(sa.Column("items", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.drop_column("items")
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("items")
