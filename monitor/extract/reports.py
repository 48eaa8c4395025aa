"""Which notice a news or commentary text is about (`reports`, pure).

A text may name many notices; it reports on one. The headline says it first, then the lead
paragraph, then how often each is named. A text about a suspension (or an extension or a
repeal) lists the notices acted on together ("Nos. 55 to 58, 61 and 62"): a number printed
on its own there is the act being reported, the listed ones are its objects.
"""

from __future__ import annotations

import re
from collections import Counter

from monitor.extract.docnumbers import citations
from monitor.extract.folding import fold

_ACTING = re.compile(
    r"暂停|继续暂停|延长|废止|停止执行|suspen|extend|extension|repeal|lift|halt|pause",
    re.IGNORECASE,
)
_TITLE_WEIGHT = 10
_LEAD_WEIGHT = 3
_LEAD_LINES = 3  # byline or dateline, then the lead


def reported_key(
    title: str, text: str, *, published_year: int | None = None, own_key: str | None = None
) -> str | None:
    """The doc_key the text reports on, or None when it names no notice."""
    in_title = citations(title, published_year=published_year)
    lines = text.split("\n")
    lead = "\n".join(lines[:_LEAD_LINES])
    in_lead = citations(lead, published_year=published_year)
    in_text = citations(text, published_year=published_year)
    every = [c for c in (*in_title, *in_text) if c.key != own_key]
    if not every:
        return None
    acting = _ACTING.search(fold(f"{title}\n{text}").text) is not None
    score: Counter[str] = Counter()
    for rank, cite in enumerate(c for c in in_title if c.key != own_key):
        score[cite.key] += _TITLE_WEIGHT - min(rank, _TITLE_WEIGHT - 1)
    for cite in in_lead:
        if cite.key != own_key:
            score[cite.key] += _LEAD_WEIGHT
    for cite in every:
        score[cite.key] += 1
    if acting:
        alone = {c.key for c in every if not c.grouped}
        listed = {c.key for c in every if c.grouped}
        if alone - listed:
            for key in listed - alone:
                score[key] = 0
    # A notice named only further down is background, not what the text reports.
    headline = {c.key for c in (*in_title, *in_lead)}
    order = [k for k in dict.fromkeys(c.key for c in every) if k in headline]
    if not order:
        return None
    return max(order, key=lambda k: (score[k], -order.index(k)))
