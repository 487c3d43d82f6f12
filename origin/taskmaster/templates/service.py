"""Template rules: declared variables cover every placeholder; rendering fills them in one pass
(values are never re-scanned for placeholders) and counts the use."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar.params import QueryParameter

from taskmaster.db.sql import load_queries
from taskmaster.db.table import Db, Filter, Table
from taskmaster.errors import ApiError, FieldError
from taskmaster.templates.schemas import (
    Rendered,
    RenderRequest,
    Template,
    TemplatePatch,
    TemplateType,
    TemplateWrite,
    Variable,
)

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

TEMPLATES: Table[Template] = Table(
    name="templates",
    struct=Template,
    write=TemplateWrite,
    # success_rate is numeric(5,4) in the table: read as float8.
    columns="id, name, template_type, category, description, content, variables, tags, "
    "is_active, usage_count, success_rate::float8, last_used_at, metadata, version, created_at, "
    "updated_at",
    sorts=("created_at", "updated_at", "name", "usage_count", "id"),
    filters={
        "template_type": Filter(
            "template_type = ANY(%(template_type)s)", list[TemplateType] | None
        ),
        "category": Filter(
            "category = %(category)s", Annotated[str | None, QueryParameter(max_length=100)]
        ),
        "tag": Filter(
            "tags @> %(tag)s",
            Annotated[list[str] | None, QueryParameter(description="Has all of these tags")],
        ),
        "is_active": Filter("is_active = %(is_active)s", bool | None),
        "name": Filter("name = %(name)s", Annotated[str | None, QueryParameter(max_length=200)]),
    },
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


async def create(db: Db, body: TemplateWrite) -> Template:
    check_declarations(body.content, body.variables)
    return await TEMPLATES.create(db, _builtin(body))


async def replace(
    db: Db, template_id: UUID, body: TemplateWrite, if_version: int | None
) -> Template:
    check_declarations(body.content, body.variables)
    return await TEMPLATES.replace(db, template_id, _builtin(body), if_version)


async def patch(db: Db, template_id: UUID, body: TemplatePatch, if_version: int | None) -> Template:
    if body.content is not msgspec.UNSET or body.variables is not msgspec.UNSET:
        current = await TEMPLATES.get(db, template_id)
        content = current.content if body.content is msgspec.UNSET else body.content
        variables = (
            msgspec.convert(current.variables, list[Variable])
            if body.variables is msgspec.UNSET
            else body.variables
        )
        check_declarations(content, variables)
    return await TEMPLATES.patch(db, template_id, _builtin(body), if_version)


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


async def render(db: Db, template_id: UUID, body: RenderRequest) -> Rendered:
    template = await TEMPLATES.get(db, template_id)
    if not template.is_active:
        raise ApiError(
            409, "template-inactive", "Conflict", f"template {template_id} is not active"
        )
    content = render_content(template, body.variables)
    # A template deleted since: 404.
    params = {"id": template_id}
    version, usage_count = await TEMPLATES.guarded(db, QUERIES["count_use"], params, template_id)
    return Rendered(template_id, version, content, usage_count)
