"""Polite HTTP: the shared client, body checks, decoding, source URLs."""
