"""Annexes (附件) read: PDF, DOCX, XLSX, XLS and HTML item tables → item rows (pure).

Layer: above extract (it turns cells into items with `extract.items`), below adapters (which
fetch the files). `read_annex` never raises on what a file holds; see `read.py`.
"""

from monitor.annex.html import iframe_links
from monitor.annex.limits import AnnexLimits
from monitor.annex.read import AnnexResult, annex_source, page_table_items, read_annex

__all__ = [
    "AnnexLimits",
    "AnnexResult",
    "annex_source",
    "iframe_links",
    "page_table_items",
    "read_annex",
]
