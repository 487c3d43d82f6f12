"""One resource shape: the HTTP side of a :class:`~taskmaster.db.table.Table`, declared once.

A resource's package declares its row struct and write struct (``schemas.py``) and its ``Table``
(``service.py``: table, filters, sorts, patchable fields). From those, :func:`crud_controller`
builds the controller of the usual routes — create, list (one query parameter per filter, with
its type), get (``ETag``/304), replace, patch and delete (``If-Match``) — and :func:`patch_of` the
PATCH body (every writable field optional, ``null`` clearing only what may be null). A resource
with rules of its own subclasses the controller and adds its routes beside the generated ones::

    class ProjectController(crud_controller(PROJECTS, "/api/v1/projects", "projects", ...)):
        opt = policy("tasks:read", "tasks:write")

        @post("/{project_id:uuid}/archive", ...)
        async def archive(self, db: Session, project_id: UUID) -> ...: ...

To add a resource: its migration, its package (``schemas.py`` with the row and write structs,
``service.py`` with its ``Table``, ``routes.py`` with the controller as above) and its controller
in ``app.ROUTE_HANDLERS``.
"""

from __future__ import annotations

import inspect
import keyword
from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, Any, get_args, get_origin, get_type_hints
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody, ParameterKwarg

from taskmaster.api.docs import COMMON, WRITE, ReadWithIfNoneMatch, problems
from taskmaster.api.envelope import Envelope, Page, paged, single, single_json
from taskmaster.api.etags import parse_if_match
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE
from taskmaster.api.params import Cursor, Db, IfMatch, IfNoneMatch, Limit, PathId, Req, Sort
from taskmaster.db.session import Session
from taskmaster.db.table import Table

CRUD = ("create", "list", "get", "replace", "patch", "delete")
_P = inspect.Parameter


def patch_of(
    write: type[msgspec.Struct], name: str, *, only: Iterable[str] | None = None
) -> type[msgspec.Struct]:
    """The PATCH body of a write struct: the same fields (or ``only`` these), each optional
    (absent = unchanged); a field that may be null may be sent as ``null`` to clear it."""
    hints = get_type_hints(write, include_extras=True)
    chosen = set(only) if only is not None else None
    fields = [
        (field.name, hints[field.name] | msgspec.UnsetType, msgspec.UNSET)
        for field in msgspec.structs.fields(write)
        if chosen is None or field.name in chosen
    ]
    struct = msgspec.defstruct(
        name, fields, kw_only=True, forbid_unknown_fields=True, module=write.__module__
    )
    struct.__doc__ = (
        "Body of the PATCH route: only the fields sent change; ``null`` clears a nullable one."
    )
    return struct


def body(struct: Any) -> Any:
    """The annotation of a JSON request body (Litestar's body marker)."""
    return JSONBody[struct]


def filter_parameters(table: Table[Any]) -> list[inspect.Parameter]:
    """One keyword parameter per filter of the table, typed as declared (None = absent)."""
    return [
        _P(_kwarg(name), _P.KEYWORD_ONLY, default=None, annotation=query_annotation(spec.type))
        for name, spec in table.filters.items()
    ]


def query_annotation(annotation: Any) -> Any:
    """A filter's type as a query parameter: as declared when it carries its own
    ``QueryParameter(…)`` (bounds, an alias), else marked ``FromQuery``."""
    if get_origin(annotation) is Annotated and any(
        isinstance(meta, ParameterKwarg) for meta in get_args(annotation)[1:]
    ):
        return annotation
    return FromQuery[annotation]


def _kwarg(name: str) -> str:
    """A filter's handler argument: its name, or ``from_`` for a keyword (whose type then carries
    ``QueryParameter(name="from")``, see ``api.params.From``)."""
    return f"{name}_" if keyword.iskeyword(name) else name


