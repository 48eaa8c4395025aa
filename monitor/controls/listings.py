"""The lists of parties on a date (pure): who is listed where, and the status of each listing.

Built from every stored party row (`EntityRecord`), oldest notice first. An `add` lists a
party (a new one, or one already known under any of its names in any script); a `remove`
ends that listing, which stays in the answer as `repealed` with `until` its last day in force;
a `suspend` makes it `suspended` until the end date the notice printed (open when none). A
notice published after the date is not known yet; one published but effective later makes a
`pending` listing.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from monitor.codec import iso_date
from monitor.extract.folding import fold_text
from monitor.models import EntityAction, EntityList, EntityRecord, EntityRow, MeasureStatus


@dataclass(frozen=True)
class ListingState:
    list_: EntityList
    status: MeasureStatus
    from_: date
    until: date | None
    doc_key: str  # the notice that listed the party
    url: str
    measures: tuple[str, ...]  # every notice that acted on this listing, oldest first


@dataclass(frozen=True)
class EntityState:
    id: str
    name: str
    name_en: str | None
    alt_names: tuple[str, ...]
    country: str | None
    addresses: tuple[str, ...]
    listings: tuple[ListingState, ...]
    score: float | None = None  # set by a name search only


@dataclass(frozen=True)
class EntitiesState:
    as_of: date
    entities: tuple[EntityState, ...]


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """A name folded for matching: 繁→简, NFKC, accents dropped, case, spaces and
    punctuation ignored (`Nordsee Défense-Systems` = `nordseedefensesystems`)."""
    decomposed = unicodedata.normalize("NFKD", fold_text(name))
    return "".join(c for c in decomposed.casefold() if c.isalnum())


def row_keys(row: EntityRow) -> tuple[str, ...]:
    names = (row.name, row.name_en or "", *row.alt_names)
    return tuple(k for k in dict.fromkeys(name_key(n) for n in names) if k)


def entities_state(records: Iterable[EntityRecord], as_of: date) -> EntitiesState:
    """Every party listed by a notice known on `as_of`, with each listing's status then."""
    known = [r for r in records if (_known_on(r) or date.min) <= as_of]
    known.sort(key=lambda r: (_acts_from(r), _known_on(r) or date.min, r.doc_key, r.position))
    parties: list[_Party] = []
    by_key: dict[str, _Party] = {}
    for record in known:
        keys = row_keys(record.row)
        party = next((by_key[k] for k in keys if k in by_key), None)
        if record.row.action is EntityAction.ADD:
            if party is None:
                party = _Party(id=_stable_id(record.row, keys), first=record.row)
                parties.append(party)
            party.learn(record.row)
            by_key.update(dict.fromkeys(keys, party))
            party.add(record)
        elif party is not None:
            party.act(record)
    return EntitiesState(as_of=as_of, entities=tuple(p.state(as_of) for p in parties))


def entities_json(state: EntitiesState) -> dict[str, Any]:
    """The document of CONTRACT.md § Entities (`score` only on a name search)."""
    return {
        "as_of": state.as_of.isoformat(),
        "entities": [entity_json(e) for e in state.entities],
    }


def entity_json(entity: EntityState) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": entity.id,
        "name": entity.name,
        "name_en": entity.name_en,
        "alt_names": list(entity.alt_names),
        "country": entity.country,
        "addresses": list(entity.addresses),
        "listings": [
            {
                "list": listing.list_.value,
                "status": listing.status.value,
                "from": listing.from_.isoformat(),
                "until": iso_date(listing.until),
                "doc_key": listing.doc_key,
                "url": listing.url,
                "measures": list(listing.measures),
            }
            for listing in entity.listings
        ],
    }
    if entity.score is not None:
        document["score"] = entity.score
    return document


# ---------------------------------------------------------------- building


def _known_on(record: EntityRecord) -> date | None:
    return record.published or record.first_seen


def _acts_from(record: EntityRecord) -> date:
    whole = [e.from_ for e in record.effective if e.scope == "whole notice"]
    starts = whole or [e.from_ for e in record.effective]
    return min(starts) if starts else (_known_on(record) or date.min)


def _stable_id(row: EntityRow, keys: tuple[str, ...]) -> str:
    """From the first listing's English name (else its first name): the same on every run."""
    basis = name_key(row.name_en) if row.name_en else keys[0]
    return "regwatch-entity-" + hashlib.sha256(basis.encode()).hexdigest()[:16]


@dataclass
class _Listing:
    list_: EntityList
    from_: date
    doc_key: str
    url: str
    measures: list[str]
    removed: date | None = None
    suspensions: list[tuple[date, date | None]] = field(default_factory=list)

    def state(self, as_of: date) -> ListingState:
        status, until = MeasureStatus.IN_FORCE, None
        running = [end for start, end in self.suspensions if start <= as_of]
        if self.removed is not None and self.removed <= as_of:
            status, until = MeasureStatus.REPEALED, self.removed - timedelta(days=1)
        elif self.from_ > as_of:
            status = MeasureStatus.PENDING
        elif running and (running[-1] is None or as_of <= running[-1]):
            status, until = MeasureStatus.SUSPENDED, running[-1]
        return ListingState(
            self.list_, status, self.from_, until, self.doc_key, self.url, tuple(self.measures)
        )


@dataclass
class _Party:
    id: str
    first: EntityRow
    alt_names: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    country: str | None = None
    name_en: str | None = None
    listings: list[_Listing] = field(default_factory=list)

    def learn(self, row: EntityRow) -> None:
        """Names, addresses and country a later notice prints, kept beside the first."""
        self.name_en = self.name_en or row.name_en
        self.country = self.country or row.country
        printed = {name_key(n) for n in (self.first.name, self.name_en or "", *self.alt_names)}
        for name in (row.name, row.name_en or "", *row.alt_names):
            if name and name_key(name) not in printed:
                printed.add(name_key(name))
                self.alt_names.append(name)
        self.addresses.extend(a for a in row.addresses if a not in self.addresses)

    def add(self, record: EntityRecord) -> None:
        open_listing = self._open(record.row.list_)
        if open_listing is not None:
            open_listing.measures.append(record.doc_key)  # listed again (e.g. a copy)
            return
        self.listings.append(
            _Listing(
                record.row.list_, _acts_from(record), record.doc_key, record.url, [record.doc_key]
            )
        )

    def act(self, record: EntityRecord) -> None:
        """A removal or suspension: on the open listing of the list the notice names (or,
        when the notice names another list, the party's only open listing)."""
        listing = self._open(record.row.list_)
        if listing is None:
            others = [item for item in self.listings if item.removed is None]
            listing = others[0] if len(others) == 1 else None
        if listing is None:
            return
        listing.measures.append(record.doc_key)
        day = _acts_from(record)
        if record.row.action is EntityAction.REMOVE:
            listing.removed = day
        else:
            listing.suspensions.append((day, record.row.until))

    def _open(self, list_: EntityList) -> _Listing | None:
        found = [item for item in self.listings if item.list_ is list_ and item.removed is None]
        return found[-1] if found else None

    def state(self, as_of: date) -> EntityState:
        return EntityState(
            id=self.id,
            name=self.first.name,
            name_en=self.name_en,
            alt_names=tuple(self.alt_names),
            country=self.country,
            addresses=tuple(self.addresses),
            listings=tuple(item.state(as_of) for item in self.listings),
        )
