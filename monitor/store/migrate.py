"""Alembic migrations, run by the program itself on start (no alembic.ini needed)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Alembic logs plugin set-up and "Context impl SQLiteImpl." at INFO on every start.
logging.getLogger("alembic").setLevel(logging.WARNING)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; safe to run from several replicas at once."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
