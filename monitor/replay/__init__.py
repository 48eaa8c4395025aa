"""Loopback replays of real services for tests and `regwatch demo` (no test-only deps)."""

from monitor.replay.mofcom_pages import render_detail_page
from monitor.replay.site import AQYGZJ, FAULT_MODES, ZCFB, Column, RecordedRequest, ReplaySite

__all__ = [
    "AQYGZJ",
    "FAULT_MODES",
    "ZCFB",
    "Column",
    "RecordedRequest",
    "ReplaySite",
    "render_detail_page",
]
