"""Outbox → channels: alerts one by one, daily digests, operator alerts."""
