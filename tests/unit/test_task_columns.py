"""The task select list and the Task struct must agree: rows are decoded positionally."""

from __future__ import annotations

import re

from taskmaster.tasks.schemas import Task
from taskmaster.tasks.service import QUERIES


def _column_names(fragment: str) -> list[str]:
    names = []
    for item in fragment.replace("\n", " ").split(","):
        item = item.strip()
        alias = re.search(r"\bAS\s+([a-z_]+)$", item, re.IGNORECASE)
        names.append(alias.group(1) if alias else item)
    return names


def test_task_columns_follow_the_struct_field_order() -> None:
    assert _column_names(QUERIES["fragment:task_columns"]) == list(Task.__struct_fields__)


def test_task_json_columns_are_the_struct_fields_in_order() -> None:
    assert _column_names(QUERIES["fragment:task_json_columns"]) == list(Task.__struct_fields__)
