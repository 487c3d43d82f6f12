"""Validation result data access: the ``VALIDATIONS`` table description (CRUD and lists come from
:class:`~taskmaster.api.listing.Table`)."""

from __future__ import annotations

from pathlib import Path

from taskmaster.api.listing import Table
from taskmaster.api.pagination import SortField
from taskmaster.db.sql import load_queries
from taskmaster.validations.schemas import ValidationResult

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

VALIDATIONS: Table[ValidationResult] = Table(
    tenancy="tenancy_task_visible(task_id)",
    name="validation_results",
    label="validation result",
    struct=ValidationResult,
    columns=QUERIES["fragment:validation_columns"],
    sort_fields={
        "created_at": SortField("created_at", "timestamptz"),
        "updated_at": SortField("updated_at", "timestamptz"),
        "id": SortField("id", "uuid"),
    },
    # Not validation_score: it is nullable, and a NULL sort key cannot be paged past by keyset.
    default_sort="created_at",
    filters={
        "task_id": "task_id = %(task_id)s",
        "workflow_stage_id": "workflow_stage_id = %(workflow_stage_id)s",
        "pull_request_id": "pull_request_id = %(pull_request_id)s",
        "validation_type": "validation_type = ANY(%(validation_type)s)",
        "validation_status": "validation_status = ANY(%(validation_status)s)",
        "validator": "validator = %(validator)s",
        "score_gte": "validation_score >= %(score_gte)s",
        "score_lte": "validation_score <= %(score_lte)s",
        "created_after": "created_at >= %(created_after)s",
        "created_before": "created_at < %(created_before)s",
    },
    queries=QUERIES,
    key="validation",
    jsonb=frozenset({"validation_data", "validation_environment", "error_details", "metadata"}),
)
