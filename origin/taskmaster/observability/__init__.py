"""Observability: Prometheus metrics (``GET /metrics``), structured JSON logs, the slow-query log."""
