"""The one error type of the origin and the one place that turns errors into problem+json.

Every refusal is an :class:`ApiError` carrying a stable, grep-able ``code`` (the last segment of the
problem ``type`` URI). Framework exceptions and driver errors are translated here and nowhere else, so
a new route never has to think about the error shape. To add a new kind of refusal, raise
``ApiError(status, code, title, detail)`` from the service layer; to map a new database constraint to a
friendly message, add it to ``CONSTRAINT_MESSAGES``.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
import psycopg
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from psycopg import errors as pg_errors

from taskmaster.db.pool import PoolUnavailable

# The ``type`` of every problem is this base + its code. The default is relative: it resolves
# against the URL that answered, where GET /problems/{code} documents the code
# (taskmaster.problem_types). PROBLEM_TYPE_BASE sets an absolute one (configure_problem_types).
PROBLEM_TYPE_BASE = "/problems/"
_type_base = PROBLEM_TYPE_BASE
PROBLEM_MEDIA_TYPE = "application/problem+json"
DB_RETRY_AFTER_SECONDS = 5

logger = logging.getLogger("taskmaster.errors")


class FieldError(msgspec.Struct, omit_defaults=True):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details, as every error response body of the API."""

    type: str
    title: str
    status: int
    detail: str
    request_id: str
    errors: list[FieldError] | None = None


