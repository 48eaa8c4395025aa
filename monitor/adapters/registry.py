"""Every adapter by the source kind it reads (the `kind` of a definition file)."""

from __future__ import annotations

from collections.abc import Mapping

from monitor.adapters.base import Adapter
from monitor.adapters.mofcom_jpaas import MofcomJpaasAdapter
from monitor.adapters.rss import RssAdapter

ADAPTERS: Mapping[str, Adapter] = {"mofcom-jpaas": MofcomJpaasAdapter(), "rss": RssAdapter()}


def adapters() -> Mapping[str, Adapter]:
    """Every adapter by source kind."""
    return ADAPTERS
