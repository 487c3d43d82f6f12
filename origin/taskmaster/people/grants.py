"""What a principal may do where: scopes granted globally and per project (docs/security.md).

One rule set for every kind of caller:

- a service key (no owner): its scopes, everywhere, unless its project allow-list names projects
  (then only there, and never on resources with no project);
- a user: the scopes of its global role everywhere, plus each membership's role in its project;
- a key owned by a user: the intersection of the key's scopes with the user's, per project — a key
  never exceeds its owner — narrowed again by the key's allow-list.

``admin`` holds every scope. Project roles grant their scopes on project-owned resources only;
installation-wide resources (keys, logs, metrics, audit, configuration, …) need a global grant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from taskmaster.auth.scopes import ADMIN, has_scope

# Path roots whose resources belong to a project (tenancy applies; project roles count there).
PROJECT_ROOTS = frozenset(
    {
        "/api/v1/tasks",
        "/api/v1/projects",
        "/api/v1/workflows",
        "/api/v1/deployments",
        "/api/v1/validations",
        "/api/v1/errors",
        "/api/v1/pull-requests",
        "/api/v1/stream",  # the events of those resources
    }
)
EVERY_PROJECT = None  # projects_for(): the scope holds on every project and project-less rows


def is_project_path(path: str) -> bool:
    return "/".join(path.split("/", 4)[:4]) in PROJECT_ROOTS


def intersect(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    """What both sets grant (``admin`` stands for every scope)."""
    if ADMIN in a:
        return b
    if ADMIN in b:
        return a
    return a & b


@dataclass(frozen=True, slots=True)
class Grants:
    everywhere: frozenset[str] = frozenset()
    per_project: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of_key(cls, scopes: Iterable[str], allowed_projects: Iterable[str] = ()) -> Grants:
        granted = frozenset(scopes)
        projects = tuple(allowed_projects)
        if not projects:
            return cls(granted)
        return cls(frozenset(), {project: granted for project in projects})

    def narrowed(self, key_scopes: Iterable[str], allowed_projects: Iterable[str] = ()) -> Grants:
        """These grants seen through a key of their owner: never more than the key says."""
        key = frozenset(key_scopes)
        projects = frozenset(allowed_projects)
        per_project = {
            project: intersect(scopes, key)
            for project, scopes in self.per_project.items()
            if not projects or project in projects
        }
        if not projects:
            return Grants(intersect(self.everywhere, key), per_project)
        # An allow-list turns a global grant into grants on the listed projects alone.
        for project in projects:
            merged = per_project.get(project, frozenset()) | intersect(self.everywhere, key)
            if merged:
                per_project[project] = merged
        return Grants(frozenset(), per_project)

    def scopes(self) -> tuple[str, ...]:
        """Every scope held somewhere (the route check of project-owned paths)."""
        union = set(self.everywhere)
        for scopes in self.per_project.values():
            union |= scopes
        return tuple(sorted(union))

    def allows(self, needed: str, path: str) -> bool:
        if is_project_path(path):
            return has_scope(self.scopes(), needed)
        return has_scope(self.everywhere, needed)

    def projects_for(self, needed: str) -> tuple[str, ...] | None:
        """The projects where ``needed`` holds; :data:`EVERY_PROJECT` when it holds globally."""
        if has_scope(self.everywhere, needed):
            return EVERY_PROJECT
        return tuple(sorted(p for p, s in self.per_project.items() if has_scope(s, needed)))