class ApiError(Exception):
    """A refusal the client can act on; rendered as problem+json by :func:`problem_response`."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def configure_problem_types(base: str) -> None:
    """Set the base of problem ``type`` URIs (PROBLEM_TYPE_BASE), once when the app is built."""
    global _type_base
    _type_base = base if base.endswith("/") else base + "/"


def problem_type_uri(code: str) -> str:
    return _type_base + code


def not_found(resource: str, resource_id: object) -> ApiError:
    return ApiError(404, "not-found", "Not found", f"{resource} {resource_id} does not exist")


def invalid_body(errors: list[FieldError]) -> ApiError:
    """The 422 for a body that does not match its schema; ``errors`` names each field and rule."""
    return ApiError(
        422,
        "validation-failed",
        "Unprocessable content",
        "The request body does not match the schema.",
        errors=errors,
    )


def bad_request(code: str, detail: str, errors: list[FieldError] | None = None) -> ApiError:
    return ApiError(400, code, "Bad request", detail, errors=errors)


# Constraint name → (status, code, message) for integrity errors the client caused.
CONSTRAINT_MESSAGES: dict[str, tuple[int, str, str]] = {
    # pull requests, agents, integrations, templates, configuration
    "pull_requests_repository_number_key": (
        409,
        "duplicate-pull-request",
        "this repository already has a pull request with this pr_number",
    ),
    "pull_requests_project_id_fkey": (
        422,
        "unknown-reference",
        "project_id does not name an existing project",
    ),
    "pull_requests_task_id_fkey": (
        422,
        "unknown-reference",
        "task_id does not name an existing task",
    ),
    "pull_requests_workflow_id_fkey": (
        422,
        "unknown-reference",
        "workflow_id does not name an existing workflow",
    ),
    "pull_requests_merged_at_matches_status": (
        422,
        "validation-failed",
        "merged_at may only be set when status is merged",
    ),
    "pull_requests_closed_at_matches_status": (
        422,
        "validation-failed",
        "closed_at may only be set when status is closed or merged",
    ),
    "agent_configurations_name_key": (
        409,
        "duplicate-name",
        "an agent configuration with this name already exists",
    ),
    "integrations_name_key": (
        409,
        "duplicate-name",
        "an integration with this name already exists",
    ),
    "integration_events_task_id_fkey": (
        422,
        "unknown-reference",
        "task_id does not name an existing task",
    ),
    "templates_name_key": (409, "duplicate-name", "a template with this name already exists"),
    "configuration_settings_key_key": (
        409,
        "duplicate-key",
        "a configuration setting with this key already exists",
    ),
    "tasks_project_id_fkey": (
        422,
        "unknown-reference",
        "project_id does not name an existing project",
    ),
    "tasks_parent_task_id_fkey": (
        422,
        "unknown-reference",
        "parent_task_id does not name an existing task",
    ),
    "tasks_not_own_parent": (422, "invalid-parent", "a task cannot be its own parent"),
    "tasks_no_parent_cycle": (
        409,
        "parent-cycle",
        "the new parent is a descendant of this task; the parent chain would become a loop",
    ),
    "tasks_completed_at_matches_status": (
        422,
        "validation-failed",
        "completed_at may only be set on completed, failed or cancelled tasks",
    ),
    "task_dependencies_no_self_edge": (422, "self-dependency", "a task cannot depend on itself"),
    "task_dependencies_unique_edge": (
        409,
        "duplicate-dependency",
        "this task already has a dependency of this type on that task",
    ),
    "task_dependencies_depends_on_task_id_fkey": (
        422,
        "unknown-reference",
        "depends_on_task_id does not name an existing task",
    ),
    "projects_slug_key": (409, "duplicate-slug", "a project with this slug already exists"),
    "workflows_project_id_fkey": (
        422,
        "unknown-reference",
        "project_id does not name an existing project",
    ),
    "workflows_task_id_fkey": (422, "unknown-reference", "task_id does not name an existing task"),
    "deployments_project_id_fkey": (
        422,
        "unknown-reference",
        "project_id does not name an existing project",
    ),
    "deployments_task_id_fkey": (
        422,
        "unknown-reference",
        "task_id does not name an existing task",
    ),
    "deployments_workflow_id_fkey": (
        422,
        "unknown-reference",
        "workflow_id does not name an existing workflow",
    ),
    "deployments_rollback_of_id_fkey": (
        422,
        "unknown-reference",
        "rollback_of_id does not name an existing deployment",
    ),
    "deployments_not_own_rollback": (
        422,
        "invalid-rollback",
        "a deployment cannot be a rollback of itself",
    ),
    "deployment_scripts_task_id_fkey": (
        422,
        "unknown-reference",
        "task_id does not name an existing task",
    ),
    "deployment_scripts_retries_within_max": (
        422,
        "validation-failed",
        "retry_count cannot exceed max_retries",
    ),
    "validation_results_task_id_fkey": (
        422,
        "unknown-reference",
        "task_id does not name an existing task",
    ),
    "validation_results_workflow_stage_id_fkey": (
        422,
        "unknown-reference",
        "workflow_stage_id does not name an existing workflow stage",
    ),
    "validation_results_pull_request_id_fkey": (
        422,
        "unknown-reference",
        "pull_request_id does not name an existing pull request",
    ),
    "validation_results_completed_after_started": (
        422,
        "validation-failed",
        "completed_at cannot be before started_at",
    ),
    "error_logs_task_id_fkey": (422, "unknown-reference", "task_id does not name an existing task"),
    "error_logs_workflow_id_fkey": (
        422,
        "unknown-reference",
        "workflow_id does not name an existing workflow",
    ),
    "error_logs_workflow_stage_id_fkey": (
        422,
        "unknown-reference",
        "workflow_stage_id does not name an existing workflow stage",
    ),
    "error_logs_deployment_script_id_fkey": (
        422,
        "unknown-reference",
        "deployment_script_id does not name an existing deployment script",
    ),
    "error_logs_validation_result_id_fkey": (
        422,
        "unknown-reference",
        "validation_result_id does not name an existing validation result",
    ),
    "workflow_stages_workflow_order_key": (
        409,
        "duplicate-stage-order",
        "this workflow already has a stage at this stage_order",
    ),
    "workflow_stages_workflow_name_key": (
        409,
        "duplicate-stage-name",
        "this workflow already has a stage with this name",
    ),
}


# Constraint name → detail for a DELETE refused because other rows still reference the row.
# ON DELETE RESTRICT raises restrict_violation, so these never collide with the 422s above that the
# same constraint gives when an INSERT/UPDATE names a row that does not exist.
REFERENCED_MESSAGES: dict[str, str] = {
    "tasks_project_id_fkey": "the project still has tasks; delete them or move them to another project first",
    "workflows_project_id_fkey": "the project still has workflows; delete them first",
    "deployments_project_id_fkey": "the project still has deployments; delete them first",
    "pull_requests_project_id_fkey": "the project still has pull requests; delete them first",
}


def _from_database_error(exc: psycopg.Error) -> ApiError:
    """Translate a driver error into an ApiError, keyed on the constraint name when there is one."""
    if isinstance(exc, (pg_errors.DeadlockDetected, pg_errors.SerializationFailure)):
        # Two writes collided (e.g. opposite parent moves, each locking the other's row for the
        # subtask counters); PostgreSQL rolled this one back and the other went through.
        return ApiError(
            409,
            "write-conflict",
            "Conflict",
            "The change collided with a concurrent change and was rolled back; retry it.",
        )
    if isinstance(exc, (psycopg.OperationalError, PoolUnavailable)) and not isinstance(
        exc, pg_errors.QueryCanceled
    ):
        return ApiError(
            503,
            "database-unavailable",
            "Service unavailable",
            "The database is unavailable; retry shortly.",
            headers={"Retry-After": str(DB_RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, pg_errors.QueryCanceled):
        return ApiError(
            503,
            "query-timeout",
            "Service unavailable",
            "The query took too long.",
            headers={"Retry-After": str(DB_RETRY_AFTER_SECONDS)},
        )
    diag = getattr(exc, "diag", None)
    constraint = diag.constraint_name if diag is not None else None
    if isinstance(exc, pg_errors.RestrictViolation):
        detail = REFERENCED_MESSAGES.get(
            constraint or "", f"other rows still reference it ({constraint})"
        )
        return ApiError(409, "still-referenced", "Conflict", detail)
    if constraint in CONSTRAINT_MESSAGES:
        status, code, message = CONSTRAINT_MESSAGES[constraint]
        return ApiError(
            status, code, "Conflict" if status == 409 else "Unprocessable content", message
        )
    if isinstance(exc, pg_errors.ForeignKeyViolation):
        return ApiError(
            409, "conflict", "Conflict", f"the change conflicts with related rows ({constraint})"
        )
    if isinstance(exc, pg_errors.UniqueViolation):
        return ApiError(
            409, "conflict", "Conflict", f"a row with the same unique value exists ({constraint})"
        )
    if isinstance(exc, pg_errors.InsufficientPrivilege):
        # Project tenancy refused the row (a foreign or missing project): its existence is not
        # revealed (migration add_project_tenancy).
        return ApiError(
            404, "not-found", "Not found", "the project does not exist or is not yours to write"
        )
    if isinstance(exc, (pg_errors.CheckViolation, pg_errors.NotNullViolation, pg_errors.DataError)):
        return ApiError(
            422,
            "validation-failed",
            "Unprocessable content",
            f"the value breaks a rule of the data model ({constraint or exc.sqlstate})",
        )
    raise exc


def _from_http_exception(exc: HTTPException) -> ApiError:
    status = exc.status_code
    if isinstance(exc, ValidationException):
        extra = exc.extra if isinstance(exc.extra, list) else []
        errors = [
            FieldError(field=str(item.get("key", "")), message=str(item.get("message", "")))
            for item in extra
            if isinstance(item, dict)
        ]
        in_body = any(isinstance(item, dict) and item.get("source") == "body" for item in extra)
        if in_body:
            return invalid_body(errors)
        if errors:
            return bad_request("invalid-parameter", "A request parameter is invalid.", errors)
        return bad_request("malformed-body", str(exc.detail))
    codes = {
        401: ("unauthorized", "Unauthorized"),
        403: ("forbidden", "Forbidden"),
        404: ("not-found", "Not found"),
        405: ("method-not-allowed", "Method not allowed"),
        413: ("payload-too-large", "Content too large"),
        415: ("unsupported-media-type", "Unsupported media type"),
        429: ("rate-limited", "Too many requests"),
    }
    code, title = codes.get(status, ("http-error", "Error"))
    detail = exc.detail if status != 404 else "No resource at this path."
    return ApiError(status, code, title, str(detail), headers=dict(exc.headers or {}))


def problem_response(request: Request[Any, Any, Any], error: ApiError) -> Response[bytes]:
    request_id = request.scope.get("request_id", "")
    body = Problem(
        type=_type_base + error.code,
        title=error.title,
        status=error.status,
        detail=error.detail,
        request_id=request_id,
        errors=error.errors,
    )
    return Response(
        content=msgspec.json.encode(body),
        status_code=error.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=error.headers,
    )


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """The single exception handler: every error leaves the origin through here."""
    try:
        if isinstance(exc, ApiError):
            error = exc
        elif isinstance(exc, HTTPException):
            error = _from_http_exception(exc)
        elif isinstance(exc, (psycopg.Error, PoolUnavailable)):
            error = _from_database_error(exc)  # type: ignore[arg-type]
        else:
            raise exc
    except Exception:
        logger.exception("unhandled error", extra={"request_id": request.scope.get("request_id")})
        error = ApiError(
            500,
            "internal-error",
            "Internal server error",
            "An unexpected error occurred; quote the request id when reporting it.",
        )
    if error.status >= 500:
        logger.warning("%s %s -> %s %s", request.method, request.url.path, error.status, error.code)
    return problem_response(request, error)
