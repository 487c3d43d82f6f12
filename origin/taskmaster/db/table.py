"""A resource's rows, declared once: one :class:`Table` gives lists, CRUD and guarded writes.

A resource declares its table, the struct a row decodes into (its fields are the select list,
in order, unless ``columns`` says otherwise), the struct its writes take (``write``: its fields are
the columns ``insert``/``replace`` set and, by default, the ones ``patch`` may change), its
allow-listed filters (query parameter → :class:`Filter`: a constant SQL predicate and the
parameter's type) and sort fields (names of the row struct's fields), and for a sub-collection its
parent and the predicate that scopes it, and for rows that belong to a project its ``tenancy``
predicate (migration ``add_project_tenancy``). From that the table composes, once, with
:mod:`psycopg.sql` from constant identifiers only:

- ``get``, ``insert``, ``replace``, ``patch`` (only the columns named in ``%(fields)s`` change)
  and ``delete`` statements — a resource whose statement has rules of its own passes it instead
  (``insert=QUERIES["insert_script"]``); :meth:`Table.statements` shows every one;
- :meth:`Table.page`: a keyset-paginated list, its statement composed once per shape (which
  filters are present, which sort, first page or not, the page size, whether the tenancy
  predicate is needed), values bound — the page size is a constant of the statement so that
  PostgreSQL can reuse one plan (:meth:`Table.list_query`); an empty first page of a
  sub-collection whose parent is missing is a 404.

The ``tenancy`` predicate (e.g. ``tenancy_allows(project_id)``, over the request's
``app.projects``) is applied by every composed statement that finds a row (get, replace, patch,
delete, the version and existence checks) and by every list: outside the caller's projects a row
does not exist (404, never 412). A list for a request that sees every project (``*``) leaves it
out: it would be true for every row. A statement passed explicitly carries it itself. Inserts are
checked by the ``tenancy_check_write`` trigger.

Every method takes a request's :class:`~taskmaster.db.session.Session` (reads use
``db.read()``, writes ``db.transaction()``), a :class:`ConnectionPool` outside requests, or a
connection already in a transaction, used as is. A guarded UPDATE/DELETE (``If-Match`` as
``%(if_version)s``) tells a missing row (404) from a stale version (412) with a second query only
when the first touched nothing; an ``If-Match`` list of several versions (``api/conditional.py``)
is resolved against the current version first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, LiteralString, TypeVar, cast, get_args, get_origin, get_type_hints
from uuid import UUID

import msgspec
from psycopg import AsyncConnection, sql
from psycopg.types.json import Jsonb

from taskmaster.api.conditional import NO_VERSION, Versions, resolve
from taskmaster.api.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    CursorCodec,
    SortField,
    SortKey,
    keyset_clause,
    order_by_clause,
    parse_sort,
)
from taskmaster.db.context import EVERY_PROJECT, KEEP_CONTEXT
from taskmaster.db.pool import Checkout, ConnectionPool, Gate, statement_cursor
from taskmaster.db.prepared import ReadById
from taskmaster.db.session import Session
from taskmaster.errors import ApiError, not_found

T = TypeVar("T")
# A request's session, a pool (outside requests), or a connection inside a transaction.
Db = Session | ConnectionPool | AsyncConnection[Any]
_QUERY_CACHE_LIMIT = 1024


@dataclass(frozen=True, slots=True)
class Listed(Generic[T]):
    """One page of a list: the items, and where the next page starts (if there is one)."""

    items: list[T]
    next_cursor: str | None
    has_more: bool


@dataclass(frozen=True, slots=True)
class Filter:
    """One allow-listed list filter: a constant predicate over its bound ``%(name)s`` value, and
    the query parameter's type (the list route declares it, OpenAPI documents it)."""

    sql: LiteralString
    type: Any


class _Borrowed:
    """The caller's own connection (its transaction), as a context manager that leaves it open."""

    __slots__ = ("_conn",)

    def __init__(self, conn: AsyncConnection[Any]) -> None:
        self._conn = conn

    async def __aenter__(self) -> AsyncConnection[Any]:
        return self._conn

    async def __aexit__(self, *exc_info: object) -> None:
        return None


