"""The event query of `/` and `/feed.json` (kind, element, code, hs, source, subscriber).

Apart from the pages so that `regwatch feed` and the feed endpoint do not import the page
stack (templates, Starlette's responses, the alert wording).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from monitor.errors import UsageError
from monitor.models import EventKind, NoticeKind
from monitor.serve.matching import (
    code_matches,
    element_symbol,
    hs_matches,
    item_codes,
    item_elements,
    item_hs_codes,
)
from monitor.store.notice_pages import EventFilter

EVENT_KINDS = tuple(kind.value for kind in EventKind)
NOTICE_KINDS = tuple(kind.value for kind in NoticeKind)
ELEMENTS = (
    *("La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu"),
    *("Sc", "Y"),
)
_CODE = re.compile(r"^\d[A-Z]\d{3}(\.[A-Z0-9]+)*$", re.I)
_HS = re.compile(r"^\d{4,10}$")
_FILTERS = ("kind", "element", "code", "hs", "source", "subscriber")


@dataclass(frozen=True)
class EventQuery:
    kind: str | None = None
    element: str | None = None
    code: str | None = None
    hs: str | None = None
    source: str | None = None
    subscriber: str | None = None
    all_events: bool = False
    before: int | None = None

    def params(self, *, before: int | None = None) -> dict[str, str | None]:
        return {
            "kind": self.kind,
            "element": self.element,
            "code": self.code,
            "hs": self.hs,
            "source": self.source,
            "subscriber": self.subscriber,
            "all": "1" if self.all_events else None,
            "before": str(before) if before is not None else None,
        }

    @property
    def filtered(self) -> bool:
        return any(getattr(self, name) for name in _FILTERS)

    def where(self) -> EventFilter:
        return EventFilter(
            event_kinds=frozenset({self.kind}) if self.kind in EVENT_KINDS else None,
            notice_kinds=frozenset({self.kind}) if self.kind in NOTICE_KINDS else None,
            source=self.source,
            subscriber=self.subscriber,
            relevant_only=not self.all_events,
            mentions=self._mentions(),
        )

    def _mentions(self) -> tuple[str, ...]:
        """Text every match must contain: the code's entry, the HS heading, the symbol."""
        words = []
        if self.code:
            words.append(self.code.split(".", 1)[0].upper())
        if self.hs:  # stored HS codes have 8 or 10 digits (extract.vocab.HS_CODE)
            words.append(self.hs[:8])
        if self.element:
            words.append(f'"{self.element}"')
        return tuple(words)

    def keep(self) -> Callable[[Mapping[str, Any], Mapping[str, Any]], bool] | None:
        element, code, hs = self.element, self.code, self.hs
        if not (element or code or hs):
            return None

        def keep(item: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
            if element and element not in item_elements(item, facts):
                return False
            if code and not any(code_matches(code, c) for c in item_codes(item, facts)):
                return False
            return not hs or any(hs_matches(hs, c) for c in item_hs_codes(item, facts))

        return keep


def parse_event_query(params: Mapping[str, str]) -> EventQuery:
    """The query of `/` from its URL parameters; a value that cannot be is a `UsageError`."""

    def text(name: str) -> str | None:
        value = params.get(name, "").strip()
        return value or None

    kind = text("kind")
    if kind is not None and kind not in EVENT_KINDS + NOTICE_KINDS:
        raise UsageError(f"kind must be one of {', '.join(EVENT_KINDS + NOTICE_KINDS)}")
    element = text("element")
    if element is not None:
        element = element_symbol(element)
        if element not in ELEMENTS:
            raise UsageError("element must be a rare-earth element symbol such as Dy")
    code = text("code")
    if code is not None and not _CODE.match(code):
        raise UsageError("code must be a control-list code such as 1C902 or 1C902.a")
    hs = text("hs")
    if hs is not None:
        hs = "".join(hs.split()).replace(".", "")
        if not _HS.match(hs):
            raise UsageError("hs must be an HS code of 4 to 10 digits such as 2805301900")
    before = text("before")
    if before is not None and (not before.isdigit() or len(before) > 18 or int(before) < 1):
        raise UsageError("before must be a positive whole number")
    all_value = (text("all") or "0").lower()
    if all_value not in ("0", "1", "true", "false", "yes", "no"):
        raise UsageError("all must be 1 or 0")
    return EventQuery(
        kind=kind,
        element=element,
        code=code,
        hs=hs,
        source=text("source"),
        subscriber=text("subscriber"),
        all_events=all_value in ("1", "true", "yes"),
        before=int(before) if before is not None else None,
    )
