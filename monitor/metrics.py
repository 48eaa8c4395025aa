"""Prometheus metrics, in a registry of regwatch's own (served at /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

POLLS = Counter(
    "regwatch_polls_total",
    "Polls of a source by outcome (ok, unchanged, failed).",
    ["source", "outcome"],
    registry=REGISTRY,
)
FETCH_FAILURES = Counter(
    "regwatch_fetch_failures_total",
    "Failed polls by reason.",
    ["source", "reason"],
    registry=REGISTRY,
)
ITEMS_DROPPED = Counter(
    "regwatch_items_dropped_total",
    "Listed items dropped because their link may not be a notice URL, by reason.",
    ["source", "reason"],
    registry=REGISTRY,
)
EVENTS = Counter(
    "regwatch_events_total",
    "Events detected by kind.",
    ["kind"],
    registry=REGISTRY,
)
DELIVERIES = Counter(
    "regwatch_deliveries_total",
    "Delivery attempts by channel and outcome (sent, retry, dead).",
    ["channel", "outcome"],
    registry=REGISTRY,
)
OUTBOX_DEPTH = Gauge(
    "regwatch_outbox_depth",
    "Outbox rows by status.",
    ["status"],
    registry=REGISTRY,
)
SOURCE_CONSECUTIVE_FAILURES = Gauge(
    "regwatch_source_consecutive_failures",
    "Consecutive failed polls per source.",
    ["source"],
    registry=REGISTRY,
)
SOURCE_LAST_SUCCESS = Gauge(
    "regwatch_source_last_success_timestamp_seconds",
    "Unix time of the last successful poll.",
    ["source"],
    registry=REGISTRY,
)
POLL_SECONDS = Histogram(
    "regwatch_poll_seconds",
    "Wall time of one poll of one source.",
    ["source"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY,
)
DELIVERY_SECONDS = Histogram(
    "regwatch_delivery_seconds",
    "Wall time of one delivery attempt.",
    ["channel"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
