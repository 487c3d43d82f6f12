"""What every resource's data access shares: one :class:`Table` describes a resource's rows.

A resource declares, once, its table, the struct a row decodes into, its select-list fragment, its
allow-listed filters (query parameter → constant SQL predicate) and sort fields, and for a
sub-collection its parent and the predicate that scopes it. From that the table gives:

- :meth:`Table.page`: a keyset-paginated list, its statement composed from constant fragments once
  per shape (which filters are present, which sort, first page or not) and cached, values bound;
  an empty first page of a sub-collection whose parent is missing is a 404;
- :meth:`Table.get` / ``create`` / ``replace`` / ``patch`` / ``delete``: CRUD by convention over the
  resource's named statements ``get_<key>``, ``insert_<key>``, … in its ``queries.sql``;
- :meth:`Table.get_json`: one row as JSON rendered by PostgreSQL (``get_<key>_json``), for a hot
  read whose body is sent as is;
- :meth:`Table.one` / :meth:`Table.write`: run any named single-row statement and decode it, 404
  when it returns nothing;
- :meth:`Table.guarded`: an UPDATE/DELETE guarded by ``If-Match`` (``%(if_version)s``) that tells a
  missing row (404) from a stale version (412) with a second query only when the first touched nothing.

Every method takes the pool or, for writes of several statements, the connection of
:func:`transaction`. To add a resource: write its ``queries.sql`` with those names, describe its
``Table`` in its service module, and call the table from thin routes.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, LiteralString, TypeVar
from uuid import UUID

import msgspec
from psycopg import AsyncConnection, sql
from psycopg.types.json import Jsonb

from taskmaster.api.pagination import (
    CursorCodec,
    SortField,
    SortKey,
    keyset_clause,
    order_by_clause,
    parse_sort,
)
from taskmaster.db.pool import Checkout, ConnectionPool, statement_cursor
from taskmaster.errors import ApiError, not_found

T = TypeVar("T")
# Every method takes the pool, or a connection already inside a transaction (see ``transaction``).
Db = ConnectionPool | AsyncConnection[Any]
_QUERY_CACHE_LIMIT = 1024


@dataclass(frozen=True, slots=True)
class Listed(Generic[T]):
    """One page of a list: the items, and where the next page starts (if there is one)."""

    items: list[T]
    next_cursor: str | None
    has_more: bool


class _Borrowed:
    """The caller's own connection (its transaction), as a context manager that leaves it open."""

    __slots__ = ("_conn",)

    def __init__(self, conn: AsyncConnection[Any]) -> None:
        self._conn = conn

    async def __aenter__(self) -> AsyncConnection[Any]:
        return self._conn

    async def __aexit__(self, *exc_info: object) -> None:
        return None


def using(db: Db) -> Checkout | _Borrowed:
    """A connection from the pool, or the caller's own connection (its transaction) as is."""
    return db.connection() if isinstance(db, ConnectionPool) else _Borrowed(db)


@contextlib.asynccontextmanager
async def transaction(pool: ConnectionPool) -> AsyncIterator[AsyncConnection[Any]]:
    """One connection in one transaction, for writes that take several statements."""
    async with pool.connection() as conn, conn.transaction():
        yield conn


async def fetch_one(
    db: Db,
    struct: type[T],
    query: LiteralString,
    params: dict[str, Any],
    label: str,
    resource_id: Any,
) -> T:
    """One row decoded into ``struct``; 404 naming ``label`` when the statement returns none."""
    async with using(db) as conn:
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
    """The fields a PATCH body sets (its named statement changes only columns in ``%(fields)s``)."""
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
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


