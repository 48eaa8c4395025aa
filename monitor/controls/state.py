"""What is in force on a date, and which named dates have arrived (pure).

A *measure* is a stored notice with a document number whose kind is law (not commentary or
other). Its status on a date follows from its own effective dates and from the notices that
act on it (`NoticeFacts.affects`), counting only notices published on or before that date:

- a *hold* is a stretch of days during which a measure (or one paragraph of it, 第X款) is
  suspended: from the suspending notice's first effective day to `until` (inclusive, open
  when `until` is missing). An extension is a hold too, starting when the extending notice
  takes effect: overlapping or touching holds merge into one chain, so an extension published
  before the end moves the end, and one published after a lapse suspends again from then on.
- a repeal takes effect on the repealing notice's first effective day (2024 No. 51 repealed
  2023 No. 23 from 2024-12-01, not from its publication).
- commentary that names a suspension or extension date (a statement without a legal notice)
  never changes status; it is exposed as `announced_until` beside the legal date.

A record's date is `published`, else `facts.published`, else `first_seen`; a record with none
counts on every date. The state is a `ControlsState` of frozen values
(`monitor.controls.document`, which also holds its one JSON form): besides the CONTRACT.md
fields, each measure carries its kind, publication date, extensions, repeal, announcement and
paragraphs (per 第X款 status), each control its sub-items, whether the code table verified it,
and which notices printed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from monitor.controls.codes import CodeTable, base_code, load_code_table
from monitor.controls.document import (
    Announcement,
    CodeState,
    ControlsState,
    ItemState,
    ListedIn,
    MeasureState,
    ParagraphState,
    Suspension,
)
from monitor.extract.acts import WHOLE_NOTICE
from monitor.models import (
    AffectAction,
    EventKind,
    MeasureRecord,
    MeasureStatus,
    NoticeKind,
)

_NOT_LAW = frozenset({NoticeKind.COMMENTARY, NoticeKind.OTHER})
# Kinds whose printed codes put an entry on the list (a suspension or a licence catalogue
# prints codes too, but does not own them).
_LISTING_KINDS = frozenset({NoticeKind.CONTROL, NoticeKind.ADJUSTMENT})
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class DueDate:
    kind: EventKind  # MEASURE_EFFECTIVE or MEASURE_SUSPENSION_ENDED
    doc_key: str  # the measure itself (for a lapsed suspension: the suspended notice)
    on: date  # the effective date; for a suspension ending on D, D+1
    cause_doc_key: str  # the notice that named the date
    scope: str | None  # effective scope / suspended paragraph, when partial
    named_in_first_seen: date | None  # first_seen of the cause notice


@dataclass(frozen=True)
class _Hold:
    start: date
    until: date | None  # inclusive; None = until further notice
    by: str


@dataclass(frozen=True)
class _Chain:
    holds: tuple[_Hold, ...]
    start: date
    end: date | None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    @property
    def cause(self) -> _Hold:
        """The notice that named the chain's end (the first one, if several did)."""
        return next(h for h in self.holds if h.until == self.end)


@dataclass(frozen=True)
class _Repeal:
    on: date
    by: str


_Key = tuple[str, str | None]  # (measure doc_key, paragraph scope or None for the whole)


@dataclass(frozen=True)
class _Acts:
    """Everything the known notices do to each other."""

    holds: dict[_Key, list[_Hold]]
    repeals: dict[_Key, _Repeal]
    announced: dict[_Key, tuple[date, str]]

    def chain_on(self, key: _Key, day: date) -> _Chain | None:
        return next((c for c in _chains(self.holds.get(key, []), day) if c.covers(day)), None)

    def repeal_on(self, key: _Key, day: date) -> _Repeal | None:
        repeal = self.repeals.get(key)
        return repeal if repeal is not None and repeal.on <= day else None


# ---------------------------------------------------------------- records


def _record_date(record: MeasureRecord) -> date | None:
    return record.published or record.facts.published or record.first_seen


def _acts_from(record: MeasureRecord) -> date:
    """The day a notice's own provisions (and so its suspensions and repeals) apply."""
    starts = [e.from_ for e in record.facts.effective]
    return min(starts) if starts else (_record_date(record) or date.min)


