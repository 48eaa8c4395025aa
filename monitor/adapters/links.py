"""Which links may become notice URLs (pure).

A notice's URL is shown in the feed, in Slack, in digests and on pages, so a hostile list
page or feed must not plant `javascript:` or `data:` links there, nor send readers to a
host the source does not speak for. Only `http`/`https` URLs on the source's own hosts
(`fetch.urls.source_hosts`: its url, `hosts`, base_url) or on hosts it is allowed to link
to (`link_hosts`; ".mofcom.gov.cn" allows every subdomain: MOFCOM's lists link the big5 and
English copies, and State Council orders on www.gov.cn; "*" allows any host, for news
searches whose items link to every outlet) become notice URLs.

Any other item is DROPPED with a reason (logged as a warning and counted in
`regwatch_items_dropped_total`), not kept under the list's URL: items without a document
number are keyed by their URL, so parking several under one URL would merge them.
Attachment links with other schemes are removed from the notice; the notice stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from monitor.adapters.base import PollResult
from monitor.fetch.urls import source_hosts
from monitor.models import RawNotice, SourceDef

SAFE_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True)
class DroppedLink:
    url: str
    title: str
    reason: str  # unsafe_scheme | foreign_host


def allowed_hosts(source: SourceDef) -> frozenset[str]:
    extra = source.options.get("link_hosts", ())
    if isinstance(extra, str):
        extra = (extra,)
    return source_hosts(source) | {str(host).lower() for host in extra}


def link_problem(url: str, hosts: frozenset[str]) -> str | None:
    """Why `url` may not be a notice URL of a source owning `hosts` (None: it may)."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.hostname:
        return "unsafe_scheme"
    if not _host_allowed(parts.hostname.lower(), hosts):
        return "foreign_host"
    return None


def _host_allowed(host: str, hosts: frozenset[str]) -> bool:
    """`host` is listed, or falls under a listed ".domain" (".mofcom.gov.cn": every
    subdomain of mofcom.gov.cn and mofcom.gov.cn itself), or "*" is listed."""
    if host in hosts or "*" in hosts:
        return True
    return any(
        entry.startswith(".") and (host.endswith(entry) or host == entry[1:]) for entry in hosts
    )


def safe_links(result: PollResult, source: SourceDef) -> tuple[PollResult, list[DroppedLink]]:
    """`result` without the items whose links may not become notice URLs."""
    if result.unchanged:
        return result, []
    hosts = allowed_hosts(source)
    dropped: dict[str, DroppedLink] = {}
    for url, title in _links(result):
        problem = link_problem(url, hosts)
        if problem is not None:
            dropped.setdefault(url, DroppedLink(url[:200], title, problem))
    notices = tuple(_safe_attachments(n) for n in result.notices if n.url not in dropped)
    listed = tuple(item for item in result.listed if item.url not in dropped)
    if not dropped and notices == result.notices:
        return result, []
    return replace(result, notices=notices, listed=listed), list(dropped.values())


def _links(result: PollResult) -> Iterable[tuple[str, str]]:
    for item in result.listed:
        yield item.url, item.title
    for notice in result.notices:
        yield notice.url, notice.title


def _safe_attachments(notice: RawNotice) -> RawNotice:
    kept = tuple(
        a for a in notice.attachments if urlsplit(a.url.strip()).scheme.lower() in SAFE_SCHEMES
    )
    return notice if kept == notice.attachments else replace(notice, attachments=kept)
