"""Project request and response bodies (msgspec); constraints mirror the projects CHECKs."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from taskmaster.api.resource import patch_of
from taskmaster.api.rows import VersionedRow
from taskmaster.api.types import Name, Object

ProjectStatus = Literal["active", "archived"]
Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Description = Annotated[str, msgspec.Meta(max_length=100_000)]
Url = Annotated[str, msgspec.Meta(max_length=2048, pattern=r"^https?://")]


class Project(VersionedRow):
    """A project as the API returns it (its fields are the select list, in order)."""

    id: UUID
    name: str
    slug: str
    description: str | None
    repository_url: str | None
    status: ProjectStatus
    settings: dict[str, Any]


class ProjectWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /projects`` and ``PUT /projects/{id}`` (PUT replaces every writable field).
    Without ``slug``, POST derives a unique one from ``name`` and PUT keeps the current one."""

    name: Name
    slug: Slug | msgspec.UnsetType = msgspec.UNSET
    description: Description | None = None
    repository_url: Url | None = None
    status: ProjectStatus = "active"
    settings: Object = msgspec.field(default_factory=dict)
    metadata: Object = msgspec.field(default_factory=dict)


ProjectPatch = patch_of(ProjectWrite, "ProjectPatch")
