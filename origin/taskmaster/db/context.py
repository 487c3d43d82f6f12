"""Who is writing: the acting key and request id, for the audit trigger, per transaction.

A request's :meth:`Session.transaction() <taskmaster.db.session.Session.transaction>` opens its
connection with ``BEGIN`` and transaction-local ``app.current_key_id`` / ``app.current_user_id`` /
``app.request_id`` (one round trip) and commits when the block succeeds, so every write in it is stamped by
``audit_row_change()`` and is atomic.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql


@dataclass(frozen=True, slots=True)
class WriteContext:
    key_id: str  # "" when the call is not made on behalf of a key
    request_id: str
    user_id: str = ""  # "" when no user acts (a service key)

    def begin(self) -> sql.Composed:
        # Literals (not placeholders) so BEGIN and the settings travel in one simple-protocol
        # round trip; both values come from validated sources (a uuid, a well-formed request id)
        # and sql.Literal quotes them anyway.
        return sql.SQL("BEGIN; " + SET_CONTEXT).format(*map(sql.Literal, self.values()))

    def values(self) -> tuple[str, str, str]:
        """The parameters of :data:`SET_CONTEXT`."""
        return self.key_id, self.user_id, self.request_id

    def params(self) -> dict[str, str]:
        """The parameters of :data:`WRITE_CONTEXT` (a statement that carries its context)."""
        return {
            "audit_key_id": self.key_id,
            "audit_user_id": self.user_id,
            "audit_request_id": self.request_id,
        }


# The transaction-local settings audit_row_change() reads: {} placeholders for sql.SQL.format.
SET_CONTEXT = (
    "SELECT set_config('app.current_key_id', {}, true), "
    "set_config('app.current_user_id', {}, true), set_config('app.request_id', {}, true)"
)
# The same settings made by the write statement itself, as a CTE named write_context, for a
# statement that runs alone on an autocommit connection (its own transaction: one round trip,
# Session.write_one). The statement must read the CTE before it writes a row (a CTE nobody reads is
# never run): its row source joins write_context, so every BEFORE trigger and the AFTER ones
# (which fire when the statement ends) see the settings; they end with the statement's transaction.
# A NULL parameter keeps the setting as it is (KEEP_CONTEXT: a caller's own transaction).
WRITE_CONTEXT_NAME = "write_context"
WRITE_CONTEXT = (
    WRITE_CONTEXT_NAME
    + " AS MATERIALIZED (SELECT "
    + ", ".join(
        f"set_config('app.{setting}', coalesce(%(audit_{name})s::text, "
        f"current_setting('app.{setting}', true), ''), true) AS {name}"
        for setting, name in (
            ("current_key_id", "key_id"),
            ("current_user_id", "user_id"),
            ("request_id", "request_id"),
        )
    )
    + ")"
)
KEEP_CONTEXT: dict[str, None] = {
    "audit_key_id": None,
    "audit_user_id": None,
    "audit_request_id": None,
}


def audited_insert(insert_sql: str) -> str:
    """A table's ``INSERT … VALUES (…) RETURNING …`` as one statement that sets its own audit
    context (for :meth:`Session.write_one`): the row is selected from ``write_context``."""
    head, _, rest = insert_sql.partition(" VALUES (")
    row, _, returning = rest.partition(") RETURNING ")
    if not (head.startswith("INSERT INTO ") and row and returning):
        raise ValueError(f"not an INSERT … VALUES (…) RETURNING …: {insert_sql[:60]}")
    return (
        f"WITH {WRITE_CONTEXT} {head} SELECT {row} FROM {WRITE_CONTEXT_NAME} RETURNING {returning}"
    )


EVERY_PROJECT = "*"
NO_PROJECT = ""
"""``app.projects`` (migration ``add_project_tenancy``): ``*`` (every project: the default, i.e.
the origin's own work outside requests), ``{uuid,…}`` or ``""`` (nothing). The authentication
stage decides it for every request (``""`` for public paths, ``*`` for edge-only ones, else the
projects where the caller holds the scope the request needs); the request's
:class:`~taskmaster.db.session.Session` sets it on each connection it checks out."""


def tenancy_value(projects: tuple[str, ...] | None) -> str:
    """The setting for a project set (None: every project)."""
    if projects is None:
        return EVERY_PROJECT
    return "{" + ",".join(projects) + "}"
