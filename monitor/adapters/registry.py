"""Every adapter by the source kind it reads (the `kind` of a definition file)."""

from __future__ import annotations

from collections.abc import Mapping

from monitor.adapters.base import Adapter
from monitor.adapters.federal_register import FederalRegisterAdapter
from monitor.adapters.govcn_search import GovcnSearchAdapter
from monitor.adapters.html_list import HtmlListAdapter
from monitor.adapters.mofcom_exportcontrol import MofcomExportcontrolAdapter
from monitor.adapters.mofcom_jpaas import MofcomJpaasAdapter
from monitor.adapters.rss import RssAdapter

ADAPTERS: Mapping[str, Adapter] = {
    "mofcom-jpaas": MofcomJpaasAdapter(),
    "rss": RssAdapter(),
    "mofcom-exportcontrol": MofcomExportcontrolAdapter(),
    "html-list": HtmlListAdapter(),
    "federal-register": FederalRegisterAdapter(),
    "govcn-search": GovcnSearchAdapter(),
}


def adapters() -> Mapping[str, Adapter]:
    """Every adapter by source kind."""
    return ADAPTERS