def reading(db: Db) -> Checkout | _Borrowed:
    """A connection for reads: the session's ``read()``, a pool's, or the caller's own."""
    if isinstance(db, Session):
        return db.read()
    return db.connection() if isinstance(db, ConnectionPool) else _Borrowed(db)


@contextlib.asynccontextmanager
async def transaction(db: Db) -> AsyncIterator[AsyncConnection[Any]]:
    """One connection in one transaction (the session's audited one); a connection already in a
    transaction is used as is."""
    if isinstance(db, Session):
        async with db.transaction() as conn:
            yield conn
    elif isinstance(db, ConnectionPool):
        async with db.connection() as conn, conn.transaction():
            yield conn
    else:
        yield db


def writing(db: Db) -> Any:
    """A connection for one write statement: the session's audited transaction, a pool's
    autocommit connection, or the caller's own."""
    if isinstance(db, Session):
        return db.transaction()
    return db.connection() if isinstance(db, ConnectionPool) else _Borrowed(db)


UNGATED = Gate(0, 0.0)  # a caller's own connection: its caller decided the concurrency


def claim_slots(db: Db) -> Gate:
    """The pool's admission for claim statements (:attr:`ConnectionPool.claims`)."""
    if isinstance(db, Session):
        return db.pool.claims
    return db.claims if isinstance(db, ConnectionPool) else UNGATED


