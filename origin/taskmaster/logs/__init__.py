"""Structured logs: one entry, a COPY-backed batch of up to 10,000, and a filtered keyset list."""
