"""Which hosts a source owns, and its URLs as requested on the wire (pure).

A source's canonical URLs are the real site's (`SourceDef.url`); with `base_url` set (a
replay, a mirror) they are requested on base_url's origin instead and mapped back, so
stored URLs and redirects stay the real site's.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from monitor.models import SourceDef


def source_hosts(source: SourceDef) -> frozenset[str]:
    """Hosts a source owns: its url's host, option `hosts`, and the base_url host."""
    hosts = {(urlsplit(source.url).hostname or "").lower()}
    extra = source.options.get("hosts", ())
    if isinstance(extra, str):
        extra = (extra,)
    hosts.update(str(h).lower() for h in extra)
    if source.base_url:
        hosts.add((urlsplit(source.base_url).hostname or "").lower())
    hosts.discard("")
    return frozenset(hosts)


def to_wire(source: SourceDef, url: str) -> str:
    """The URL actually requested: base_url's scheme+host+port for the source's hosts."""
    if not source.base_url:
        return url
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in source_hosts(source):
        return url
    base = urlsplit(source.base_url)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))


def from_wire(source: SourceDef, url: str) -> str:
    """Map a URL on base_url's origin back to the canonical origin of `source.url`."""
    if not source.base_url:
        return url
    parts, base = urlsplit(url), urlsplit(source.base_url)
    if (parts.scheme, parts.netloc.lower()) != (base.scheme, base.netloc.lower()):
        return url
    canonical = urlsplit(source.url)
    return urlunsplit((canonical.scheme, canonical.netloc, parts.path, parts.query, parts.fragment))
