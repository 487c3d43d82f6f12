"""Periodic maintenance: retention, materialized views, expired leases, webhook/event retries."""
