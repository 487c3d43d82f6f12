"""Project request and response bodies (msgspec); constraints mirror the projects CHECKs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from taskmaster.api.resource import patch_of

ProjectStatus = Literal["active", "archived"]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Description = Annotated[str, msgspec.Meta(max_length=100_000)]
Url = Annotated[str, msgspec.Meta(max_length=2048, pattern=r"^https?://")]
Object = dict[str, Any]


class Project(msgspec.Struct):
    """A project as the API returns it (its fields are the select list, in order)."""

    id: UUID
    name: str
    slug: str
    description: str | None
    repository_url: str | None
    status: ProjectStatus
    settings: dict[str, Any]
    metadata: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime


class ProjectWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /projects`` and ``PUT /projects/{id}`` (PUT replaces every writable field)."""

    name: Name
    slug: Slug
    description: Description | None = None
    repository_url: Url | None = None
    status: ProjectStatus = "active"
    settings: Object = msgspec.field(default_factory=dict)
    metadata: Object = msgspec.field(default_factory=dict)


ProjectPatch = patch_of(ProjectWrite, "ProjectPatch")
