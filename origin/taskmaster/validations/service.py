"""Validation result data access: the ``VALIDATIONS`` table (CRUD and lists come from
:class:`~taskmaster.db.table.Table`)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar.params import QueryParameter

from taskmaster.db.table import Filter, Table, created_between
from taskmaster.validations.schemas import (
    ValidationPatch,
    ValidationResult,
    ValidationStatus,
    ValidationType,
    ValidationWrite,
)

ScoreParam = Annotated[float | None, QueryParameter(ge=0, le=100)]

VALIDATIONS: Table[ValidationResult] = Table(
    tenancy="tenancy_task_visible(task_id)",
    name="validation_results",
    struct=ValidationResult,
    write=ValidationWrite,
    patchable=ValidationPatch.__struct_fields__,
    # validation_score is numeric(5,2) in the table: read as float8.
    columns="id, task_id, workflow_stage_id, pull_request_id, validation_type, "
    "validation_status, validation_score::float8 AS validation_score, validation_data, validator, "
    "validator_version, validation_environment, started_at, completed_at, execution_time_ms, "
    "error_message, error_details, retry_count, metadata, version, created_at, updated_at",
    # Not validation_score: it is nullable, and a NULL sort key cannot be paged past by keyset.
    sorts=("created_at", "updated_at", "id"),
    filters={
        "task_id": Filter("task_id = %(task_id)s", UUID | None),
        "workflow_stage_id": Filter("workflow_stage_id = %(workflow_stage_id)s", UUID | None),
        "pull_request_id": Filter("pull_request_id = %(pull_request_id)s", UUID | None),
        "validation_type": Filter(
            "validation_type = ANY(%(validation_type)s)", list[ValidationType] | None
        ),
        "validation_status": Filter(
            "validation_status = ANY(%(validation_status)s)", list[ValidationStatus] | None
        ),
        "validator": Filter(
            "validator = %(validator)s",
            Annotated[str | None, QueryParameter(max_length=100)],
        ),
        "score_gte": Filter("validation_score >= %(score_gte)s", ScoreParam),
        "score_lte": Filter("validation_score <= %(score_lte)s", ScoreParam),
        **created_between(),
    },
    jsonb=frozenset({"validation_data", "validation_environment", "error_details", "metadata"}),
)
