"""Plain frozen values passed between the stages of regwatch.

fetch → Page → adapter → RawNotice → extract → NoticeFacts → identity → Notice
→ diff → Change → classify → Event → store (one transaction) → outbox → channels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class EventKind(StrEnum):
    NOTICE_NEW = "notice.new"
    NOTICE_REPORTED = "notice.reported"  # known so far only from news or commentary
    NOTICE_REVISED = "notice.revised"
    NOTICE_WITHDRAWN = "notice.withdrawn"
    MEASURE_EFFECTIVE = "measure.effective"
    MEASURE_SUSPENSION_ENDED = "measure.suspension_ended"


class NoticeKind(StrEnum):
    CONTROL = "control"
    SUSPENSION = "suspension"
    REPEAL = "repeal"
    ADJUSTMENT = "adjustment"
    DESIGNATION = "designation"
    UNRELIABLE_ENTITY = "unreliable_entity"
    LICENSE = "license"
    COMMENTARY = "commentary"
    OTHER = "other"


class NoticeStatus(StrEnum):
    """Where regwatch has seen a notice: at an official source, or so far only in reports."""

    OFFICIAL = "official"
    REPORTED = "reported"


class AffectAction(StrEnum):
    SUSPEND = "suspend"
    REPEAL = "repeal"
    AMEND = "amend"
    EXTEND = "extend"


class EntityList(StrEnum):
    """The lists of parties a designation notice puts names on (CONTRACT.md, Entities)."""

    CONTROL_LIST = "control_list"  # 出口管制管控名单
    WATCH_LIST = "watch_list"  # 出口管制关注名单
    UNRELIABLE_ENTITY = "unreliable_entity"  # 不可靠实体清单
    COUNTERMEASURE = "countermeasure"  # 反制措施 (Anti-Foreign Sanctions Law)


class EntityAction(StrEnum):
    ADD = "add"
    REMOVE = "remove"
    SUSPEND = "suspend"


class MeasureStatus(StrEnum):
    PENDING = "pending"
    IN_FORCE = "in_force"
    SUSPENDED = "suspended"
    REPEALED = "repealed"


class Channel(StrEnum):
    SLACK = "slack"
    EMAIL = "email"
    CONSOLE = "console"


class OutboxStatus(StrEnum):
    """An outbox row's state, as stored: waiting (or retrying), delivered, or given up."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class DigestStatus(StrEnum):
    """A daily digest's state, as stored: claimed and being sent, sent, or given up."""

    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"


def _frozen_map(value: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True)
class SourceDef:
    """A source definition after config overrides were applied."""

    id: str
    name: str
    kind: str
    url: str
    interval_s: float
    base_url: str | None = None
    # Adapter-specific keys from the definition file (e.g. jpaas ids, page size).
    options: Mapping[str, Any] = field(default_factory=_frozen_map)


@dataclass(frozen=True)
class Page:
    """One HTTP answer that passed every sanity check in monitor.fetch."""

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    text: str
    fetched_at: datetime
    sha256: str
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class Validators:
    """Conditional-GET validators and body hash remembered for one URL."""

    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class Item:
    """One controlled item as a notice or its annex prints it (CONTRACT.md § Items).

    `source` is "text" or the annex's link text with its extension (附件1.pdf); `part` the
    numbered part it is printed under (第一部分), when there is one.
    """

    code: str | None
    description: str
    hs_codes: tuple[str, ...] = ()
    elements: tuple[str, ...] = ()
    source: str = "text"
    description_en: str | None = None
    notes: str = ""
    part: str | None = None


@dataclass(frozen=True)
class Attachment:
    url: str
    name: str
    sha256: str | None = None
    # What reading the annex gave: its item rows, or why it could not be read (then the
    # items of the last good read are kept by the pipeline: a failed read changes nothing).
    items: tuple[Item, ...] = ()
    error: str | None = None
    read: bool = False  # its bytes were read for items (False: stored before annexes were read)


@dataclass(frozen=True)
class RawNotice:
    """What an adapter read from one detail page or feed item, before extraction."""

    source_id: str
    url: str
    title: str
    text: str  # normalised: one paragraph per line
    published: date | None = None
    published_at: datetime | None = None  # Beijing time with +08:00 when known
    doc_number: str | None = None  # the 【发布文号】 header line as printed
    issuing_unit: str | None = None  # the 【发布单位】 header line as printed
    language: str = "zh-Hans"  # zh-Hans, zh-Hant or en
    attachments: tuple[Attachment, ...] = ()
    # Set by sources whose documents carry their own identity (Federal Register `FR-…`):
    # it wins over a number the text happens to cite.
    doc_key: str | None = None
    effective_on: date | None = None  # a date the source states as the effective date
    table_items: tuple[Item, ...] = ()  # item rows of tables in the page itself
    # News or commentary (an article, a feed item of a news source): it reports on notices
    # and is never one itself, whatever number its headline prints.
    report: bool = False