def _is_measure(record: MeasureRecord) -> bool:
    # Notices without a document number are keyed by URL in the store: not measures.
    return (
        record.facts.kind not in _NOT_LAW and bool(record.doc_key) and "://" not in record.doc_key
    )


def _known(records: Iterable[MeasureRecord], day: date) -> list[MeasureRecord]:
    """One record per doc_key (the first given, with the earliest first_seen), published by day."""
    unique: dict[str, MeasureRecord] = {}
    for record in records:
        kept = unique.get(record.doc_key)
        if kept is None:
            unique[record.doc_key] = record
        elif record.first_seen and (kept.first_seen is None or record.first_seen < kept.first_seen):
            unique[record.doc_key] = replace(kept, first_seen=record.first_seen)
    known = [r for r in unique.values() if (d := _record_date(r)) is None or d <= day]
    return sorted(known, key=lambda r: (_acts_from(r), _record_date(r) or date.min, r.doc_key))


# ---------------------------------------------------------------- who acts on whom


def _acts(records: Sequence[MeasureRecord]) -> _Acts:
    """Holds, repeals and announcements of `records` (sorted by the day they act from)."""
    holds: dict[_Key, list[_Hold]] = {}
    held_by: dict[str, list[_Key]] = {}  # suspending/extending notice → keys it holds
    repeals: dict[_Key, _Repeal] = {}
    announced: dict[_Key, tuple[date, str]] = {}
    for record in records:
        start = _acts_from(record)
        law = _is_measure(record)
        for affect in record.facts.affects:
            if affect.action is AffectAction.REPEAL and law:
                key = (affect.doc_key, affect.scope)
                if key not in repeals or start < repeals[key].on:
                    repeals[key] = _Repeal(on=start, by=record.doc_key)
            if affect.action not in (AffectAction.SUSPEND, AffectAction.EXTEND):
                continue
            if affect.action is AffectAction.SUSPEND:
                targets = [(affect.doc_key, affect.scope)]
            else:
                targets = _extended(affect.doc_key, affect.scope, holds, held_by)
            for key in targets:
                if not law:
                    if affect.until is not None and (
                        key not in announced or affect.until > announced[key][0]
                    ):
                        announced[key] = (affect.until, record.doc_key)
                    continue
                if affect.until is not None and affect.until < start:
                    continue
                holds.setdefault(key, []).append(
                    _Hold(start=start, until=affect.until, by=record.doc_key)
                )
                held_by.setdefault(record.doc_key, []).append(key)
    # A repealed suspension stops holding from the day the repeal applies.
    for key, items in holds.items():
        holds[key] = [_cut(h, repeals.get((h.by, None))) for h in items]
        holds[key] = [h for h in holds[key] if h.until is None or h.start <= h.until]
    return _Acts(holds=holds, repeals=repeals, announced=announced)


def _extended(
    target: str,
    scope: str | None,
    holds: dict[_Key, list[_Hold]],
    held_by: dict[str, list[_Key]],
) -> list[_Key]:
    """What an extension naming `target` extends: the measures `target` suspended when it is
    a suspending notice, else the held measure (all its held paragraphs when no scope)."""
    if target in held_by:
        return list(dict.fromkeys(held_by[target]))
    if (target, scope) in holds:
        return [(target, scope)]
    if scope is None:
        return [key for key in holds if key[0] == target]
    return []


def _cut(hold: _Hold, repeal: _Repeal | None) -> _Hold:
    if repeal is None:
        return hold
    last = repeal.on - _ONE_DAY
    if hold.until is not None and hold.until <= last:
        return hold
    return _Hold(start=hold.start, until=last, by=hold.by)


def _chains(holds: Iterable[_Hold], day: date) -> list[_Chain]:
    """Holds that have started by `day`, merged where they overlap or touch."""
    chains: list[_Chain] = []
    for hold in sorted((h for h in holds if h.start <= day), key=lambda h: h.start):
        last = chains[-1] if chains else None
        if last is not None and (last.end is None or hold.start <= last.end + _ONE_DAY):
            end = None if last.end is None or hold.until is None else max(last.end, hold.until)
            chains[-1] = _Chain(holds=(*last.holds, hold), start=last.start, end=end)
        else:
            chains.append(_Chain(holds=(hold,), start=hold.start, end=hold.until))
    return chains


# ---------------------------------------------------------------- status


