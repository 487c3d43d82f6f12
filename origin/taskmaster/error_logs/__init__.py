"""Error logs (``/api/v1/errors``): typed errors, de-duplicated while open, and their resolution.

Logging the same (task, error_code, message) again while it is unresolved increments
``occurrence_count`` on the open row (``INSERT … ON CONFLICT`` on the partial unique index
``error_logs_open_fingerprint_key``) instead of adding a row. The package is not called ``errors``
so that it never shadows :mod:`taskmaster.errors`.
"""
