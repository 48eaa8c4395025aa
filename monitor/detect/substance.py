"""Subject or passing mention (pure): how much of a news or commentary text is about rare
earths. A gallium article that lists "rare earths" once among what an earlier measure
covered mentions them in passing; a report whose headline names them, or whose body
returns to them, is about them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.extract.folding import fold
from monitor.extract.vocab import RARE_EARTH_SIGNAL

SUBSTANTIVE_SENTENCES = 3  # sentences naming rare earths that make them a subject
_STOPS = str.maketrans({"。": "\n", "!": "\n", "?": "\n", ";": "\n"})
# What is still to happen to a rare-earth measure (its suspension extended or running out)
# is news about it; what an earlier notice did ("暂停实施了…") is a recital.
_FUTURE = re.compile(r"延长|延续|继续暂停|是否|届满|extend|extension|prolong|expire", re.IGNORECASE)


@dataclass(frozen=True)
class Substance:
    in_title: bool
    sentences: int  # body sentences naming rare earths
    total: int  # body sentences
    future: bool  # one of them (or the next) says what is still to happen to a measure


def rare_earth_substance(title: str, text: str) -> Substance:
    in_title = RARE_EARTH_SIGNAL.search(fold(title).text) is not None
    body = fold(text).text.translate(_STOPS).replace(". ", "\n")
    sentences = [s for s in body.split("\n") if s.strip()]
    hits = [i for i, s in enumerate(sentences) if RARE_EARTH_SIGNAL.search(s)]
    future = any(_FUTURE.search(" ".join(sentences[i : i + 2])) for i in hits)
    return Substance(in_title, len(hits), len(sentences), future)


def is_subject(title: str, text: str) -> tuple[bool, str]:
    """Whether rare earths are the subject (or a substantive passage), and the reason."""
    found = rare_earth_substance(title, text)
    if found.in_title:
        return True, "subject: rare earths in the headline"
    if found.sentences >= SUBSTANTIVE_SENTENCES or found.sentences * 2 > found.total:
        return True, f"substantive: rare earths in {found.sentences} of {found.total} sentences"
    if found.future:
        return True, "substantive: what is still to happen to a rare-earth measure"
    return False, f"passing mention: rare earths in {found.sentences} sentence(s), not the subject"
