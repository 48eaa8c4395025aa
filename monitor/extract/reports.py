"""Which notice a news or commentary text is about (`reports`, pure).

A text may name many notices; it reports on one. The headline says it first, then the lead
paragraph, then how often each is named. A text about a suspension (or an extension or a
repeal) lists the notices acted on together ("Nos. 55 to 58, 61 and 62"): a number printed
on its own there is the act being reported, the listed ones are its objects. A headline
naming only what is suspended ("暂停实施2024年第46号公告第二款") leaves the lead to say
which notice did it ("发布2025年第72号公告"). A notice the news stands beside (general
licences "alongside" No. 18, a statement that "did not say whether" No. 70 is extended) is
background, not what is reported.
"""

from __future__ import annotations

import re
from collections import Counter

from monitor.extract.docnumbers import Citation, folded_citations
from monitor.extract.folding import fold, without_pinyin

_ACTING = re.compile(
    r"暂停|继续暂停|延长|废止|停止执行|suspen|extend|extension|repeal|lift|halt|pause",
    re.IGNORECASE,
)
# The verb right before a number that is acted on ("暂停实施第61号", "suspends No. 61").
_ACTED_ON = r"暂停实施|暂停|停止执行|废止|suspends?|suspending|suspended|repeals?|repealed"
# The verb right before a notice the text says was just issued ("9日发布2025年第72号公告").
_ISSUED = r"发布|公布|印发|issued|released|published"
# A sentence that sets a notice beside the news: in force alongside it, not replaced by it,
# originally due to end, or left open by it.
_BESIDE = re.compile(
    r"并行|不取代|仍然有效|原订|原定|alongside|not replace|did not say whether|未说明是否",
    re.IGNORECASE,
)
# A clause that dates something from a notice: "自…以来", "…后", "since …", "after …".
_PERIOD = re.compile(r"^\s*+(?:自|since\b|after\b)|(?:以来|后)$", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[,;。!?\n]")
_DIGIT = re.compile(r"\d")
_SENTENCE_BREAK = re.compile(r"[。;!?\n]|\.\s")
_TITLE_WEIGHT = 10
_LEAD_WEIGHT = 3
_ISSUED_WEIGHT = 5
_LEAD_LINES = 3  # byline or dateline, then the lead
_REACH = 200  # characters either side of a citation read for its sentence
_VERB_REACH = 12  # characters before a citation read for the verb that governs it


def reported_key(
    title: str, text: str, *, published_year: int | None = None, own_key: str | None = None
) -> str | None:
    """The doc_key the text reports on, or None when it names no notice."""
    # Title and text are read as one, so a number the headline prints without its year
    # takes the year the text gives it.
    folded = without_pinyin(fold(f"{title}\n{text}").text)
    ends = [m.start() for m in re.finditer("\n", folded)]
    title_end = ends[0]
    lead_end = ends[_LEAD_LINES] if len(ends) > _LEAD_LINES else len(folded)
    every = [c for c in folded_citations(folded, published_year=published_year) if c.key != own_key]
    if not every:
        return None
    in_title = [c for c in every if c.start < title_end]
    in_lead = [c for c in every if title_end < c.start < lead_end]
    acting = _ACTING.search(folded) is not None
    named_in_title = [c for c in in_title if not _governed(folded, c, _ACTED_ON)]
    score: Counter[str] = Counter()
    for rank, cite in enumerate(named_in_title):
        score[cite.key] += _TITLE_WEIGHT - min(rank, _TITLE_WEIGHT - 1)
    for cite in in_lead:
        if _governed(folded, cite, _ACTED_ON):
            continue  # what the reported act does, not the act
        score[cite.key] += _LEAD_WEIGHT
        if not named_in_title and not cite.grouped and _governed(folded, cite, _ISSUED):
            score[cite.key] += _ISSUED_WEIGHT
    for cite in every:
        score[cite.key] += 1
    if acting:
        alone = {c.key for c in every if not c.grouped}
        listed = {c.key for c in every if c.grouped}
        if alone - listed:
            for key in listed - alone:
                score[key] = 0
    # A notice named only further down, set beside the news, or only acted on by it is
    # background; so is one that, after the lead paragraph, only starts a period.
    first_paragraph_end = ends[2] if len(ends) > 2 else len(folded)
    headline = {c.key for c in named_in_title} | {
        c.key
        for c in in_lead
        if not _BESIDE.search(_sentence(folded, c))
        and not _governed(folded, c, _ACTED_ON)
        and not (c.start > first_paragraph_end and _PERIOD.search(_clause(folded, c)))
    }
    order = [k for k in dict.fromkeys(c.key for c in every) if k in headline]
    if not order:
        return None
    return max(order, key=lambda k: (score[k], -order.index(k)))


def _governed(folded: str, cite: Citation, verb: str) -> bool:
    """Whether `verb` is printed right before the citation, or inside the issuers it opens
    with ("商务部昨日发布商务部公告2025年第72号" is read as one run of issuers)."""
    before = folded[max(0, cite.start - _VERB_REACH) : cite.start].rstrip()
    digit = _DIGIT.search(folded, cite.start, cite.end)
    opening = folded[cite.start : digit.start() if digit else cite.start]
    return (
        re.search(rf"(?:{verb})$", before, re.IGNORECASE) is not None
        or re.search(verb, opening, re.IGNORECASE) is not None
    )


def _sentence(folded: str, cite: Citation) -> str:
    """The sentence a citation is printed in."""
    return _around(folded, cite, _SENTENCE_BREAK)


def _clause(folded: str, cite: Citation) -> str:
    """The clause a citation is printed in (to the commas either side)."""
    return _around(folded, cite, _CLAUSE_BREAK)


def _around(folded: str, cite: Citation, breaks: re.Pattern[str]) -> str:
    """The text between the breaks either side of a citation, read at most _REACH
    characters each way (so a text of many citations is read in linear time)."""
    floor = max(0, cite.start - _REACH)
    ceiling = min(len(folded), cite.end + _REACH)
    begin = max((m.end() for m in breaks.finditer(folded, floor, cite.start)), default=floor)
    stop = breaks.search(folded, cite.end, ceiling)
    return folded[begin : stop.start() if stop else ceiling]
