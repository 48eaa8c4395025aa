"""Alembic environment: takes the engine handed over by monitor.store.migrate."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from monitor.store.tables import metadata

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    if connection.dialect.name == "postgresql":
        # Replicas starting together must not migrate at once; released at commit.
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(72020462)"))
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    context.run_migrations()