@dataclass(eq=False)
class Table(Generic[T]):
    """A resource's rows: where they live, how they decode, how they may be listed."""

    name: LiteralString  # the table
    label: str  # the resource as error messages name it ("task", "workflow stage")
    struct: type[T]  # built positionally from a row of ``columns``
    columns: LiteralString  # the select list; its order is the struct's field order
    sort_fields: dict[str, SortField]
    default_sort: str
    filters: dict[str, LiteralString] = field(default_factory=dict)
    # A sub-collection: the predicate every list applies (e.g. "task_id = %(task_id)s", bound from
    # ``page(scope=…)``) and the parent table, so an empty first page of a missing parent is a 404.
    scope: LiteralString | None = None
    parent: Table[Any] | None = None
    # The resource's named statements; the CRUD helpers run ``get_<key>``, ``insert_<key>``,
    # ``replace_<key>``, ``patch_<key>`` and ``delete_<key>`` from it.
    queries: dict[str, LiteralString] = field(default_factory=dict)
    key: str = ""
    jsonb: frozenset[str] = frozenset()  # body fields bound as JSONB
    # Project tenancy: the shared predicate (migration add_project_tenancy) every list, version
    # and existence check applies, e.g. "tenancy_allows(project_id)"; the resource's named
    # statements carry it themselves. None: the rows belong to no project.
    tenancy: LiteralString | None = None
    _cache: dict[tuple[Any, ...], str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        table = sql.Identifier(self.name)
        # Within the scope, so a child addressed under the wrong parent is a 404, not a 412.
        scoped = sql.SQL(" AND " + self.scope if self.scope else "")  # type: ignore[operator]
        # Outside the caller's projects a row does not exist (404, never 412).
        tenancy = sql.SQL(" AND " + self.tenancy if self.tenancy else "")  # type: ignore[operator]
        self._version_query = (
            sql.SQL("SELECT version FROM {} WHERE id = %(id)s{}{}")
            .format(table, scoped, tenancy)
            .as_string(None)
        )
        self._exists_query = (
            sql.SQL("SELECT 1 FROM {} WHERE id = %(id)s{}").format(table, tenancy).as_string(None)
        )

    # ---- single rows -------------------------------------------------------------------------

    async def one(
        self,
        pool: Db,
        query: LiteralString,
        params: dict[str, Any],
        resource_id: Any,
        label: str | None = None,
    ) -> T:
        """Run a statement returning at most one row of ``columns``; 404 when it returns none
        (naming ``label`` when the missing row is another one, e.g. the parent of an INSERT …
        SELECT)."""
        return await fetch_one(pool, self.struct, query, params, label or self.label, resource_id)

    async def write(self, pool: Db, query: LiteralString, params: dict[str, Any]) -> T:
        """Run an INSERT … RETURNING ``columns`` (constraint errors become problems upstream)."""
        async with using(pool) as conn:
            cur = await statement_cursor(conn).execute(query, params)
            row = await cur.fetchone()
        assert row is not None
        return self.struct(*row)

    async def guarded(
        self, pool: Db, query: LiteralString, params: dict[str, Any], resource_id: Any
    ) -> tuple[Any, ...]:
        """Run an UPDATE/DELETE guarded by ``%(if_version)s``; 404 or 412 when it touches no row."""
        async with using(pool) as conn:
            cur = await statement_cursor(conn).execute(query, params)
            row = await cur.fetchone()
            if row is not None:
                return row
            cur = await cur.execute(self._version_query, params | {"id": resource_id})  # type: ignore[arg-type]
            current = await cur.fetchone()
        if current is None:
            raise not_found(self.label, resource_id)
        raise precondition_failed(self.label, resource_id, current[0])

    async def update(
        self, pool: Db, query: LiteralString, params: dict[str, Any], resource_id: Any
    ) -> T:
        """:meth:`guarded` for a statement that returns the row's ``columns``."""
        return self.struct(*await self.guarded(pool, query, params, resource_id))

    # ---- CRUD by convention -------------------------------------------------------------------
    # ``scope`` binds a sub-collection's parent (e.g. {"workflow_id": …}): the statements then
    # also require the row to belong to it, and ``insert_<key>`` is an INSERT … SELECT from the
    # parent that returns nothing (→ 404 naming the parent) when the parent does not exist.

    def _query(self, verb: str) -> LiteralString:
        return self.queries[f"{verb}_{self.key}"]

    async def get(self, pool: Db, resource_id: Any, scope: dict[str, Any] | None = None) -> T:
        params = {"id": resource_id} | (scope or {})
        return await self.one(pool, self._query("get"), params, resource_id)

    async def get_json(self, pool: Db, resource_id: Any) -> tuple[int, str]:
        """The row's version and its JSON as PostgreSQL renders it (``get_<key>_json``), for reads
        that send the resource as is; 404 when there is no such row."""
        async with using(pool) as conn:
            cur = await statement_cursor(conn).execute(
                self.queries[f"get_{self.key}_json"], {"id": resource_id}
            )
            row = await cur.fetchone()
        if row is None:
            raise not_found(self.label, resource_id)
        return row[0], row[1]

    async def create(
        self, pool: Db, body: msgspec.Struct, scope: dict[str, Any] | None = None
    ) -> T:
        params = body_params(body, self.jsonb) | (scope or {})
        if not scope:
            return await self.write(pool, self._query("insert"), params)
        parent_label = self.parent.label if self.parent is not None else "parent"
        parent_id = next(iter(scope.values()))
        return await self.one(pool, self._query("insert"), params, parent_id, parent_label)

    async def replace(
        self, pool: Db, resource_id: Any, body: msgspec.Struct, if_version: int | None
    ) -> T:
        params = body_params(body, self.jsonb) | {"id": resource_id, "if_version": if_version}
        return await self.update(pool, self._query("replace"), params, resource_id)

    async def patch(
        self,
        pool: Db,
        resource_id: Any,
        body: msgspec.Struct,
        if_version: int | None,
        scope: dict[str, Any] | None = None,
    ) -> T:
        """``patch_<key>``: changes only the columns named in ``%(fields)s`` (the fields sent)."""
        params = body_params(body, self.jsonb) | (scope or {})
        params |= {"id": resource_id, "if_version": if_version, "fields": sent_fields(body)}
        return await self.update(pool, self._query("patch"), params, resource_id)

    async def delete(self, pool: Db, resource_id: Any, if_version: int | None) -> None:
        params = {"id": resource_id, "if_version": if_version}
        await self.guarded(pool, self._query("delete"), params, resource_id)

    async def exists(self, pool: Db, resource_id: Any) -> bool:
        async with using(pool) as conn:
            cur = await conn.execute(self._exists_query, {"id": resource_id})  # type: ignore[arg-type]
            return await cur.fetchone() is not None

    async def require(self, pool: Db, resource_id: Any) -> None:
        if not await self.exists(pool, resource_id):
            raise not_found(self.label, resource_id)

    # ---- lists -------------------------------------------------------------------------------

    def sort(self, raw: str | None) -> tuple[SortKey, ...]:
        """The sort keys of ``?sort=`` (400 for a field outside :attr:`sort_fields`)."""
        return parse_sort(raw, self.sort_fields, self.default_sort)

    def list_query(
        self, filters: tuple[str, ...], keys: tuple[SortKey, ...], after_cursor: bool
    ) -> str:
        """Compose (once per shape) the list statement from allow-listed fragments."""
        cache_key = (filters, keys, after_cursor)
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        predicates: list[sql.Composable] = [sql.SQL(self.filters[name]) for name in filters]
        if self.scope is not None:
            predicates.insert(0, sql.SQL(self.scope))
        if self.tenancy is not None:
            predicates.insert(0, sql.SQL(self.tenancy))
        if after_cursor:
            predicates.append(keyset_clause(keys, self.sort_fields, {}, [None] * len(keys)))
        where = sql.SQL("WHERE ") + sql.SQL(" AND ").join(predicates) if predicates else sql.SQL("")
        query = sql.SQL("SELECT {columns} FROM {table} {where} {order} LIMIT %(limit)s").format(
            columns=sql.SQL(self.columns),
            table=sql.Identifier(self.name),
            where=where,
            order=order_by_clause(keys, self.sort_fields),
        )
        text = query.as_string(None)
        if len(self._cache) < _QUERY_CACHE_LIMIT:
            self._cache[cache_key] = text
        return text

    async def page(
        self,
        pool: Db,
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
        params["limit"] = limit + 1
        if cursor is not None:
            for index, value in enumerate(codec.decode(cursor, keys)):
                params[f"cursor_{index}"] = value
        query = self.list_query(active, keys, cursor is not None)
        async with using(pool) as conn:
            cur = await statement_cursor(conn).execute(query, params)  # type: ignore[arg-type]
            rows = await cur.fetchall()
        if not rows and cursor is None and self.parent is not None and scope:
            await self.parent.require(pool, next(iter(scope.values())))
        has_more = len(rows) > limit
        items = [self.struct(*row) for row in rows[:limit]]
        next_cursor = None
        if has_more:
            last = items[-1]
            next_cursor = codec.encode(keys, [_cursor_value(last, key.field) for key in keys])
        return Listed(items, next_cursor, has_more)
