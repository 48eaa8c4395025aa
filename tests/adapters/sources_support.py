"""Shared bits of the new source kinds' tests: a source definition and a Fetcher on a replay."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from monitor.fetch.client import Fetcher
from monitor.models import SourceDef
from monitor.replay.loopback import Answers, in_process_transport


def source(kind: str, url: str, **options: Any) -> SourceDef:
    return SourceDef(id=f"test-{kind}", name=kind, kind=kind, url=url, interval_s=900,
                     options=MappingProxyType(dict(options)))  # fmt: skip


def fetcher_for(site: Answers) -> Fetcher:
    """A Fetcher whose requests the replay answers in process (an httpx.MockTransport)."""
    return Fetcher(transport=in_process_transport(site), politeness_s=0, retries=0,
                   backoff_base_s=0)  # fmt: skip
