"""Template bodies (msgspec); Literals and lengths mirror the templates CHECKs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from taskmaster.api.resource import patch_of
from taskmaster.api.rows import VersionedRow
from taskmaster.api.types import Description, Lines, Name, Object

TemplateType = Literal[
    "prompt", "task", "code_generation", "code_review", "validation", "deployment",
    "documentation", "workflow",
]  # fmt: skip
VariableType = Literal["string", "number", "integer", "boolean", "json"]
VARIABLE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,99}$"

Category = Annotated[str, msgspec.Meta(max_length=100)]
Content = Lines(1_000_000)
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Tags = Annotated[list[Tag], msgspec.Meta(max_length=100)]
Rate = Annotated[float, msgspec.Meta(ge=0, le=1)]


class Variable(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """A declared placeholder. A required variable without a default must be given to render."""

    name: Annotated[str, msgspec.Meta(pattern=VARIABLE_PATTERN)]
    type: VariableType = "string"
    required: bool = True
    default: Any = None
    description: Annotated[str, msgspec.Meta(max_length=1000)] | None = None


Variables = Annotated[list[Variable], msgspec.Meta(max_length=200)]


class Template(VersionedRow):
    """A template as the API returns it. Field order = the select list of ``TEMPLATES``."""

    id: UUID
    name: str
    template_type: TemplateType
    category: str | None
    description: str | None
    content: str
    variables: list[Variable]
    tags: list[str]
    is_active: bool
    usage_count: int
    success_rate: float | None
    last_used_at: datetime | None


class TemplateWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /templates`` and ``PUT /templates/{id}``. Every ``{{name}}`` in ``content``
    must be declared in ``variables`` (422 naming the undeclared ones)."""

    name: Name
    content: Content
    template_type: TemplateType = "prompt"
    category: Category | None = None
    description: Description | None = None
    variables: Variables = msgspec.field(default_factory=list)
    tags: Tags = msgspec.field(default_factory=list)
    is_active: bool = True
    success_rate: Rate | None = None
    metadata: Object = msgspec.field(default_factory=dict)


TemplatePatch = patch_of(TemplateWrite, "TemplatePatch")


class RenderRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /templates/{id}/render``: a value per declared variable."""

    variables: dict[str, Any] = msgspec.field(default_factory=dict)


class Rendered(msgspec.Struct):
    template_id: UUID
    template_version: int
    content: str
    usage_count: int
