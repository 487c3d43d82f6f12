"""Template rules: declared variables cover every placeholder; rendering fills them in one pass
(values are never re-scanned for placeholders) and counts the use."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec

from taskmaster.api.listing import Table, using
from taskmaster.api.pagination import SortField
from taskmaster.db.pool import ConnectionPool
from taskmaster.db.sql import load_queries
from taskmaster.errors import ApiError, FieldError, not_found
from taskmaster.templates.schemas import (
    Rendered,
    RenderRequest,
    Template,
    TemplatePatch,
    TemplateWrite,
    Variable,
)

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

TEMPLATES: Table[Template] = Table(
    name="templates",
    label="template",
    struct=Template,
    columns=QUERIES["fragment:template_columns"],
    sort_fields={
        "created_at": SortField("created_at", "timestamptz"),
        "updated_at": SortField("updated_at", "timestamptz"),
        "name": SortField("name", "text"),
        "usage_count": SortField("usage_count", "bigint"),
        "id": SortField("id", "uuid"),
    },
    default_sort="created_at",
    filters={
        "template_type": "template_type = ANY(%(template_type)s)",
        "category": "category = %(category)s",
        "tag": "tags @> %(tag)s",
        "is_active": "is_active = %(is_active)s",
        "name": "name = %(name)s",
    },
    queries=QUERIES,
    key="template",
    jsonb=frozenset({"variables", "metadata"}),
)

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
}


def _unprocessable(code: str, detail: str, names: list[str], message: str) -> ApiError:
    errors = [FieldError(field=f"variables.{name}", message=message) for name in names]
    return ApiError(422, code, "Unprocessable content", detail, errors=errors)


def _type_ok(variable: Variable, value: Any) -> bool:
    if variable.type == "json":
        return True
    if value is None:
        return not variable.required
    if variable.type == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):  # bool is an int subclass, but never a number here
        return False
    return isinstance(value, _TYPES[variable.type])


def check_declarations(content: str, variables: list[Variable]) -> None:
    """422 for duplicate declarations, defaults of the wrong type, or placeholders in ``content``
    that are not declared."""
    names = [v.name for v in variables]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise _unprocessable(
            "duplicate-variable", f"Variables declared twice: {', '.join(duplicates)}.",
            duplicates, "declared twice",
        )  # fmt: skip
    wrong = [v.name for v in variables if v.default is not None and not _type_ok(v, v.default)]
    if wrong:
        raise _unprocessable(
            "invalid-default", f"Defaults not of the declared type: {', '.join(wrong)}.",
            wrong, "default is not of the declared type",
        )  # fmt: skip
    undeclared = sorted(set(PLACEHOLDER.findall(content)) - set(names))
    if undeclared:
        raise _unprocessable(
            "undeclared-variable",
            f"The content uses undeclared variables: {', '.join(undeclared)}.",
            undeclared, "used in content but not declared",
        )  # fmt: skip


def _builtin(body: Any) -> Any:
    """Variables as plain JSON for the JSONB column."""
    if body.variables is msgspec.UNSET:
        return body
    return msgspec.structs.replace(body, variables=msgspec.to_builtins(body.variables))


async def create(pool: ConnectionPool, body: TemplateWrite) -> Template:
    check_declarations(body.content, body.variables)
    return await TEMPLATES.create(pool, _builtin(body))


async def replace(
    pool: ConnectionPool, template_id: UUID, body: TemplateWrite, if_version: int | None
) -> Template:
    check_declarations(body.content, body.variables)
    return await TEMPLATES.replace(pool, template_id, _builtin(body), if_version)


async def patch(
    pool: ConnectionPool, template_id: UUID, body: TemplatePatch, if_version: int | None
) -> Template:
    if body.content is not msgspec.UNSET or body.variables is not msgspec.UNSET:
        current = await TEMPLATES.get(pool, template_id)
        content = current.content if body.content is msgspec.UNSET else body.content
        variables = (
            msgspec.convert(current.variables, list[Variable])
            if body.variables is msgspec.UNSET
            else body.variables
        )
        check_declarations(content, variables)
    return await TEMPLATES.patch(pool, template_id, _builtin(body), if_version)


def render_content(template: Template, given: dict[str, Any]) -> str:
    """Fill the placeholders; 422 naming unknown, missing or mistyped variables."""
    declared = {v.name: v for v in msgspec.convert(template.variables, list[Variable])}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise _unprocessable(
            "unknown-variable", f"Variables not declared by the template: {', '.join(unknown)}.",
            unknown, "not declared by the template",
        )  # fmt: skip
    values: dict[str, Any] = {}
    missing: list[str] = []
    for name, variable in declared.items():
        if name in given:
            values[name] = given[name]
        elif variable.default is not None or not variable.required:
            values[name] = variable.default
        else:
            missing.append(name)
    if missing:
        raise _unprocessable(
            "missing-variable", f"Required variables not given: {', '.join(missing)}.",
            missing, "required",
        )  # fmt: skip
    mistyped = sorted(n for n in given if not _type_ok(declared[n], given[n]))
    if mistyped:
        raise _unprocessable(
            "invalid-variable", f"Values not of the declared type: {', '.join(mistyped)}.",
            mistyped, "not of the declared type",
        )  # fmt: skip

    def fill(found: re.Match[str]) -> str:
        value = values[found[1]]
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        return msgspec.json.encode(value).decode()

    return PLACEHOLDER.sub(fill, template.content)


async def render(pool: ConnectionPool, template_id: UUID, body: RenderRequest) -> Rendered:
    template = await TEMPLATES.get(pool, template_id)
    if not template.is_active:
        raise ApiError(
            409, "template-inactive", "Conflict", f"template {template_id} is not active"
        )
    content = render_content(template, body.variables)
    async with using(pool) as conn:
        cur = await conn.execute(QUERIES["count_use"], {"id": template_id})
        row = await cur.fetchone()
    if row is None:
        raise not_found("template", template_id)
    version, usage_count = row
    return Rendered(template_id, version, content, usage_count)
