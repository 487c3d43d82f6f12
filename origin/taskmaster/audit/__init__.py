"""Read-only trails: row changes (``/api/v1/audit-logs``) and API requests (``/api/v1/access-logs``)."""