def _first_effective(record: MeasureRecord) -> date | None:
    starts = [e.from_ for e in record.facts.effective]
    return min(starts) if starts else _record_date(record)


def _base_status(record: MeasureRecord, day: date) -> MeasureStatus:
    first = _first_effective(record)
    return MeasureStatus.PENDING if first is not None and day < first else MeasureStatus.IN_FORCE


_Standing = tuple[MeasureStatus, _Chain | None, _Repeal | None]


def _standing(acts: _Acts, key: _Key, day: date, base: MeasureStatus) -> _Standing:
    repeal = acts.repeal_on(key, day)
    if repeal is not None:
        return MeasureStatus.REPEALED, None, repeal
    chain = acts.chain_on(key, day)
    if chain is not None:
        return MeasureStatus.SUSPENDED, chain, None
    return base, None, None


def _suspension(chain: _Chain | None) -> Suspension | None:
    if chain is None:
        return None
    first = chain.holds[0].by
    extenders = tuple(dict.fromkeys(h.by for h in chain.holds if h.by != first))
    return Suspension(by=first, until=chain.end, extended_by=extenders)


def _measure(record: MeasureRecord, acts: _Acts, as_of: date, codes: CodeTable) -> MeasureState:
    key: _Key = (record.doc_key, None)
    standing = _standing(acts, key, as_of, _base_status(record, as_of))
    status, chain, repeal = standing
    control_codes = tuple(dict.fromkeys(record.facts.control_codes))
    announced = acts.announced.get(key)
    return MeasureState(
        doc_key=record.doc_key,
        doc_number=record.doc_number or record.facts.doc_number,
        title=record.title,
        url=record.url,
        rare_earth=record.relevant,
        status=status,
        effective=tuple(sorted(record.facts.effective, key=lambda e: e.from_)),
        suspension=_suspension(chain),
        control_codes=control_codes,
        elements=record.facts.elements or codes.elements_for(control_codes),
        kind=record.facts.kind,
        published=_record_date(record),
        repealed_by=repeal.by if repeal else None,
        announced=Announcement(until=announced[0], by=announced[1]) if announced else None,
        paragraphs=_paragraphs(record.doc_key, acts, as_of, standing),
    )


def _paragraphs(
    doc_key: str, acts: _Acts, as_of: date, measure: _Standing
) -> tuple[ParagraphState, ...]:
    """Each paragraph acted on by itself; a whole-measure suspension or repeal shows on all."""
    status = measure[0]
    whole = status in (MeasureStatus.REPEALED, MeasureStatus.SUSPENDED)
    scopes = {k[1] for k in (*acts.holds, *acts.repeals) if k[0] == doc_key and k[1]}
    paragraphs = []
    for scope in sorted(scopes):
        if whole:
            p_status, p_chain, p_repeal = measure
        else:
            p_status, p_chain, p_repeal = _standing(acts, (doc_key, scope), as_of, status)
        paragraphs.append(
            ParagraphState(
                scope=scope,
                status=p_status,
                suspension=_suspension(p_chain),
                repealed_by=p_repeal.by if p_repeal else None,
            )
        )
    return tuple(paragraphs)


def _codes(
    measures: Sequence[MeasureRecord], states: dict[str, MeasureState], codes: CodeTable
) -> tuple[CodeState, ...]:
    printed: dict[str, list[str]] = {}  # five-character code → printed forms
    printed_in: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    for record in measures:  # sorted by the day they act from: the first lister owns a code
        for code in record.facts.control_codes:
            base = base_code(code)
            printed.setdefault(base, [])
            if code != base and code not in printed[base]:
                printed[base].append(code)
            if record.doc_key not in printed_in.setdefault(base, []):
                printed_in[base].append(record.doc_key)
            if record.facts.kind in _LISTING_KINDS:
                owner.setdefault(base, record.doc_key)
    for base in list(owner):
        entry = codes.get(base)
        if entry and entry.notice in states and entry.notice in printed_in[base]:
            owner[base] = entry.notice
    # Codes the table attributes to a known measure that did not print them (unverified
    # codes, or an extraction that missed them) are listed from the table.
    for base, entry in codes.codes.items():
        if base not in owner and entry.notice in states:
            owner[base] = entry.notice
    out = []
    for base in sorted(owner):
        entry = codes.get(base)
        out.append(
            CodeState(
                code=base,
                description=entry.description if entry else "",
                elements=entry.elements if entry else (),
                hs_codes=entry.hs_codes if entry else (),
                doc_key=owner[base],
                status=states[owner[base]].status,
                sub_items=tuple(sorted(printed.get(base, []))),
                verified=entry.verified if entry else False,
                listed_in=ListedIn.NOTICE if base in printed_in else ListedIn.CODE_TABLE,
                printed_in=tuple(printed_in.get(base, [])),
            )
        )
    return tuple(out)