def filter_values(table: Table[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The handler's filter arguments, keyed as the table's filters are."""
    return {name: kwargs.get(_kwarg(name)) for name in table.filters}


def with_signature(
    fn: Callable[..., Any], name: str, params: list[inspect.Parameter], returns: Any
) -> Callable[..., Any]:
    """Give a generic handler the name and signature Litestar reads (parameters, OpenAPI)."""
    fn.__name__ = fn.__qualname__ = name
    self_param = _P("self", _P.POSITIONAL_OR_KEYWORD)
    fn.__signature__ = inspect.Signature([self_param, *params], return_annotation=returns)  # type: ignore[attr-defined]
    fn.__annotations__ = {p.name: p.annotation for p in params} | {"return": returns}
    return fn


def kw_param(name: str, annotation: Any, default: Any = _P.empty) -> inspect.Parameter:
    return _P(name, _P.KEYWORD_ONLY, default=default, annotation=annotation)


def crud_controller(
    table: Table[Any],
    path: str,
    tag: str,
    *,
    patch_struct: type[msgspec.Struct] | None = None,
    name: str | None = None,
    id_name: str | None = None,
    id_type: str = "uuid",
    id_annotation: Any = None,
    plural: str | None = None,
    ops: Iterable[str] = CRUD,
    summaries: dict[str, str] | None = None,
    statuses: dict[str, tuple[int, ...]] | None = None,
    rules: dict[str, Callable[..., Awaitable[Any]]] | None = None,
) -> type[Controller]:
    """A controller with the usual routes of ``table`` at ``path`` (``ops`` chooses which).

    Handler names follow the resource (``create_project``, ``list_projects``, …; ``name`` and
    ``plural`` when the label does not say them); ``id_name``
    is the path parameter (default ``<key>_id`` from the table's label), ``id_type`` its
    converter and ``id_annotation`` its type when it has bounds; ``statuses`` replaces the
    problem statuses a route documents (e.g. ``{"delete": (*COMMON, 412)}`` when nothing
    references the row); ``rules`` the service functions that write instead of the table's
    (``{"create": service.create}``: ``create(db, body)``, ``replace``/``patch(db, id, body,
    if_version)``) when a resource checks or derives something first."""
    item, write = table.struct, table.write
    key = name or table.label.replace(" ", "_")
    plural = plural or f"{key}s"
    id_name = id_name or f"{key}_id"
    one = f"/{{{id_name}:{id_type}}}"
    if id_annotation is None:
        plain = UUID if id_type == "uuid" else int if id_type == "int" else str
        id_annotation = FromPath[plain]
    said = {
        "create": f"Create a {table.label}",
        "list": f"List {table.label}s (keyset-paginated)",
        "get": f"Get a {table.label}",
        "replace": f"Replace a {table.label}",
        "patch": f"Update some fields of a {table.label}",
        "delete": f"Delete a {table.label}",
    } | (summaries or {})
    codes = {
        "create": WRITE,
        "list": COMMON,
        "get": COMMON,
        "replace": (*WRITE, 412),
        "patch": (*WRITE, 412),
        "delete": (*COMMON, 409, 412),
    } | (statuses or {})
    documented = {op: problems(*found) for op, found in codes.items()}
    request_p = kw_param("request", Req)
    db_p = kw_param("db", Db)
    id_p = kw_param(id_name, id_annotation)
    if_match_p = kw_param("if_match", IfMatch, None)
    handlers: dict[str, Any] = {}
    wanted = set(ops)
    rules = rules or {}
    create_row = rules.get("create", table.create)

    if "create" in wanted:

        async def create(self: Controller, request: Req, db: Session, data: Any) -> Any:
            created = await create_row(db, data)
            return single(request, created, 201, location=f"{self.path}/{created.id}")

        handlers[f"create_{key}"] = post(
            "/", responses=documented["create"], summary=said["create"]
        )(
            with_signature(
                create,
                f"create_{key}",
                [request_p, db_p, kw_param("data", body(write))],
                Response[Envelope[item]],  # type: ignore[valid-type]
            )
        )

    if "list" in wanted:
        handlers[f"list_{plural}"] = get("/", responses=documented["list"], summary=said["list"])(
            list_handler(table, f"list_{plural}")
        )

    if "get" in wanted and table.get_json_sql:

        async def get_json(self: Controller, request: Req, **ids: Any) -> Any:
            # A hot read: its session is taken from the request, not injected (cheaper).
            version, rendered = await table.get_json(Session.of(request), ids[id_name])
            return single_json(request, version, rendered)  # answers If-None-Match

        handlers[f"get_{key}"] = get(
            one,
            responses=documented["get"],
            summary=said["get"],
            operation_class=ReadWithIfNoneMatch,
        )(with_signature(get_json, f"get_{key}", [request_p, id_p], Response[Envelope[item]]))  # type: ignore[valid-type]
    elif "get" in wanted:

        async def get_one(
            self: Controller,
            request: Req,
            db: Session,
            if_none_match: str | None = None,
            **ids: Any,
        ) -> Any:
            found = await table.get(db, ids[id_name])
            return single(request, found, if_none_match=if_none_match)

        get_params = [request_p, db_p, id_p]
        if "version" in item.__struct_fields__:  # a versioned row has an ETag: 304 on a match
            get_params.append(kw_param("if_none_match", IfNoneMatch, None))
        handlers[f"get_{key}"] = get(one, responses=documented["get"], summary=said["get"])(
            with_signature(get_one, f"get_{key}", get_params, Response[Envelope[item]])  # type: ignore[valid-type]
        )

    def guarded_write(route: Any, op: str, data_struct: Any, write_row: Any) -> Any:
        """PUT or PATCH of one row under ``If-Match`` (412 when stale)."""

        async def write_(
            self: Controller, request: Req, db: Session, data: Any, if_match: str | None, **ids: Any
        ) -> Any:
            version = parse_if_match(if_match)
            return single(request, await write_row(db, ids[id_name], data, version))

        params = [request_p, db_p, id_p, kw_param("data", body(data_struct)), if_match_p]
        returns = Response[Envelope[item]]  # type: ignore[valid-type]
        return route(one, responses=documented[op], summary=said[op])(
            with_signature(write_, f"{op}_{key}", params, returns)
        )

    if "replace" in wanted:
        replace_row = rules.get("replace", table.replace)
        handlers[f"replace_{key}"] = guarded_write(put, "replace", write, replace_row)
    if "patch" in wanted:
        assert patch_struct is not None, f"{table.label}: patch needs its patch_struct"
        patch_row = rules.get("patch", table.patch)
        handlers[f"patch_{key}"] = guarded_write(patch, "patch", patch_struct, patch_row)

    if "delete" in wanted:

        async def delete_(self: Controller, db: Session, if_match: str | None, **ids: Any) -> None:
            await table.delete(db, ids[id_name], parse_if_match(if_match))

        handlers[f"delete_{key}"] = delete(
            one, responses=documented["delete"], summary=said["delete"]
        )(with_signature(delete_, f"delete_{key}", [db_p, id_p, if_match_p], None))

    return type(
        f"{key.title().replace('_', '')}Routes",
        (Controller,),
        {"path": path, "tags": [tag], "__module__": __name__, **handlers},
    )


def scoped_list(table: Table[Any], path: str, name: str, summary: str, *, scope_id: str) -> Any:
    """The list route of a sub-collection (``GET /…/{scope_id}/<children>``), for its parent's
    controller (``list_stages = scoped_list(STAGES, ONE + "/stages", "list_stages", …)``): the
    table's filters as typed query parameters, the rows of the parent named by the path parameter
    ``scope_id`` (which the table's ``scope`` predicate binds); 404 when that parent is missing."""
    return get(path, responses=problems(*COMMON), summary=summary)(
        list_handler(table, name, scope_id=scope_id)
    )


def list_handler(table: Table[Any], name: str, *, scope_id: str | None = None) -> Any:
    """The keyset-paginated list of ``table``: ``limit``, ``cursor``, ``sort`` and one typed query
    parameter per filter; with ``scope_id``, only the rows of the parent that path parameter
    names."""

    async def list_(
        self: Controller,
        request: Req,
        db: Session,
        limit: int = DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
        sort: str | None = None,
        **kwargs: Any,
    ) -> Any:
        codec = request.app.state.cursors
        scope = {scope_id: kwargs[scope_id]} if scope_id is not None else None
        filters = filter_values(table, kwargs)
        listed = await table.page(db, codec, filters, sort, cursor, limit, scope)
        return paged(request, listed, limit)

    scope_p = [kw_param(scope_id, PathId)] if scope_id is not None else []
    params = [
        kw_param("request", Req),
        kw_param("db", Db),
        *scope_p,
        kw_param("limit", Limit, DEFAULT_PAGE_SIZE),
        kw_param("cursor", Cursor, None),
        kw_param("sort", Sort, None),
        *filter_parameters(table),
    ]
    return with_signature(list_, name, params, Page[table.struct])  # type: ignore[name-defined]


def scoped_get(
    table: Table[Any], path: str, name: str, summary: str, *, scope_id: str, id_name: str
) -> Any:
    """The get route of a sub-collection's member (``GET /…/{scope_id}/<children>/{id_name}``):
    404 when it is missing or belongs to another parent; ``ETag``/304 for a versioned row."""

    async def get_child(
        self: Controller, request: Req, db: Session, if_none_match: str | None = None, **ids: Any
    ) -> Any:
        found = await table.get(db, ids[id_name], {scope_id: ids[scope_id]})
        return single(request, found, if_none_match=if_none_match)

    params = [
        kw_param("request", Req),
        kw_param("db", Db),
        kw_param(scope_id, PathId),
        kw_param(id_name, PathId),
    ]
    if "version" in table.struct.__struct_fields__:  # type: ignore[attr-defined]
        params.append(kw_param("if_none_match", IfNoneMatch, None))
    returns = Response[Envelope[table.struct]]  # type: ignore[name-defined]
    return get(path, responses=problems(*COMMON), summary=summary)(
        with_signature(get_child, name, params, returns)
    )


def scoped_create(
    table: Table[Any],
    path: str,
    name: str,
    summary: str,
    *,
    scope_id: str,
    data: Any,
    located: bool = True,
    create: Callable[[Session, Any, Any], Any] | None = None,
) -> Any:
    """The create route of a sub-collection (``POST /…/{scope_id}/<children>``): ``data`` is the
    body's struct, 404 when the parent is missing (the ``insert_sql`` is an INSERT …
    SELECT from it), 201 with ``Location`` (``located``). ``create(db, parent_id, body)`` runs
    instead of the table's insert when the child has rules of its own."""

    async def create_child(
        self: Controller, request: Req, db: Session, data: Any, **ids: Any
    ) -> Any:
        parent_id = ids[scope_id]
        if create is not None:
            created = await create(db, parent_id, data)
        else:
            created = await table.create(db, data, {scope_id: parent_id})
        where = request.scope["path"].rstrip("/") + f"/{created.id}" if located else None
        return single(request, created, 201, location=where)

    params = [
        kw_param("request", Req),
        kw_param("db", Db),
        kw_param(scope_id, PathId),
        kw_param("data", body(data)),
    ]
    returns = Response[Envelope[table.struct]]  # type: ignore[name-defined]
    return post(path, responses=problems(*WRITE), summary=summary)(
        with_signature(create_child, name, params, returns)
    )
