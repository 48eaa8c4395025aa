"""Is the schema already at the newest migration? Answered without importing Alembic.

Alembic takes ~0.3 s to import; a read command (`controls`, `feed`, `sources`) or a one-shot
`poll` on a store that is already up to date need not pay it. The newest revisions are read
from the migration files' ``revision`` / ``down_revision`` lines; anything unexpected (no
table, another version, a file that does not parse) answers False, and the caller runs the
real migration, as before.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


@lru_cache(maxsize=1)
def script_heads() -> frozenset[str]:
    """Revisions no other migration builds on (empty when a file cannot be read)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted(VERSIONS.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN.search(text)
        if revision is None or down is None:
            return frozenset()
        revisions.add(revision.group(1))
        parents.update(_QUOTED.findall(down.group(1)))
    return frozenset(revisions - parents)


def at_head(engine: Engine) -> bool:
    heads = script_heads()
    if not heads:
        return False
    try:
        with engine.connect() as connection:
            stamped = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            return set(stamped.scalars()) == heads
    except SQLAlchemyError:
        return False
