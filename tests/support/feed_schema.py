"""Validate feed documents and items against monitor/schema/feed-item.schema.json.

Every test that produces a feed calls `assert_valid_feed` on it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from monitor.serve.schema import feed_item_schema


@cache
def _validators() -> tuple[Draft202012Validator, Draft202012Validator]:
    schema = feed_item_schema()
    Draft202012Validator.check_schema(schema)
    registry: Registry[Any] = Registry().with_resource(
        schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012)
    )
    checker = Draft202012Validator.FORMAT_CHECKER
    item = Draft202012Validator(schema, format_checker=checker, registry=registry)
    feed = Draft202012Validator(
        {"$ref": f"{schema['$id']}#/$defs/feed"}, format_checker=checker, registry=registry
    )
    return item, feed


def _problems(validator: Draft202012Validator, instance: Any) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    ]


def assert_valid_item(item: dict[str, Any]) -> None:
    problems = _problems(_validators()[0], item)
    assert not problems, "feed item does not match the schema:\n" + "\n".join(problems)


def assert_valid_feed(doc: dict[str, Any]) -> None:
    """The whole document, then each item (with a message naming the item)."""
    problems = _problems(_validators()[1], doc)
    assert not problems, "feed document does not match the schema:\n" + "\n".join(problems)
    for index, item in enumerate(doc["items"]):
        problems = _problems(_validators()[0], item)
        assert not problems, f"items[{index}] ({item.get('id')}):\n" + "\n".join(problems)
