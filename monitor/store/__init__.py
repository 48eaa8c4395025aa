"""The store: the only package that speaks SQL (SQLAlchemy Core, SQLite or PostgreSQL)."""

from monitor.store.engine import Store, Transaction, make_engine, open_store

__all__ = ["Store", "Transaction", "make_engine", "open_store"]