async def write_rows(db: Db, query: Any, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of one write statement: in a request, the session's audited transaction in one
    round trip (:meth:`Session.write_one`); otherwise in ``transaction(db)``."""
    if isinstance(db, Session):
        return await db.write_one(query, params)
    async with transaction(db) as conn:  # the statement's write_context keeps the caller's
        cur = await conn.execute(query, params | KEEP_CONTEXT)
        return await cur.fetchall()


async def fetch_one(
    db: Db,
    struct: type[T],
    query: LiteralString,
    params: dict[str, Any],
    label: str,
    resource_id: Any,
    *,
    write: bool = False,
) -> T:
    """One row decoded into ``struct``; 404 naming ``label`` when the statement returns none."""
    async with writing(db) if write else reading(db) as conn:
        cur = await statement_cursor(conn).execute(query, params)
        row = await cur.fetchone()
    if row is None:
        raise not_found(label, resource_id)
    return struct(*row)


def body_params(body: msgspec.Struct, jsonb: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A request body as statement parameters: unset fields become NULL, ``jsonb`` ones Jsonb."""
    params: dict[str, Any] = {}
    for name in body.__struct_fields__:
        value = getattr(body, name)
        if value is msgspec.UNSET:
            value = None
        elif name in jsonb and value is not None:
            value = Jsonb(value)
        params[name] = value
    return params


def sent_fields(body: msgspec.Struct) -> list[str]:
    """The fields a PATCH body sets (its statement changes only columns in ``%(fields)s``)."""
    return [name for name in body.__struct_fields__ if getattr(body, name) is not msgspec.UNSET]


def precondition_failed(label: str, resource_id: object, current_version: int) -> ApiError:
    return ApiError(
        412,
        "precondition-failed",
        "Precondition failed",
        f"If-Match does not match the current version of {label} {resource_id} "
        f'(now "{current_version}").',
    )


def _cursor_value(item: Any, name: str) -> Any:
    value = getattr(item, name)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


# The cast applied to a cursor value, by the row struct's field type.
_SQL_TYPES: dict[Any, str] = {
    dt.datetime: "timestamptz",
    dt.date: "date",
    str: "text",
    UUID: "uuid",
    int: "bigint",
    float: "float8",
    bool: "boolean",
}


def _plain_type(annotation: Any) -> Any:
    """``Annotated[int, …] | None`` → ``int``; ``Literal["a", "b"]`` → ``str``."""
    while get_origin(annotation) is not None:
        args = [a for a in get_args(annotation) if a is not type(None)]
        if str(get_origin(annotation)).endswith("Literal"):
            return type(args[0])
        annotation = args[0]
    return annotation


def _ident(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def writable_besides(body: type[msgspec.Struct], *set_apart: str) -> list[str]:
    """The fields of a body but ``set_apart`` (columns its statement sets by a rule of its own)."""
    return [name for name in body.__struct_fields__ if name not in set_apart]


def patch_changes(fields: Iterable[str], alias: str | None = None) -> LiteralString:
    """The SET items of a PATCH: a column named in ``%(fields)s`` (the fields sent) takes its
    ``%(column)s`` value, any other keeps its own (``alias.column`` in an UPDATE … FROM). Also a
    fragment for statements with rules of their own (``{{deployment_changes}}``)."""
    kept = (lambda n: sql.Identifier(alias, n)) if alias is not None else _ident
    changes = sql.SQL(", ").join(
        sql.SQL("{col} = CASE WHEN {name} = ANY(%(fields)s) THEN {value} ELSE {kept} END").format(
            col=_ident(n), name=sql.Literal(n), value=sql.Placeholder(n), kept=kept(n)
        )
        for n in fields
    )
    return cast(LiteralString, changes.as_string(None))


@dataclass(eq=False)
class Table(Generic[T]):
    """A resource's rows: where they live, how they decode, how they are written and listed."""

    name: LiteralString  # the table
    struct: type[T]  # built positionally from a row of ``columns``
    # The resource as error messages name it; default: the table's name in the singular
    # ("workflow_stages" → "workflow stage").
    label: str = ""
    sorts: Iterable[str] = ("created_at", "updated_at", "id")  # fields of ``struct``
    default_sort: str = "created_at"
    filters: dict[str, Filter] = field(default_factory=dict)
    write: type[msgspec.Struct] | None = None  # the body of POST/PUT (its fields are columns)
    patchable: tuple[str, ...] | None = None  # default: every field of ``write``
    columns: LiteralString | None = None  # the select list; default: ``struct``'s fields
    # A sub-collection: the predicate every statement applies (e.g. "task_id = %(task_id)s",
    # bound from ``scope=…``) and the parent table, so a missing parent is a 404.
    scope: LiteralString | None = None
    parent: Table[Any] | None = None
    # Project tenancy: the predicate every composed statement and list applies, e.g.
    # "tenancy_allows(project_id)". None: the rows belong to no project.
    tenancy: LiteralString | None = None
    # Statements with rules of their own, used instead of the composed ones.
    get_sql: LiteralString | None = None
    insert_sql: LiteralString | None = None
    replace_sql: LiteralString | None = None
    patch_sql: LiteralString | None = None
    delete_sql: LiteralString | None = None
    get_json_sql: LiteralString | None = None  # one row as JSON rendered by PostgreSQL
    jsonb: frozenset[str] = frozenset()  # body fields bound as JSONB
    # Run first, in one transaction with a list's read (e.g. an RLS setting that widens it).
    list_setup_sql: LiteralString | None = None
    sort_fields: dict[str, SortField] = field(init=False)
    _cache: dict[tuple[Any, ...], str] = field(default_factory=dict, init=False, repr=False)
    _json_read: ReadById | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.label = self.label or self.name.removesuffix("s").replace("_", " ")
        hints = get_type_hints(self.struct, include_extras=True)
        if self.columns is None:
            self.columns = cast(LiteralString, ", ".join(self.struct.__struct_fields__))  # type: ignore[attr-defined]
        self.sort_fields = {
            name: SortField(name, _SQL_TYPES[_plain_type(hints[name])]) for name in self.sorts
        }
        self._compose_statements(self.write.__struct_fields__ if self.write is not None else ())
        if self.get_json_sql:
            self._json_read = ReadById(f"{self.name}_get_json", self.get_json_sql)

    # ---- composed statements -----------------------------------------------------------------

    def _compose_statements(self, written: tuple[str, ...]) -> None:
        table, columns = _ident(self.name), sql.SQL(self.columns)  # type: ignore[arg-type]
        scoped = sql.SQL(" AND " + self.scope if self.scope else "")  # type: ignore[operator]
        # Outside the caller's projects a row does not exist (404, never 412).
        tenancy = sql.SQL(" AND " + self.tenancy if self.tenancy else "")  # type: ignore[operator]
        by_id = sql.SQL("WHERE id = %(id)s{}{}").format(scoped, tenancy)
        guard = sql.SQL(" AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)")

        def text(composed: sql.Composable) -> LiteralString:
            return cast(LiteralString, composed.as_string(None))

        self.get_sql = self.get_sql or text(
            sql.SQL("SELECT {} FROM {} {}").format(columns, table, by_id)
        )
        self._version_sql = text(sql.SQL("SELECT version FROM {} {}").format(table, by_id))
        self._exists_sql = text(
            sql.SQL("SELECT 1 FROM {} WHERE id = %(id)s{}").format(table, tenancy)
        )
        self.delete_sql = self.delete_sql or text(
            sql.SQL("DELETE FROM {} {}{} RETURNING id").format(table, by_id, guard)
        )
        if not written:
            return
        names = sql.SQL(", ").join(map(_ident, written))
        values = sql.SQL(", ").join(sql.Placeholder(n) for n in written)
        self.insert_sql = self.insert_sql or text(
            sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING {}").format(
                table, names, values, columns
            )
        )
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = {}").format(_ident(n), sql.Placeholder(n)) for n in written
        )
        self.replace_sql = self.replace_sql or text(
            sql.SQL("UPDATE {} SET {} {}{} RETURNING {}").format(
                table, assignments, by_id, guard, columns
            )
        )
        patchable = self.patchable if self.patchable is not None else written
        changes = sql.SQL(patch_changes(patchable))  # type: ignore[arg-type]
        self.patch_sql = self.patch_sql or text(
            sql.SQL("UPDATE {} SET {} {}{} RETURNING {}").format(
                table, changes, by_id, guard, columns
            )
        )

    def statements(self) -> dict[str, str]:
        """Every statement the table runs (for readers, and the plan tests)."""
        found = {
            "get": self.get_sql,
            "insert": self.insert_sql,
            "replace": self.replace_sql,
            "patch": self.patch_sql,
            "delete": self.delete_sql,
            "get_json": self.get_json_sql,
        }
        return {verb: text for verb, text in found.items() if text}

    # ---- single rows -------------------------------------------------------------------------

    async def one(
        self,
        db: Db,
        query: LiteralString,
        params: dict[str, Any],
        resource_id: Any,
        label: str | None = None,
        *,
        write: bool = False,
    ) -> T:
        """Run a statement returning at most one row of ``columns``; 404 when it returns none
        (naming ``label`` when the missing row is another one, e.g. the parent of an INSERT …
        SELECT). ``write=True`` runs it in the session's transaction."""
        label = label or self.label
        return await fetch_one(db, self.struct, query, params, label, resource_id, write=write)

    async def insert(self, db: Db, query: LiteralString, params: dict[str, Any]) -> T:
        """Run an INSERT … RETURNING ``columns`` (constraint errors become problems upstream)."""
        async with writing(db) as conn:
            cur = await statement_cursor(conn).execute(query, params)
            row = await cur.fetchone()
        assert row is not None
        return self.struct(*row)

    async def guarded(
        self, db: Db, query: LiteralString, params: dict[str, Any], resource_id: Any
    ) -> tuple[Any, ...]:
        """Run an UPDATE/DELETE guarded by ``%(if_version)s``; 404 or 412 when it touches no row.
        An ``If-Match`` list of several versions is first resolved against the current one."""
        async with writing(db) as conn:
            if isinstance(params.get("if_version"), Versions):
                params = params | {"if_version": await self._current(conn, params, resource_id)}
            cur = await statement_cursor(conn).execute(query, params)
            row = await cur.fetchone()
            if row is not None:
                return row
            version_params = params | {"id": resource_id}
            cur = await cur.execute(self._version_sql, version_params)  # type: ignore[arg-type]
            current = await cur.fetchone()
        if current is None:
            raise not_found(self.label, resource_id)
        raise precondition_failed(self.label, resource_id, current[0])

    async def _current(
        self, conn: AsyncConnection[Any], params: dict[str, Any], resource_id: Any
    ) -> int | None:
        """The one version of an ``If-Match`` list to guard with: the current one if it is
        listed, else :data:`NO_VERSION` (the write then reports 404 or 412 as usual)."""
        version_params = params | {"id": resource_id}
        cur = await conn.execute(self._version_sql, version_params)  # type: ignore[arg-type]
        row = await cur.fetchone()
        return resolve(params["if_version"], row[0]) if row is not None else NO_VERSION

    async def update(
        self, db: Db, query: LiteralString, params: dict[str, Any], resource_id: Any
    ) -> T:
        """:meth:`guarded` for a statement that returns the row's ``columns``."""
        return self.struct(*await self.guarded(db, query, params, resource_id))

    # ---- CRUD --------------------------------------------------------------------------------
    # ``scope`` binds a sub-collection's parent (e.g. {"workflow_id": …}): the statements then
    # also require the row to belong to it, and an ``insert_sql`` of INSERT … SELECT from the
    # parent returns nothing (→ 404 naming the parent) when the parent does not exist.

    async def get(self, db: Db, resource_id: Any, scope: dict[str, Any] | None = None) -> T:
        params = {"id": resource_id} | (scope or {})
        return await self.one(db, self.get_sql, params, resource_id)  # type: ignore[arg-type]

    async def get_json(self, db: Db, resource_id: Any) -> tuple[int, bytes]:
        """The row's version and its JSON as PostgreSQL renders it (``get_json_sql``, prepared
        and run on libpq directly: ``db/prepared.py``), for reads that send the resource as is;
        404 when there is no such row."""
        assert self._json_read is not None, f"{self.name} has no get_json_sql"
        async with reading(db) as conn:
            row = await self._json_read.fetch(conn, resource_id)
        if row is None:
            raise not_found(self.label, resource_id)
        return int(row[0]), row[1]

    async def create(self, db: Db, body: msgspec.Struct, scope: dict[str, Any] | None = None) -> T:
        params = body_params(body, self.jsonb) | (scope or {})
        if not scope:
            return await self.insert(db, self.insert_sql, params)  # type: ignore[arg-type]
        parent_label = self.parent.label if self.parent is not None else "parent"
        parent_id = next(iter(scope.values()))
        return await self.one(db, self.insert_sql, params, parent_id, parent_label, write=True)  # type: ignore[arg-type]

    async def replace(
        self, db: Db, resource_id: Any, body: msgspec.Struct, if_version: int | Versions | None
    ) -> T:
        params = body_params(body, self.jsonb) | {"id": resource_id, "if_version": if_version}
        return await self.update(db, self.replace_sql, params, resource_id)  # type: ignore[arg-type]

    async def patch(
        self,
        db: Db,
        resource_id: Any,
        body: msgspec.Struct,
        if_version: int | Versions | None,
        scope: dict[str, Any] | None = None,
    ) -> T:
        """Changes only the columns named in ``%(fields)s`` (the fields sent)."""
        params = body_params(body, self.jsonb) | (scope or {})
        params |= {"id": resource_id, "if_version": if_version, "fields": sent_fields(body)}
        return await self.update(db, self.patch_sql, params, resource_id)  # type: ignore[arg-type]

    async def delete(
        self,
        db: Db,
        resource_id: Any,
        if_version: int | Versions | None,
        scope: dict[str, Any] | None = None,
    ) -> None:
        params = {"id": resource_id, "if_version": if_version} | (scope or {})
        await self.guarded(db, self.delete_sql, params, resource_id)  # type: ignore[arg-type]

    async def exists(self, db: Db, resource_id: Any) -> bool:
        async with reading(db) as conn:
            cur = await conn.execute(self._exists_sql, {"id": resource_id})  # type: ignore[arg-type]
            return await cur.fetchone() is not None

    async def require(self, db: Db, resource_id: Any) -> None:
        if not await self.exists(db, resource_id):
            raise not_found(self.label, resource_id)

    # ---- lists -------------------------------------------------------------------------------

    def sort(self, raw: str | None) -> tuple[SortKey, ...]:
        """The sort keys of ``?sort=`` (400 for a field outside :attr:`sort_fields`)."""
        return parse_sort(raw, self.sort_fields, self.default_sort)

    def list_query(
        self,
        filters: tuple[str, ...],
        keys: tuple[SortKey, ...],
        after_cursor: bool,
        limit: int = DEFAULT_PAGE_SIZE,
        tenancy: bool = True,
    ) -> str:
        """Compose (once per shape) the list statement from allow-listed fragments, for pages of
        ``limit`` rows; ``tenancy`` False leaves out the :attr:`tenancy` predicate (see
        :func:`_sees_every_project`).

        The row count is written into the statement, not bound: with ``LIMIT $n`` PostgreSQL's
        generic plan assumes a tenth of the table and is never chosen, so every execution is
        planned afresh (about half the statement's cost); with a constant it reuses the generic
        plan after five executions whenever that plan is as good. ``limit`` is an ``int``
        bounded by the route (1 to ``MAX_PAGE_SIZE``), quoted by :class:`psycopg.sql.Literal`."""
        if not (isinstance(limit, int) and 1 <= limit <= MAX_PAGE_SIZE):
            raise ValueError(f"page size {limit!r} outside 1..{MAX_PAGE_SIZE}")
        cache_key = (filters, keys, after_cursor, limit, tenancy)
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        predicates: list[sql.Composable] = [sql.SQL(self.filters[name].sql) for name in filters]
        if self.scope is not None:
            predicates.insert(0, sql.SQL(self.scope))
        if self.tenancy is not None and tenancy:
            predicates.insert(0, sql.SQL(self.tenancy))
        if after_cursor:
            predicates.append(keyset_clause(keys, self.sort_fields, {}, [None] * len(keys)))
        where = sql.SQL("WHERE ") + sql.SQL(" AND ").join(predicates) if predicates else sql.SQL("")
        query = sql.SQL("SELECT {columns} FROM {table} {where} {order} LIMIT {rows}").format(
            columns=sql.SQL(self.columns),  # type: ignore[arg-type]
            table=_ident(self.name),
            where=where,
            order=order_by_clause(keys, self.sort_fields),
            rows=sql.Literal(limit + 1),  # one more: whether a next page exists
        )
        text = query.as_string(None)
        if len(self._cache) < _QUERY_CACHE_LIMIT:
            self._cache[cache_key] = text
        return text

    async def page(
        self,
        db: Db,
        codec: CursorCodec,
        filters: dict[str, Any],
        sort: str | None,
        cursor: str | None,
        limit: int,
        scope: dict[str, Any] | None = None,
    ) -> Listed[T]:
        """One page: ``filters`` are the list's query parameters (None = absent), ``sort`` the raw
        ``?sort=``, ``scope`` binds the parameters of :attr:`scope`."""
        keys = self.sort(sort)
        active = tuple(name for name in self.filters if filters.get(name) is not None)
        params: dict[str, Any] = dict(scope or {})
        params.update((name, filters[name]) for name in active)
        if cursor is not None:
            for index, value in enumerate(codec.decode(cursor, keys)):
                params[f"cursor_{index}"] = value
        query = self.list_query(
            active, keys, cursor is not None, limit, not _sees_every_project(db)
        )
        async with reading(db) if self.list_setup_sql is None else transaction(db) as conn:
            if self.list_setup_sql is not None:
                await conn.execute(self.list_setup_sql)
            cur = await statement_cursor(conn).execute(query, params)  # type: ignore[arg-type]
            rows = await cur.fetchall()
        if not rows and cursor is None and self.parent is not None and scope:
            await self.parent.require(db, next(iter(scope.values())))
        has_more = len(rows) > limit
        items = [self.struct(*row) for row in rows[:limit]]
        next_cursor = None
        if has_more:
            last = items[-1]
            next_cursor = codec.encode(keys, [_cursor_value(last, key.field) for key in keys])
        return Listed(items, next_cursor, has_more)


def _sees_every_project(db: Db) -> bool:
    """Whether the request may see every project (``app.projects`` = ``*``): its tenancy is then
    decided once, here, rather than by the predicate on every row, which would be true for each
    (the app role's RLS policy still applies). Outside a request the connection's setting is not
    known here, so the predicate stays."""
    return isinstance(db, Session) and db.tenancy == EVERY_PROJECT


def created_between(column: LiteralString = "created_at") -> dict[str, Filter]:
    """The ``created_after`` / ``created_before`` filters most lists share."""
    return {
        "created_after": Filter(f"{column} >= %(created_after)s", dt.datetime | None),  # type: ignore[dict-item]
        "created_before": Filter(f"{column} < %(created_before)s", dt.datetime | None),  # type: ignore[dict-item]
    }
