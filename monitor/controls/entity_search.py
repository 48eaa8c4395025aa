"""Finding parties by name in any script (pure): rapidfuzz over the folded names.

Names are folded with `listings.name_key` (繁→简, NFKC, accents dropped; case, spaces and
punctuation ignored), so `五大湖水聲`, `五大湖水声` and `great lakes acoustics` find the
same party, and a misspelt transliteration (`Hemlok Unmaned`) still scores high.
"""

from __future__ import annotations

from dataclasses import replace

from rapidfuzz import fuzz, process

from monitor.controls.listings import EntitiesState, EntityState, name_key
from monitor.models import EntityList

MIN_SCORE = 75.0  # below this a hit is noise (unrelated names of similar length)
# Legal forms at the end of a folded name: "Blue Ridge Missile Systems" is the whole name.
_LEGAL_FORMS = (
    "有限责任公司", "股份有限公司", "有限公司", "股份公司", "株式会社", "公司", "corporation",
    "limited", "corp", "inc", "llc", "ltd", "gmbh", "plc", "spa", "sas", "co", "sa", "bv", "ag",
)  # fmt: skip


def _keys(entity: EntityState) -> set[str]:
    names = (entity.name, entity.name_en or "", *entity.alt_names)
    return {k for n in names for k in _forms(name_key(n)) if k}


def _forms(key: str) -> tuple[str, str]:
    """The folded name, and the same without its legal form (inc, 有限公司, …)."""
    bare = next((key[: -len(form)] for form in _LEGAL_FORMS if key.endswith(form)), key)
    return key, bare


def search(
    state: EntitiesState,
    *,
    name: str | None = None,
    list_: EntityList | None = None,
    min_score: float = MIN_SCORE,
) -> EntitiesState:
    """The parties on `list_` (only those listings) and/or matching `name`, best first."""
    found: list[EntityState] = []
    for listed in state.entities:
        entity = listed
        if list_ is not None:
            listings = tuple(item for item in entity.listings if item.list_ is list_)
            if not listings:
                continue
            entity = replace(entity, listings=listings)
        found.append(entity)
    if name is None:
        return replace(state, entities=tuple(found))
    scores = _scores(name, found, min_score)
    hits = [replace(e, score=scores[i]) for i, e in enumerate(found) if i in scores]
    hits.sort(key=lambda e: -(e.score or 0.0))
    return replace(state, entities=tuple(hits))


def _scores(query: str, entities: list[EntityState], min_score: float) -> dict[int, float]:
    """Best score per entity index, at least `min_score`: one rapidfuzz pass over every
    name of every party (C speed) rather than a Python loop per name."""
    wanted = name_key(query)
    if not wanted:
        return {}
    owners: list[int] = []
    choices: list[str] = []
    for index, entity in enumerate(entities):
        for key in _keys(entity):
            owners.append(index)
            choices.append(key)
    best: dict[int, float] = {}
    for _, score, at in process.extract(
        wanted, choices, scorer=fuzz.WRatio, score_cutoff=min_score, limit=None
    ):
        owner = owners[at]
        best[owner] = max(best.get(owner, 0.0), round(score, 1))
    return best