@dataclass(frozen=True)
class Effective:
    from_: date
    scope: str


@dataclass(frozen=True)
class Affect:
    doc_key: str
    action: AffectAction
    until: date | None = None
    scope: str | None = None  # paragraph scope as printed, e.g. "第二款"; None = whole notice


@dataclass(frozen=True)
class EntityRow:
    """One party as a designation notice prints it, and what the notice does to it."""

    name: str  # as printed (the Chinese name, or the English one on English pages)
    name_en: str | None
    list_: EntityList
    action: EntityAction
    country: str | None = None  # ISO 3166-1 alpha-2, printed or read from the address
    alt_names: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    until: date | None = None  # a suspension's last day, when the notice prints one


@dataclass(frozen=True)
class NoticeFacts:
    """Everything monitor.extract reads from a title and body (pure)."""

    doc_number: str | None = None
    doc_key: str | None = None
    issuers: tuple[str, ...] = ()
    published: date | None = None
    effective: tuple[Effective, ...] = ()
    control_codes: tuple[str, ...] = ()
    hs_codes: tuple[str, ...] = ()
    elements: tuple[str, ...] = ()
    kind: NoticeKind = NoticeKind.OTHER
    affects: tuple[Affect, ...] = ()
    entities: tuple[EntityRow, ...] = ()  # designation notices: the parties named
    mentions: tuple[str, ...] = ()  # every doc_key the text names, first-named order
    reports: str | None = None  # news/commentary: the notice the text is about


@dataclass(frozen=True)
class Verdict:
    """Rare-earth relevance with the reasons a human can check."""

    relevant: bool
    elements: tuple[str, ...] = ()
    control_codes: tuple[str, ...] = ()
    hs_codes: tuple[str, ...] = ()
    matched: tuple[str, ...] = ()


@dataclass(frozen=True)
class Notice:
    """A notice with its identity and facts, as stored."""

    doc_key: str
    title: str
    url: str
    text: str
    source_id: str
    content_hash: str
    facts: NoticeFacts
    verdict: Verdict
    doc_number: str | None = None
    published: date | None = None
    urls: tuple[str, ...] = ()
    language: str = "zh-Hans"
    attachments: tuple[Attachment, ...] = ()
    items: tuple[Item, ...] = ()  # from the text, in-page tables and annexes, in that order
    status: NoticeStatus = NoticeStatus.OFFICIAL
    title_en: str | None = None  # the title of an English-language copy, when one was read


@dataclass(frozen=True)
class TextDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    patch: str
    major_rewrite: bool = False


@dataclass(frozen=True)
class ItemChange:
    code: str | None
    before: Item
    after: Item


@dataclass(frozen=True)
class ItemsDiff:
    added: tuple[Item, ...] = ()
    removed: tuple[Item, ...] = ()
    changed: tuple[ItemChange, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True)
class Change:
    kind: EventKind  # one of the notice.* kinds
    notice: Notice
    previous_hash: str | None = None
    diff: TextDiff | None = None
    items_diff: ItemsDiff | None = None


@dataclass(frozen=True)
class Event:
    """One change worth telling someone about; `id` depends only on what changed."""

    id: str
    kind: EventKind
    source_id: str
    detected_at: datetime
    notice: Notice
    relevant: bool
    diff: TextDiff | None = None
    # measure.* events: the date that arrived and the notice whose date it was.
    due_date: date | None = None
    cause_doc_key: str | None = None
    summary: str = ""
    items_diff: ItemsDiff | None = None


@dataclass(frozen=True)
class EntityRecord:
    """One stored party row with what the listings state needs of its notice."""

    doc_key: str
    doc_number: str | None
    url: str
    published: date | None
    effective: tuple[Effective, ...]
    row: EntityRow
    position: int = 0
    first_seen: date | None = None  # Beijing date regwatch first stored the notice


@dataclass(frozen=True)
class MeasureRecord:
    """One stored notice, as the controls state needs it."""

    doc_key: str
    doc_number: str | None
    title: str
    url: str
    published: date | None
    facts: NoticeFacts
    relevant: bool  # rare-earth relevant (classifier verdict)
    first_seen: date | None = None  # Beijing date regwatch first stored it
    items: tuple[Item, ...] = ()
