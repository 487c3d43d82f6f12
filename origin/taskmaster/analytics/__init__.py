"""Read-only aggregates over tasks, validation results and error logs (``/api/v1/analytics``)."""
