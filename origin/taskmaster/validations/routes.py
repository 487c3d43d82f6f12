"""HTTP routes of validation results: the resource's usual routes, generated from its table."""

from __future__ import annotations

from taskmaster.api.docs import COMMON
from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller
from taskmaster.validations.schemas import ValidationPatch
from taskmaster.validations.service import VALIDATIONS


class ValidationController(
    crud_controller(
        VALIDATIONS,
        "/api/v1/validations",
        "validations",
        name="validation",
        patch_struct=ValidationPatch,
        ops=("create", "list", "get", "patch", "delete"),
        summaries={
            "create": "Record a validation result",
            "patch": "Update a validation run's outcome",
        },
        statuses={"delete": (*COMMON, 412)},
    )
):
    opt = policy("tasks:read", "tasks:write")
