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


# The transaction-local settings audit_row_change() reads: {} placeholders for sql.SQL.format,
# or, as SET_CONTEXT_PARAMS, %s ones for a prepared statement (pipelined, in Session.write_one).
SET_CONTEXT = (
    "SELECT set_config('app.current_key_id', {}, true), "
    "set_config('app.current_user_id', {}, true), set_config('app.request_id', {}, true)"
)
SET_CONTEXT_PARAMS = SET_CONTEXT.replace("{}", "%s")


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
