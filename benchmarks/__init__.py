"""Committed benchmarks: `python -m benchmarks [NAME ...]` (also `make bench`).

Each ``benchmarks/bench_<name>.py`` has a ``main(argv: list[str]) -> int`` that prints a small table
(and returns 0 when every target was met, 1 otherwise). They are measurements, not tests:
nothing here runs under pytest.
"""
