"""Every problem ``code`` the API (origin and edge) answers with, documented once.

The ``type`` of a problem is ``PROBLEM_TYPE_BASE + code``; by default that base is ``/problems/``,
the pages :mod:`taskmaster.problem_types.routes` serves from this table. To add a code: raise it
(``ApiError(status, "new-code", …)``) and add one entry here — tests/unit/test_problem_types.py
fails for a code raised anywhere in the source but missing here.
"""

from __future__ import annotations

import msgspec


class ProblemType(msgspec.Struct, frozen=True):
    code: str
    title: str
    statuses: tuple[int, ...]
    description: str


def _entries(*rows: tuple[str, str, tuple[int, ...], str]) -> dict[str, ProblemType]:
    return {code: ProblemType(code, title, statuses, text) for code, title, statuses, text in rows}


CATALOG: dict[str, ProblemType] = _entries(
    # ---- the request itself --------------------------------------------------------------------
    ("malformed-body", "Bad request", (400,), "The body is not valid JSON (or not the JSON this endpoint takes)."),
    ("invalid-parameter", "Bad request", (400,), "A query, path or header parameter is not written as its schema says; `errors` names it and the rule."),
    ("unknown-parameter", "Bad request", (400,), "The endpoint takes no query parameter of this name; `errors` lists them."),
    ("invalid-precondition", "Bad request", (400,), 'If-Match / If-None-Match is neither "*" nor a list of entity tags such as "3".'),
    ("invalid-cursor", "Bad request", (400,), "The pagination cursor was not issued by this API for this list and sort."),
    ("invalid-sort", "Bad request", (400,), "A sort field is not one this list allows."),
    ("invalid-range", "Bad request", (400,), "The start of a time range is not before its end."),
    ("range-too-large", "Bad request", (400,), "The time range holds more buckets than one request may ask for."),
    ("invalid-query", "Bad request", (400,), "The admin SQL console could not parse or plan the statement."),
    ("invalid-webhook", "Bad request", (400,), "A webhook delivery is not the JSON its provider sends."),
    ("invalid-idempotency-key", "Bad request", (400,), "Idempotency-Key must be 1-255 visible ASCII characters."),
    ("validation-failed", "Unprocessable content", (422,), "The body does not match the schema or breaks a rule of the data model; `errors` names the field and the rule (types are strict: no string-to-number or number-to-date-time coercion; names, titles and messages must not be blank or hold control characters)."),
    ("invalid-batch-item", "Unprocessable content", (422,), "One item of a batch is refused, so none is written; `errors` names its index."),
    ("unknown-reference", "Unprocessable content", (422,), "An id in the body names no existing row."),
    ("invalid-parent", "Unprocessable content", (422,), "A task cannot be its own parent."),
    ("self-dependency", "Unprocessable content", (422,), "A task cannot depend on itself."),
    ("invalid-rollback", "Unprocessable content", (422,), "A deployment cannot be a rollback of itself."),
    ("target-refused", "Unprocessable content", (422,), "An event subscriber URL points at an address the origin will not call (loopback, private or link-local)."),
    ("idempotency-key-reused", "Unprocessable content", (422,), "The Idempotency-Key was used before with a different request."),
    ("payload-too-large", "Content too large", (413,), "The body is larger than the endpoint accepts."),
    ("unsupported-media-type", "Unsupported media type", (415,), "Send the body as application/json."),
    ("method-not-allowed", "Method not allowed", (405,), "The path exists but not with this method; `Allow` lists the methods."),
    ("not-found", "Not found", (404,), "No resource at this path, or no row with this id."),
    ("no-ready-task", "Not found", (404,), "No task is ready to be claimed."),
    # ---- conditional requests and conflicts ----------------------------------------------------
    ("precondition-failed", "Precondition failed", (412,), "No entity tag in If-Match matches the current version (a stale, weak or unknown tag). GET the resource for its ETag and retry."),
    ("conflict", "Conflict", (409,), "The change conflicts with related rows or a unique value."),
    ("write-conflict", "Conflict", (409,), "The change collided with a concurrent one and was rolled back; retry it."),
    ("still-referenced", "Conflict", (409,), "Other rows still reference this one; delete or move them first."),
    ("parent-cycle", "Conflict", (409,), "The new parent is a descendant of the task; the parent chain would loop."),
    ("duplicate-name", "Conflict", (409,), "The name is already taken."),
    ("duplicate-slug", "Conflict", (409,), "A project with this slug already exists."),
    ("duplicate-key", "Conflict", (409,), "A configuration setting with this key already exists."),
    ("duplicate-dependency", "Conflict", (409,), "The task already has a dependency of this type on that task."),
    ("duplicate-pull-request", "Conflict", (409,), "The repository already has a pull request with this number."),
    ("duplicate-stage-name", "Conflict", (409,), "The workflow already has a stage with this name."),
    ("duplicate-stage-order", "Conflict", (409,), "The workflow already has a stage at this position."),
    ("template-inactive", "Conflict", (409,), "The template is inactive and cannot be rendered."),
    ("key-not-rotatable", "Conflict", (409,), "Only an active key can be rotated."),
    ("idempotency-key-in-progress", "Conflict", (409,), "A request with this Idempotency-Key is still running."),
    # ---- authentication and authorization ------------------------------------------------------
    ("unauthorized", "Unauthorized", (401,), "Authentication is required."),
    ("missing-api-key", "Unauthorized", (401,), "Send an API key: Authorization: Bearer ctm_… or X-API-Key."),
    ("invalid-api-key", "Unauthorized", (401,), "The API key is malformed or unknown."),
    ("revoked-api-key", "Unauthorized", (401,), "The API key was revoked."),
    ("expired-api-key", "Unauthorized", (401,), "The API key has expired."),
    ("inactive-api-key", "Unauthorized", (401,), "The API key is inactive."),
    ("invalid-access-token", "Unauthorized", (401,), "The Cloudflare Access token is missing, expired or not for this application."),
    ("edge-signature-required", "Unauthorized", (401,), "The route takes only calls signed by the edge, and the signature is missing, stale, replayed or wrong."),
    ("edge-signature-replayed", "Unauthorized", (401,), "The edge signature was already used: each signature (its nonce) is valid for one call."),
    ("invalid-webhook-signature", "Unauthorized", (401,), "The webhook delivery's HMAC signature does not verify."),
    ("forbidden", "Forbidden", (403,), "The request is not allowed."),
    ("insufficient-scope", "Forbidden", (403,), "The API key lacks the scope this route needs."),
    ("ip-not-allowed", "Forbidden", (403,), "The API key may not be used from this address."),
    ("csrf-token-invalid", "CSRF token missing or invalid", (403,), "A state-changing request signed in by a cookie (the web console's session, or Cloudflare Access in a browser) must send the X-CSRF-Token that GET /api/v1/me or the console login answered."),
    ("person-required", "A person must sign in", (403,), "Only a signed-in person (access token, console cookie, Cloudflare Access) manages their own keys at /api/v1/me/keys; an API key cannot."),
    ("scope-not-grantable", "Scope not grantable", (403,), "A key of yours may name only scopes you hold yourself."),
    ("endpoint-not-allowed", "Forbidden", (403,), "The API key may not call this endpoint."),
    ("query-refused", "Forbidden", (403,), "The admin SQL console runs read-only statements only."),
    ("cors-origin-denied", "Forbidden", (403,), "The browser origin is not allowed (edge)."),
    ("rate-limited", "Too many requests", (429,), "The key's rate limit is spent; retry after Retry-After seconds."),
    ("too-many-streams", "Too many streams", (429,), "The key or user already has STREAM_MAX_PER_PRINCIPAL event streams open on this origin process; close one, or retry after Retry-After seconds."),
    # ---- the service ---------------------------------------------------------------------------
    ("database-unavailable", "Service unavailable", (503,), "The database is unavailable; retry after Retry-After seconds."),
    ("query-timeout", "Query timeout", (422, 503), "The statement took longer than its limit (503 for API reads and writes; 422 for the admin console's own timeout)."),
    ("key-verification-unavailable", "Service unavailable", (503,), "The edge could not verify the key with the origin (edge)."),
    ("origin-unreachable", "Bad gateway", (502,), "The edge could not reach the origin (edge)."),
    ("origin-timeout", "Gateway timeout", (504,), "The origin did not answer the edge in time (edge)."),
    ("edge-misconfigured", "Edge misconfigured", (500,), "The edge lacks a setting it needs (edge)."),
    ("internal-error", "Internal server error", (500,), "An unexpected error; quote the request id when reporting it."),
    ("http-error", "Error", (400,), "Any other HTTP-level refusal."),
    # ---- people ---------------------------------------------------------------------------------
    ("invalid-credentials", "Invalid credentials", (401,), "The login or password is wrong (an unknown user answers the same, in the same time)."),
    ("account-locked", "Account locked", (423,), "Too many failed logins: the account is locked for LOGIN_LOCKOUT_SECONDS (see Retry-After) or until an admin unlocks it."),
    ("invalid-refresh-token", "Invalid refresh token", (401,), "The refresh token is unknown, expired or spent (a spent one revokes its whole family)."),
    ("inactive-user", "User inactive", (401,), "The user is deactivated or its session has ended."),
    ("unknown-access-user", "Unknown Access user", (403,), "The Cloudflare Access identity maps to no user (and ACCESS_AUTO_PROVISION is off)."),
    ("unknown-role", "Unknown role", (422,), "The body names a role that does not exist."),
    ("builtin-role", "Built-in role", (409,), "A built-in role (admin, developer, viewer, api_client) cannot be changed."),
    ("role-not-deletable", "Role not deletable", (409,), "The role is built in or does not exist."),
)  # fmt: skip