def controls_state(
    records: Sequence[MeasureRecord], as_of: date, *, codes: CodeTable | None = None
) -> ControlsState:
    """The CONTRACT.md controls state on `as_of`, from the notices published by then."""
    table = codes if codes is not None else load_code_table()
    known = _known(records, as_of)
    acts = _acts(known)
    measures = [r for r in known if _is_measure(r)]
    states = {r.doc_key: _measure(r, acts, as_of, table) for r in measures}
    ordered = sorted(measures, key=lambda r: (_record_date(r) or date.min, r.doc_key))
    return ControlsState(
        as_of=as_of,
        measures=tuple(states[r.doc_key] for r in ordered),
        controls=_codes(measures, states, table),
        items=tuple(
            i for i in measure_items(ordered, states) if i.status is MeasureStatus.IN_FORCE
        ),
    )


def measure_items(
    records: Iterable[MeasureRecord], states: dict[str, MeasureState]
) -> tuple[ItemState, ...]:
    """Every item the measures list, each with its measure's status on the state's date."""
    return tuple(
        ItemState(item=item, doc_key=r.doc_key, status=states[r.doc_key].status)
        for r in records
        for item in r.items
    )


# ---------------------------------------------------------------- dates that arrive


def due_dates(records: Sequence[MeasureRecord], today: date) -> list[DueDate]:
    """Every named date that has arrived by `today`, once per measure and date.

    - effective dates other than the publication day (`notice.new` already says that one),
      unless the measure as a whole was suspended or repealed that day: it did not take effect;
    - the day after a suspension chain ended, unless the measure was repealed by then (also
      for a suspended measure that is not among `records`: the caller decides what to do).
    """
    known = _known(records, today)
    measures = [r for r in known if _is_measure(r)]
    first_seen = {r.doc_key: r.first_seen for r in known}
    due: dict[tuple[EventKind, str, date, str | None], DueDate] = {}
    for record in measures:
        for on, scope in _effective_days(record, today):
            then = _acts(_known(known, on))
            if _standing(then, (record.doc_key, None), on, MeasureStatus.IN_FORCE)[0] in (
                MeasureStatus.SUSPENDED,
                MeasureStatus.REPEALED,
            ):
                continue
            kind = EventKind.MEASURE_EFFECTIVE
            due[(kind, record.doc_key, on, scope)] = DueDate(
                kind, record.doc_key, on, record.doc_key, scope, record.first_seen
            )
    acts = _acts(known)
    for (doc_key, scope), holds in acts.holds.items():
        for chain in _chains(holds, today):
            if chain.end is None or chain.end + _ONE_DAY > today:
                continue
            on = chain.end + _ONE_DAY
            if acts.repeal_on((doc_key, None), on) or acts.repeal_on((doc_key, scope), on):
                continue
            kind = EventKind.MEASURE_SUSPENSION_ENDED
            cause = chain.cause.by
            due[(kind, doc_key, on, scope)] = DueDate(
                kind, doc_key, on, cause, scope, first_seen.get(cause)
            )
    return sorted(due.values(), key=lambda d: (d.on, d.kind.value, d.doc_key, d.scope or ""))


def _effective_days(record: MeasureRecord, today: date) -> list[tuple[date, str | None]]:
    published = _record_date(record)
    scopes: dict[date, list[str]] = {}
    for effective in record.facts.effective:
        if effective.from_ <= today and effective.from_ != published:
            scopes.setdefault(effective.from_, []).append(effective.scope)
    days: list[tuple[date, str | None]] = []
    for on, names in sorted(scopes.items()):
        distinct = list(dict.fromkeys(names))
        partial = WHOLE_NOTICE not in distinct and all(distinct)
        days.append((on, "；".join(distinct) if partial else None))
    return days
