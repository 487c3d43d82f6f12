"""A corpus of SQL-injection (and other hostile) strings, for tests that send them in every filter,
sort and body field of a resource and check that nothing changes and every answer is clean.

Use :data:`CORPUS` as values; :func:`assert_clean` checks one response (no 5xx; errors are
problem+json); :func:`table_fingerprint` snapshots tables before/after to prove nothing changed.
"""

from __future__ import annotations

from typing import Any

import httpx

CORPUS: tuple[str, ...] = (
    "'; DROP TABLE tasks; --",
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "1; SELECT pg_sleep(0)",
    "$$; DROP TABLE logs; $$",
    "$$",
    "\\x00",
    "\x00",
    "'||(SELECT version())||'",
    "1) OR (1=1",
    "%(limit)s",
    "{{log_columns}}",
    "admin'--",
    "ﾟ';--",
    "-created_at; DELETE FROM tasks",
    "created_at,(SELECT 1)",
    "a" * 5000,
)

GUARDED_TABLES = ("tasks", "projects", "logs", "api_keys", "configuration_settings", "templates")


def assert_clean(response: httpx.Response) -> None:
    """A hostile value was answered without a server error; a refusal is problem+json."""
    assert response.status_code < 500, response.text
    if response.request.method == "GET":  # reads document 400/404 only (no 422 for a bad filter)
        assert response.status_code in (200, 400, 404), response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "Traceback" not in response.text and "psycopg" not in response.text


def table_fingerprint(db: Any, tables: tuple[str, ...] = GUARDED_TABLES) -> dict[str, bool]:
    """Which guarded tables exist (a DROP would show here). Row counts cannot be compared in a shared
    session database where other tests write concurrently; tests compare their own rows."""
    found = {
        row[0]
        for row in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    }
    return {table: table in found for table in tables}
