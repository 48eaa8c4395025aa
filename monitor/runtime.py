"""Everything a command needs at run time, opened once from the settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from monitor.adapters.catalog import load_catalog
from monitor.clock import Clock, clock_for
from monitor.config import Settings
from monitor.deliver.channels import Channels
from monitor.fetch.client import Fetcher
from monitor.models import SourceDef
from monitor.store import Store, open_store


@dataclass
class Runtime:
    settings: Settings
    store: Store
    clock: Clock
    fetcher: Fetcher
    sources: Mapping[str, SourceDef]
    channels: Channels

    def close(self) -> None:
        self.fetcher.close()
        self.store.dispose()


def open_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    store: Store | None = None,
    fetcher: Fetcher | None = None,
    channels: Channels | None = None,
) -> Runtime:
    """Validate the catalog first (a bad source file is a config error), then connect."""
    sources = load_catalog(settings)
    return Runtime(
        settings=settings,
        store=store or open_store(settings.store.url),
        clock=clock or clock_for(settings.now),
        fetcher=fetcher or Fetcher(deadline=settings.schedule.request_deadline_s),
        sources=sources,
        channels=channels or Channels.from_settings(settings),
    )
