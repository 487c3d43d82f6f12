"""Every 401/403 case at the origin, the scope matrix, and the OpenAPI security description."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.helpers import assert_problem

TASKS = "/api/v1/tasks"
MakeKey = Callable[..., tuple[str, str]]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_health_is_open_and_detailed_needs_metrics_read(
    anonymous_client: httpx.Client, make_key: MakeKey
) -> None:
    assert anonymous_client.get("/health").status_code == 200
    assert_problem(anonymous_client.get("/health/detailed"), 401, "missing-api-key")
    _, reader = make_key(["tasks:read"])
    assert_problem(
        anonymous_client.get("/health/detailed", headers=bearer(reader)), 403, "insufficient-scope"
    )
    _, metrics = make_key(["metrics:read"])
    assert anonymous_client.get("/health/detailed", headers=bearer(metrics)).status_code == 200


def test_missing_key_is_401_with_challenge(anonymous_client: httpx.Client) -> None:
    response = anonymous_client.get(TASKS)
    assert_problem(response, 401, "missing-api-key")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not-a-key"},
        {"X-API-Key": "ctm_short"},
        {"X-API-Key": "ctm_" + "a" * 36},  # right length, checksum wrong
        {"X-API-Key": "xyz_" + "a" * 36},
    ],
)
def test_malformed_key_is_401(anonymous_client: httpx.Client, headers: dict[str, str]) -> None:
    assert_problem(anonymous_client.get(TASKS, headers=headers), 401, "invalid-api-key")


def test_bad_checksum_of_a_real_key_is_401(
    anonymous_client: httpx.Client, make_key: MakeKey
) -> None:
    _, key = make_key(["tasks:read"])
    typo = key[:10] + ("A" if key[10] != "A" else "B") + key[11:]
    assert_problem(anonymous_client.get(TASKS, headers=bearer(typo)), 401, "invalid-api-key")


def test_empty_authorization_does_not_fall_back_to_x_api_key(
    anonymous_client: httpx.Client, make_key: MakeKey
) -> None:
    _, key = make_key(["tasks:read"])
    response = anonymous_client.get(TASKS, headers={"Authorization": "", "X-API-Key": key})
    assert_problem(response, 401, "invalid-api-key")


def test_unknown_well_formed_key_is_401(anonymous_client: httpx.Client) -> None:
    from taskmaster.keys.format import generate_key

    response = anonymous_client.get(TASKS, headers=bearer(generate_key()))
    assert_problem(response, 401, "invalid-api-key")


def test_both_headers_are_accepted(anonymous_client: httpx.Client, make_key: MakeKey) -> None:
    _, key = make_key(["tasks:read"])
    assert anonymous_client.get(TASKS, headers=bearer(key)).status_code == 200
    assert anonymous_client.get(TASKS, headers={"X-API-Key": key}).status_code == 200


def test_expired_key_is_401(anonymous_client: httpx.Client, make_key: MakeKey) -> None:
    _, key = make_key(["tasks:read"], expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert_problem(anonymous_client.get(TASKS, headers=bearer(key)), 401, "expired-api-key")


def test_revoked_and_inactive_keys_are_401(
    anonymous_client: httpx.Client, make_key: MakeKey
) -> None:
    _, revoked = make_key(["tasks:read"], revoked_at=datetime.now(UTC), is_active=False)
    assert_problem(anonymous_client.get(TASKS, headers=bearer(revoked)), 401, "revoked-api-key")
    _, inactive = make_key(["tasks:read"], is_active=False)
    assert_problem(anonymous_client.get(TASKS, headers=bearer(inactive)), 401, "inactive-api-key")


def test_disallowed_ip_is_403(anonymous_client: httpx.Client, make_key: MakeKey) -> None:
    _, outside = make_key(["tasks:read"], allowed_ips=["10.0.0.0/8", "2001:db8::/32"])
    assert_problem(anonymous_client.get(TASKS, headers=bearer(outside)), 403, "ip-not-allowed")
    _, inside = make_key(["tasks:read"], allowed_ips=["127.0.0.0/8"])
    assert anonymous_client.get(TASKS, headers=bearer(inside)).status_code == 200


def test_disallowed_endpoint_is_403(anonymous_client: httpx.Client, make_key: MakeKey) -> None:
    _, key = make_key(["tasks:read"], allowed_endpoints=["/api/v1/projects*"])
    assert_problem(anonymous_client.get(TASKS, headers=bearer(key)), 403, "endpoint-not-allowed")
    assert anonymous_client.get("/api/v1/projects", headers=bearer(key)).status_code == 200


@pytest.mark.parametrize(
    ("scopes", "method", "path", "allowed"),
    [
        (["tasks:read"], "GET", TASKS, True),
        (["tasks:read"], "POST", TASKS, False),
        (["tasks:write"], "POST", TASKS, True),
        (["tasks:write"], "GET", TASKS, False),
        (["tasks:read"], "GET", "/api/v1/projects", True),
        (["tasks:read"], "POST", "/api/v1/projects", False),
        (["tasks:write"], "POST", "/api/v1/projects", True),
        (["tasks:read", "tasks:write"], "GET", "/api/v1/keys", False),
        (["keys:admin"], "GET", "/api/v1/keys", True),
        (["keys:admin"], "GET", TASKS, False),
        (["metrics:read"], "GET", TASKS, False),
        (["admin"], "GET", TASKS, True),
        (["admin"], "POST", TASKS, True),
        (["admin"], "GET", "/api/v1/keys", True),
        (["admin"], "GET", "/health/detailed", True),
    ],
)
def test_scope_matrix(
    anonymous_client: httpx.Client,
    make_key: MakeKey,
    scopes: list[str],
    method: str,
    path: str,
    allowed: bool,
) -> None:
    _, key = make_key(scopes)
    slug = "matrix-" + key[4:12].lower()
    body = {"title": "scope matrix"} if path == TASKS else {"name": slug, "slug": slug}
    response = anonymous_client.request(
        method, path, headers=bearer(key), json=body if method == "POST" else None
    )
    if allowed:
        assert response.status_code in (200, 201), response.text
    else:
        assert_problem(response, 403, "insufficient-scope")


def test_refusal_comes_before_other_checks(
    anonymous_client: httpx.Client, make_key: MakeKey
) -> None:
    # Unknown query parameters (400) and bodies (415) are only looked at once the key is accepted.
    assert_problem(anonymous_client.get(TASKS, params={"nope": "1"}), 401)
    _, reader = make_key(["tasks:read"])
    response = anonymous_client.post(TASKS, content=b"x", headers=bearer(reader))
    assert_problem(response, 403, "insufficient-scope")


def test_openapi_documents_security_and_auth_problems(anonymous_client: httpx.Client) -> None:
    response = anonymous_client.get("/schema/openapi.json")
    assert response.status_code == 200  # the API description is public
    schema = response.json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["apiKeyHeader"]["name"] == "X-API-Key"
    assert {"bearerAuth": []} in schema["security"] and {"apiKeyHeader": []} in schema["security"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            if path == "/health" or path.startswith("/problems"):
                assert operation.get("security") == [{}]
                continue
            if path.startswith("/api/v1/webhooks/"):  # no key: the provider's signature (401)
                assert operation.get("security") == [{}] and "401" in operation["responses"]
                continue
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
