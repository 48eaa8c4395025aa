"""A notice's item rows: assembled, hashed with the notice, diffed between versions (pure).

Items come from the text (No. 18 prints them inline), from tables in the page (source
"text" too: they are the page) and from each annex (source: the annex's name). The content
hash of a notice covers its annexes' items, not their bytes: a re-saved annex with the same
items is no revision, a changed item list is one even when the page text did not change.
An annex that could not be fetched or read this time keeps the items of its last good read,
so a failure never looks like every item was removed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import replace

from monitor.codec import items_to_json
from monitor.detect.diff import content_hash
from monitor.extract.facts import is_rare_earth_code
from monitor.extract.items import TEXT_SOURCE
from monitor.extract.vocab import CONTROLLED, RARE_EARTH_HS_PREFIXES, element_order
from monitor.models import Attachment, Item, ItemChange, ItemsDiff, Notice, Verdict


def assemble_items(
    text_items: Iterable[Item], attachments: Iterable[Attachment]
) -> tuple[Item, ...]:
    """Text and page-table items first, then each annex's, each distinct row once."""
    rows = [*text_items, *(i for a in attachments for i in a.items)]
    return tuple(dict.fromkeys(rows))


def annexed_hash(text_hash: str, attachments: Iterable[Attachment]) -> str:
    """The text's hash when no annex gave items; else a hash of the text and annex items."""
    annex_items = [items_to_json(a.items) for a in attachments if a.items]
    if not annex_items:
        return text_hash
    payload = json.dumps([text_hash, annex_items], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def with_item_codes(verdict: Verdict, items: Iterable[Item]) -> Verdict:
    """The verdict widened by the items' codes, HS codes and elements (so watches hear them);
    rare-earth items make a notice relevant by themselves."""
    rows = list(items)
    if not rows:
        return verdict
    codes = [c for i in rows if (c := i.code) is not None]
    hs_codes = [h for i in rows for h in i.hs_codes]
    elements = [e for i in rows for e in i.elements]
    reasons = list(verdict.matched)
    if not verdict.relevant:
        reasons += [f"item {c}" for c in codes if is_rare_earth_code(c)]
        reasons += [f"item HS {h}" for h in hs_codes if h.startswith(RARE_EARTH_HS_PREFIXES)]
        reasons += [f"item element {e}" for e in elements if e in CONTROLLED]
    return Verdict(
        relevant=verdict.relevant or bool(reasons),
        elements=element_order((*verdict.elements, *elements)),
        control_codes=tuple(dict.fromkeys((*verdict.control_codes, *codes))),
        hs_codes=tuple(dict.fromkeys((*verdict.hs_codes, *hs_codes))),
        matched=tuple(dict.fromkeys(reasons)),
    )


def keep_last_good_annexes(notice: Notice, stored: Notice | None) -> Notice:
    """`notice` with each annex that failed this time carrying its stored items and hash."""
    if stored is None or not any(a.error and not a.items for a in notice.attachments):
        return notice
    before = {a.url: a for a in stored.attachments}
    attachments = tuple(
        _last_good(a, before.get(a.url)) if a.error and not a.items else a
        for a in notice.attachments
    )
    text_items = [i for i in notice.items if i.source == TEXT_SOURCE]
    items = assemble_items(text_items, attachments)
    return replace(
        notice,
        attachments=attachments,
        items=items,
        verdict=with_item_codes(notice.verdict, items),
        content_hash=annexed_hash(content_hash(notice.title, notice.text), attachments),
    )


def _last_good(failed: Attachment, stored: Attachment | None) -> Attachment:
    if stored is None or not stored.items:
        return failed
    return replace(failed, sha256=stored.sha256, items=stored.items)


def first_annex_read(notice: Notice, stored: Notice) -> bool:
    """Whether `notice` differs from `stored` only by annex items read for the first time: the
    stored version predates annex reading (none of its annexes was read) and the text is the
    same. Such a change fills the items in silently instead of announcing every item as new."""
    return (
        any(a.items for a in notice.attachments)
        and not any(a.read for a in stored.attachments)
        and content_hash(notice.title, notice.text) == stored.content_hash
    )


def diff_items(before: Iterable[Item], after: Iterable[Item]) -> ItemsDiff:
    """Added, removed and changed rows: a row whose code and description stay (in its part,
    else in any part) while its HS codes, elements or notes change is `changed`."""
    old, new = list(before), list(after)
    for item in list(old):
        if item in new:
            old.remove(item)
            new.remove(item)
    changed: list[ItemChange] = []
    for keyed in (lambda i: (i.code, i.description, i.part), lambda i: (i.code, i.description)):
        for item in list(old):
            match = next((n for n in new if item.code and keyed(n) == keyed(item)), None)
            if match is not None:
                old.remove(item)
                new.remove(match)
                changed.append(ItemChange(code=item.code, before=item, after=match))
    return ItemsDiff(added=tuple(new), removed=tuple(old), changed=tuple(changed))
