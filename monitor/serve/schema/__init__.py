"""JSON Schemas of what regwatch publishes (served under /schema/ by the server)."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

FEED_ITEM_SCHEMA = "feed-item.schema.json"


@cache
def schema_bytes(name: str = FEED_ITEM_SCHEMA) -> bytes:
    return files(__name__).joinpath(name).read_bytes()


def feed_item_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one feed item; ``$defs/feed`` is the whole feed."""
    schema: dict[str, Any] = json.loads(schema_bytes(FEED_ITEM_SCHEMA))
    return schema
