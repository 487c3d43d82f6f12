"""Projects: the ``PROJECTS`` table; lists and CRUD come from :class:`~taskmaster.db.table.Table`.
A project created without a slug gets one derived from its name (:func:`create`), and a PUT
without one keeps the current slug (``replace_project`` in queries.sql)."""

from __future__ import annotations

import re
import secrets
import unicodedata
from pathlib import Path

import msgspec
from psycopg import errors as pg_errors

from taskmaster.db.sql import load_queries
from taskmaster.db.table import Db, Filter, Table, created_between, reading
from taskmaster.projects.schemas import Project, ProjectStatus, ProjectWrite, Slug

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

PROJECTS: Table[Project] = Table(
    tenancy="tenancy_allows(id)",
    name="projects",
    struct=Project,
    write=ProjectWrite,
    sorts=("created_at", "updated_at", "name", "slug", "id"),
    filters={
        "status": Filter("status = ANY(%(status)s)", list[ProjectStatus] | None),
        "slug": Filter("slug = %(slug)s", Slug | None),
        **created_between(),
    },
    columns=QUERIES["fragment:project_columns"],
    replace_sql=QUERIES["replace_project"],
    jsonb=frozenset({"settings", "metadata"}),
)


SLUG_BASE_MAX = 56  # room for a "-NN" or "-xxxxxx" suffix within the 63 characters a slug may have
SLUG_CANDIDATES = 20  # base, base-2 … base-20; then a random suffix
SLUG_ATTEMPTS = 3  # a concurrent create may take the chosen slug first


def slugify(name: str) -> str:
    """``"Façade: Q3 Release!"`` → ``"facade-q3-release"`` (the ``Slug`` pattern), or ``"project"``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:SLUG_BASE_MAX].rstrip("-") or "project"


async def _free_slug(db: Db, base: str) -> str:
    candidates = [base] + [f"{base}-{n}" for n in range(2, SLUG_CANDIDATES + 1)]
    async with reading(db) as conn:
        cur = await conn.execute(QUERIES["first_free_slug"], {"candidates": candidates})
        row = await cur.fetchone()
    return row[0] if row is not None else f"{base}-{secrets.token_hex(3)}"


async def create(db: Db, body: ProjectWrite) -> Project:
    """Insert a project; without ``slug``, the first free one derived from the name."""
    if body.slug is not msgspec.UNSET:
        return await PROJECTS.create(db, body)
    base = slugify(body.name)
    for _ in range(SLUG_ATTEMPTS - 1):
        derived = msgspec.structs.replace(body, slug=await _free_slug(db, base))
        try:
            return await PROJECTS.create(db, derived)
        except pg_errors.UniqueViolation as exc:
            if exc.diag.constraint_name != "projects_slug_key":
                raise
    return await PROJECTS.create(db, msgspec.structs.replace(body, slug=await _free_slug(db, base)))
