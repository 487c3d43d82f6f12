"""Admin console: read-only SQL for administrators (``POST /api/v1/admin/query``)."""
