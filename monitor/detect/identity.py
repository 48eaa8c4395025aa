"""Who a page is: its doc_key, facts and verdict (pure).

A notice is identified by its document number (简体, 繁體, full-width and English forms
give the same key), else by its URL. A news item without a number of its own that names
a notice regwatch already knows is that notice seen again, not a new one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import replace

from monitor.detect.classify import assess
from monitor.detect.diff import content_hash
from monitor.detect.items import annexed_hash, assemble_items, with_item_codes
from monitor.extract.docnumbers import mentioned_doc_keys
from monitor.extract.entities import extract_entities
from monitor.extract.facts import extract_facts
from monitor.extract.items import items_from_text
from monitor.models import Effective, Notice, NoticeFacts, RawNotice, Verdict


def read_facts(raw: RawNotice) -> NoticeFacts:
    facts = extract_facts(
        raw.title,
        raw.text,
        published=raw.published,
        doc_number=raw.doc_number,
        language=raw.language,
        report=raw.report,
    )
    facts = replace(facts, entities=extract_entities(raw.title, raw.text))
    return _stated_by_source(facts, raw)


def _stated_by_source(facts: NoticeFacts, raw: RawNotice) -> NoticeFacts:
    """What the source states outright (its own key, an effective date) beats the text."""
    if raw.doc_key is not None:
        # A series of its own (a US rule) cites other series' notices but never acts on them.
        series = raw.doc_key.split("-", 1)[0]
        own = tuple(a for a in facts.affects if a.doc_key.split("-", 1)[0] == series)
        facts = replace(facts, doc_key=raw.doc_key, doc_number=raw.doc_number, affects=own)
    if raw.effective_on is not None and not facts.effective:
        facts = replace(facts, effective=(Effective(raw.effective_on, "whole notice"),))
    return facts


def build_notice(
    raw: RawNotice,
    facts: NoticeFacts,
    *,
    acted_on: Callable[[str], Verdict | None],
) -> Notice:
    """The notice a page shows, keyed by its number (else its URL), with its verdict."""
    related = [v for a in facts.affects if (v := acted_on(a.doc_key)) is not None]
    items = assemble_items((*items_from_text(raw.text), *raw.table_items), raw.attachments)
    # The text's own items are in `facts` already; tables and annexes widen the verdict.
    printed_apart = [*raw.table_items, *(i for a in raw.attachments for i in a.items)]
    reported = acted_on(facts.reports) if facts.reports else None
    verdict = with_item_codes(
        assess(raw.title, raw.text, facts, acted_on=related, reported=reported), printed_apart
    )
    return Notice(
        doc_key=facts.doc_key or raw.url,
        title=raw.title,
        url=raw.url,
        text=raw.text,
        source_id=raw.source_id,
        content_hash=annexed_hash(content_hash(raw.title, raw.text), raw.attachments),
        facts=facts,
        verdict=verdict,
        doc_number=facts.doc_number,
        published=facts.published or raw.published,
        urls=(raw.url,),
        language=raw.language,
        attachments=raw.attachments,
        items=items,
        title_en=" ".join(raw.title.split()) or None if raw.language == "en" else None,
    )


def alias_target(
    facts: NoticeFacts, raw: RawNotice, known: Callable[[Iterable[str]], Collection[str]]
) -> str | None:
    """For a page without its own number: the known notice it reports on.

    The notice the text reports (`facts.reports`) when that is stored; a report of one not
    stored is no alias (it makes the notice, `reported`). A text reporting none is an alias
    of the first stored notice it names (title first). `known` tells which of the given
    doc_keys are stored; it is asked once.
    """
    if facts.doc_key is not None or raw.doc_key is not None:
        return None
    if facts.reports is not None:
        return facts.reports if facts.reports in known([facts.reports]) else None
    named = [*mentioned_doc_keys(raw.title), *mentioned_doc_keys(raw.text), *facts.mentions]
    stored = known(named)
    return next((key for key in named if key in stored), None)
