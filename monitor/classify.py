"""Rare-earth relevance and subscriber watches (pure). STUB: being replaced."""

from __future__ import annotations

from collections.abc import Sequence

from monitor.config import Watch
from monitor.models import NoticeFacts, Verdict


def assess(
    title: str, text: str, facts: NoticeFacts, *, acted_on: Sequence[Verdict] = ()
) -> Verdict:
    reasons = [r for r in ("稀土",) if r in title or r in text]
    relevant = bool(reasons) or any(v.relevant for v in acted_on)
    return Verdict(relevant=relevant, matched=tuple(f"keyword {r}" for r in reasons))


def watch_matches(watch: Watch | None, verdict: Verdict, texts: Sequence[str]) -> bool:
    if not verdict.relevant:
        return False
    if watch is None:
        return True
    return bool(set(watch.elements) & set(verdict.elements))
