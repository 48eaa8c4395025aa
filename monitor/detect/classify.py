"""Rare-earth relevance with reasons a human can check, and subscriber watches (pure).

A page is relevant when it prints a rare-earth control code (1C902–1C913, 1E902, 2B902), a
rare-earth keyword (稀土, rare earth, 钕铁硼/NdFeB, 钐钴/SmCo …), a rare-earth HS line
(280530…, 2846…), a controlled rare-earth element (as extract found it: by name in any
script, symbols only inside compounds, never 鈥 from mis-decoded quotes; the uncontrolled
La/Ce/Pr/Nd/Pm count only beside one of the other signals), or when it acts on a rare-earth
measure (suspends, repeals, amends or extends it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from monitor.config import Watch
from monitor.detect.substance import is_subject
from monitor.extract.facts import is_rare_earth_code
from monitor.extract.folding import fold_pair, fold_text
from monitor.extract.vocab import (
    BY_ENGLISH,
    BY_HANS,
    BY_SYMBOL,
    CONTROLLED,
    KNOWN_RARE_EARTH_MEASURES,
    RARE_EARTH_HS_PREFIXES,
    RARE_EARTH_KEYWORD_HINTS,
    RARE_EARTH_KEYWORDS,
    element_order,
)
from monitor.models import NoticeFacts, NoticeKind, Verdict


def assess(
    title: str,
    text: str,
    facts: NoticeFacts,
    *,
    acted_on: Sequence[Verdict] = (),
    reported: Verdict | None = None,
) -> Verdict:
    """Relevance of one page.

    `acted_on` holds the stored verdicts of the notices in `facts.affects`; when it has one
    verdict per affect (same order) the reasons name each measure. A notice acting on a
    rare-earth measure takes over that measure's elements and codes, so a watch on `Ho`
    hears about the suspension of the holmium controls. `reported` is the stored verdict of
    the notice a news text reports on (`facts.reports`): a report of a rare-earth notice is
    about rare earths.
    """
    folded = fold_pair(title, text).text  # the body's fold is the one extract made
    reasons: list[str] = [f"control code {c}" for c in facts.control_codes if is_rare_earth_code(c)]
    reasons += [
        f"keyword {label}"
        for label, pattern in RARE_EARTH_KEYWORDS
        if _may_mention(label, folded) and pattern.search(folded)
    ]
    reasons += [f"HS code {h}" for h in facts.hs_codes if h.startswith(RARE_EARTH_HS_PREFIXES)]
    context = bool(reasons)
    reasons += [
        f"element {BY_SYMBOL[s].hans} ({s})" for s in facts.elements if context or s in CONTROLLED
    ]

    elements = list(facts.elements)
    codes = list(facts.control_codes)
    hs_codes = list(facts.hs_codes)
    if facts.reports is not None:
        named = [k for k in facts.mentions if k in KNOWN_RARE_EARTH_MEASURES]
        if reported is not None and reported.relevant:
            reasons.append(f"reports on {facts.reports} (rare-earth relevant)")
        elif named:
            reasons.append(f"reports on {facts.reports}, naming rare-earth measure {named[0]}")
    if facts.kind is not NoticeKind.COMMENTARY and facts.affects:
        keys = [a.doc_key for a in facts.affects]
        relevant_acted = [v for v in acted_on if v.relevant]
        if len(acted_on) == len(keys):
            named = [k for k, v in zip(keys, acted_on, strict=True) if v.relevant]
            reasons += [f"acts on {k} (rare-earth measure)" for k in named]
        elif relevant_acted:
            reasons.append(f"acts on a rare-earth measure among {', '.join(keys)}")
        for verdict in relevant_acted:
            elements += verdict.elements
            codes += verdict.control_codes
            hs_codes += verdict.hs_codes
        for key in keys:
            if key in KNOWN_RARE_EARTH_MEASURES:
                elements += KNOWN_RARE_EARTH_MEASURES[key]
                reason = f"acts on {key} (rare-earth measure)"
                if reason not in reasons and not relevant_acted:
                    reasons.append(reason)
    relevant = bool(reasons)
    if relevant and facts.kind is NoticeKind.COMMENTARY:
        # News and commentary: relevant when rare earths are the subject, not a passing word.
        subject, why = is_subject(title, text)
        relevant = subject or any(r.startswith("reports on ") for r in reasons)
        reasons.append(why)
    return Verdict(
        relevant=relevant,
        elements=element_order(elements),
        control_codes=_unique(codes),
        hs_codes=_unique(hs_codes),
        matched=_unique(reasons),
    )


def _may_mention(label: str, folded: str) -> bool:
    """Cheap gate: a keyword with hints cannot match a text holding none of them."""
    hints = RARE_EARTH_KEYWORD_HINTS.get(label)
    return hints is None or any(hint in folded for hint in hints)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def watch_matches(watch: Watch | None, verdict: Verdict, texts: Sequence[str]) -> bool:
    """Whether a subscriber with `watch` hears about an event judged `verdict`.

    Only relevant verdicts match. `None` = every relevant event. Otherwise ANY of:
    - elements: symbols in the verdict (which includes the measures acted on);
    - control_codes: `1C9*` is a prefix match; a plain code matches itself and its
      hierarchy: watch `1C902` hears `1C902.a` (a sub-item), and watch `1C902.a` hears a
      notice printing only `1C902` (the whole entry, which contains .a);
    - hs_codes: `8505*` is a prefix match; a plain code matches itself, longer lines under
      it (28053019 hears 2805301910) and the shorter heading it falls under;
    - keywords: in any of `texts`, after folding both sides (NFKC, 繁體→简体, case-free),
      so 釹鐵硼 finds 钕铁硼 and ndfeb finds NdFeB; a keyword naming an element (鏑,
      dysprosium, Dy) also matches that element in the verdict.
    """
    if not verdict.relevant:
        return False
    if watch is None:
        return True
    if set(watch.elements) & set(verdict.elements):
        return True
    if any(_code_matches(w, c, ".") for w in watch.control_codes for c in verdict.control_codes):
        return True
    if any(_code_matches(w, c, "") for w in watch.hs_codes for c in verdict.hs_codes):
        return True
    if watch.keywords:
        haystack = [_searchable(t) for t in texts]
        for keyword in watch.keywords:
            needle = fold_text(keyword).strip().casefold()
            if needle and any(needle in h for h in haystack):
                return True
            symbol = _element_named(keyword)
            if symbol and symbol in verdict.elements:
                return True
    return False


@lru_cache(maxsize=256)
def _searchable(text: str) -> str:
    """Folded and case-free; cached because every subscriber searches the same texts."""
    return fold_text(text).casefold()


def _code_matches(watch: str, code: str, separator: str) -> bool:
    watch = fold_text(watch).strip()
    if watch.endswith("*"):
        return code.startswith(watch[:-1])
    if watch == code:
        return True
    return code.startswith(watch + separator) or watch.startswith(code + separator)


def _element_named(keyword: str) -> str | None:
    word = fold_text(keyword).strip()
    if word in BY_SYMBOL:
        return word
    if word in BY_HANS:
        return BY_HANS[word].symbol
    element = BY_ENGLISH.get(word.lower())
    return element.symbol if element else None
