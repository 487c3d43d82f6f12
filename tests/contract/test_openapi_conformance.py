"""The origin against its own OpenAPI document, fuzzed by schemathesis (bounded, deterministic).

Checks (all of schemathesis's): no 5xx; every status code, content type (problem+json for errors),
header and body is the one the document declares; unsupported methods get 405 with a correct Allow;
requests without credentials are refused. Left out on purpose:
- ``positive_data_acceptance``: schema-valid requests are legitimately refused for state reasons
  (412 for a stale If-Match, 400 for a cursor the API never issued).
``negative_data_rejection`` is on: bodies and typed query parameters are decoded strictly
(``taskmaster.api.strict``), so every schema-invalid request is refused.

The fuzzer gets an origin and a database of its own (it creates, edits and deletes freely), and the
operations that would disable its own credential (revoking or rotating keys) and the edge-only
``/internal`` routes are left out of it; tests/integration/keys covers those.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import OriginProcess, PgServer, issue_key, start_origin

ST = Path(sys.executable).with_name("st")
# positive_data_acceptance wants every schema-valid request answered 2xx; a schema cannot say that
# a random id names no row (404), a slug is taken (409) or a reference is unknown (422), so it
# would flag correct answers. negative_data_rejection (the inverse) stays on.
EXCLUDED_CHECKS = "positive_data_acceptance"
# Revoking/rotating would lock the fuzzer out; /internal/* takes only signed edge calls.
# Webhook receivers authenticate by the provider's HMAC over the body, which a fuzzer cannot
# forge (every case is a 401); tests/integration/webhooks covers them. Likewise login, refresh and
# logout take credentials a fuzzer cannot guess (every case is a 401); tests/integration/people.
# A person's own keys answer a service key (the fuzzer's) 403 person-required in every case;
# tests/integration/keys/test_own_keys.py. The event stream's 200 never ends (a fuzzer would wait
# on it); tests/integration/stream.
NOT_FUZZED = (
    r"^(/api/v1/keys/\{key_id\}/(revoke|rotate)|/internal/.*|/api/v1/webhooks/.*|/api/v1/auth/.*"
    r"|/api/v1/me/keys.*|/api/v1/stream)$"
)
CONFIG = """
[auth.openapi.bearerAuth]
bearer = "${ST_API_KEY}"
"""


@pytest.fixture(scope="module")
def fuzz_target(
    pg_server: PgServer, migrated_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[OriginProcess, str]]:
    name = pg_server.create_database(template=migrated_template)
    url = pg_server.url(name)
    _, key = issue_key(url, ["admin"], name="schemathesis")
    origin = start_origin(url, tmp_path_factory.mktemp("fuzz") / "origin.log")
    try:
        yield origin, key
    finally:
        origin.stop()
        pg_server.drop_database(name)


def test_openapi_document_lists_every_route(client: httpx.Client) -> None:
    document = client.get("/schema/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    assert {"get", "post"} <= paths["/api/v1/tasks"].keys()
    assert {"get", "put", "patch", "delete"} <= paths["/api/v1/tasks/{task_id}"].keys()
    for path, operations in paths.items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    content = response.get("content", {})
                    assert "application/problem+json" in content, (method, path, code)
    schemas = document["components"]["schemas"]
    assert any(s.get("additionalProperties") is False for s in schemas.values())


def test_schemathesis_finds_no_nonconformance(
    fuzz_target: tuple[OriginProcess, str], tmp_path: Path
) -> None:
    origin, key = fuzz_target
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    result = subprocess.run(
        [
            str(ST),
            "--config-file",
            str(config),
            "run",
            f"{origin.url}/schema/openapi.json",
            "--checks",
            "all",
            "--exclude-checks",
            EXCLUDED_CHECKS,
            "--exclude-path-regex",
            NOT_FUZZED,
            # Bounded and repeatable: a few cases per operation, no time-boxed (stateful) phase.
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "5",
            "--generation-deterministic",
            "--workers",
            "1",
            "--request-timeout",
            "10",
        ],
        cwd=tmp_path,
        env={**os.environ, "ST_API_KEY": key},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-8000:]
    assert "Authentication failed" not in result.stdout, result.stdout[-4000:]
    assert "Tested:" in result.stdout
