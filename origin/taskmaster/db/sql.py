"""Named SQL, kept in ``.sql`` files beside the code that runs it and loaded once at import.

A file holds blocks like::

    -- name: get_task
    -- Fetch one task by id.
    SELECT ... WHERE id = %(id)s;

A block named ``-- fragment: NAME`` is not a statement: it is pasted wherever another block says
``{{NAME}}`` (e.g. one select list shared by every statement that returns a task).

Parameters are always ``%(name)s`` placeholders bound by psycopg: no SQL is ever built from input.
Lists whose WHERE/ORDER BY vary (allow-listed filters and sorts) are composed from constant fragments
with :mod:`psycopg.sql` in their resource's ``service`` module, still with bound values only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import LiteralString, cast

_NAME = re.compile(r"^--\s*(?P<kind>name|fragment):\s*(?P<name>[a-z_][a-z0-9_]*)\s*$", re.MULTILINE)
_REFERENCE = re.compile(r"\{\{([a-z_][a-z0-9_]*)\}\}")


def load_queries(
    path: Path, shared: dict[str, LiteralString] | None = None
) -> dict[str, LiteralString]:
    """Parse a .sql file into ``{name: statement}``; comment lines are dropped. ``shared`` are
    fragments defined elsewhere (``{"task_columns": TASK_QUERIES["fragment:task_columns"]}``),
    so another resource's statements can return the same select list without copying it."""
    text = path.read_text()
    queries: dict[str, LiteralString] = {}
    fragments: dict[str, str] = dict(shared or {})
    matches = list(_NAME.finditer(text))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        body = "\n".join(
            line
            for line in text[match.end() : end].splitlines()
            if not line.lstrip().startswith("--")
        ).strip()
        if not body:
            raise ValueError(f"{path.name}: query {match['name']} is empty")
        target: dict[str, str] = fragments if match["kind"] == "fragment" else queries  # type: ignore[assignment]
        if match["name"] in target:
            raise ValueError(f"{path.name}: {match['name']} is defined twice")
        target[match["name"]] = body.rstrip(";")

    def paste(found: re.Match[str]) -> str:
        if found[1] not in fragments:
            raise ValueError(f"{path.name}: unknown fragment {found[1]}")
        return _REFERENCE.sub(paste, fragments[found[1]])  # fragments may use fragments

    resolved = {
        name: cast(LiteralString, _REFERENCE.sub(paste, body)) for name, body in queries.items()
    }
    resolved.update(
        {f"fragment:{name}": cast(LiteralString, body) for name, body in fragments.items()}
    )
    return resolved
