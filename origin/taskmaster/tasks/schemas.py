"""Task request and response bodies (msgspec): validation happens while decoding."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from taskmaster.api.resource import patch_of
from taskmaster.api.types import Line, ShortText

# Mirrors the CHECK constraints of the tasks table (tests/migrations checks that they agree).
TaskStatus = Literal[
    "pending", "in_progress", "blocked", "review", "completed", "failed", "cancelled", "deferred"
]
TaskType = Literal[
    "feature", "bug", "enhancement", "refactor", "documentation", "test", "research",
    "deployment", "maintenance", "security", "general",
]  # fmt: skip

Title = Line(500)
Description = Annotated[str, msgspec.Meta(max_length=100_000)]
Priority = Annotated[int, msgspec.Meta(ge=0, le=10)]
Complexity = Annotated[int, msgspec.Meta(ge=1, le=10)]
Hours = Annotated[float, msgspec.Meta(ge=0, le=999_999)]
Url = Annotated[str, msgspec.Meta(max_length=2048, pattern=r"^https?://")]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:/-]+$")]
Tags = Annotated[list[Tag], msgspec.Meta(max_length=50)]
FilePaths = Annotated[list[Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]],
                      msgspec.Meta(max_length=1000)]  # fmt: skip
Items = Annotated[list[Any], msgspec.Meta(max_length=500)]
Metadata = dict[str, Any]
Note = Annotated[str, msgspec.Meta(max_length=2000)]


class Task(msgspec.Struct):
    """A task as the API returns it. Field order = column order of ``task_columns`` in queries.sql."""

    id: UUID
    project_id: UUID | None
    parent_task_id: UUID | None
    title: str
    description: str | None
    type: TaskType
    status: TaskStatus
    priority: int
    complexity_score: int | None
    affected_files: list[str]
    requirements: list[Any]
    acceptance_criteria: list[Any]
    tags: list[str]
    assigned_to: str | None
    estimated_hours: float | None
    actual_hours: float | None
    linear_issue_id: str | None
    github_pr_url: str | None
    lease_owner: str | None
    lease_expires_at: datetime | None
    completed_at: datetime | None
    total_subtasks: int  # children, kept by a trigger
    completed_subtasks: int  # children whose status is completed
    metadata: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime


class TaskWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /tasks`` and ``PUT /tasks/{id}`` (PUT replaces every writable field)."""

    title: Title
    description: Description | None = None
    type: TaskType = "feature"
    status: TaskStatus = "pending"
    priority: Priority = 5
    complexity_score: Complexity | None = None
    affected_files: FilePaths = msgspec.field(default_factory=list)
    requirements: Items = msgspec.field(default_factory=list)
    acceptance_criteria: Items = msgspec.field(default_factory=list)
    tags: Tags = msgspec.field(default_factory=list)
    assigned_to: ShortText | None = None
    estimated_hours: Hours | None = None
    actual_hours: Hours | None = None
    linear_issue_id: ShortText | None = None
    github_pr_url: Url | None = None
    parent_task_id: UUID | None = None
    project_id: UUID | None = None
    metadata: Metadata = msgspec.field(default_factory=dict)


TaskPatch = patch_of(TaskWrite, "TaskPatch")


class TaskStatusChange(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``PATCH /tasks/{id}/status``; the change is also recorded as a task context.
    ``notes`` is the seed documents' spelling of ``note`` (docs/compatibility.md); send one."""

    status: TaskStatus
    note: Note | None = None
    notes: Note | None = None

    def __post_init__(self) -> None:
        if self.note is not None and self.notes is not None:
            raise ValueError("send note or notes (the same field), not both")
        if self.note is None:
            self.note = self.notes


# ---- sub-resources: /tasks/{id}/contexts, /tasks/{id}/dependencies ------------------------------

# Mirrors the CHECK constraints of task_contexts / task_dependencies.
ContextType = Literal[
    "requirement", "codebase", "ai_interaction", "validation", "workflow", "status_change",
    "completion", "dependency_parent", "dependency_child", "error", "performance", "note",
]  # fmt: skip
DependencyType = Literal["depends_on", "blocks", "related"]


class TaskContext(msgspec.Struct):
    """A typed context record of a task. Field order = ``context_columns`` in queries.sql."""

    id: UUID
    task_id: UUID
    context_type: ContextType
    context_data: dict[str, Any]
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class TaskContextWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /tasks/{id}/contexts``."""

    context_type: ContextType
    context_data: Metadata = msgspec.field(default_factory=dict)
    metadata: Metadata = msgspec.field(default_factory=dict)


class TaskDependency(msgspec.Struct):
    """An edge ``task_id → depends_on_task_id``. Field order = ``dependency_columns``."""

    id: UUID
    task_id: UUID
    depends_on_task_id: UUID
    dependency_type: DependencyType
    metadata: dict[str, Any]
    created_at: datetime


class TaskDependencyWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /tasks/{id}/dependencies``."""

    depends_on_task_id: UUID
    dependency_type: DependencyType = "depends_on"
    metadata: Metadata = msgspec.field(default_factory=dict)
