"""Cloudflare Access as SSO: a verified Access email is the caller, mapped to (or provisioned as) a
user, against a real origin configured with an Access audience and key set."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import OriginProcess, PgServer, start_origin
from tests.helpers import assert_problem
from tests.integration.people.support import make_user

AUD = "access-aud-for-tests"
PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def access_token(email: str, key: rsa.RSAPrivateKey = PRIVATE) -> str:
    claims = {"aud": [AUD], "exp": int(time.time()) + 300, "email": email}
    return jwt.encode(claims, key, "RS256", headers={"kid": "access-1"})


@pytest.fixture(scope="module")
def sso_origin(
    pg_server: PgServer, migrated_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[OriginProcess, str]]:
    name = pg_server.create_database(template=migrated_template)
    url = pg_server.url(name)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(PRIVATE.public_key()))
    jwks = tmp_path_factory.mktemp("access") / "certs.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "kid": "access-1"}]}))
    origin = start_origin(
        url,
        tmp_path_factory.mktemp("sso") / "origin.log",
        CF_ACCESS_AUD=AUD,
        CF_ACCESS_JWKS=str(jwks),
        ACCESS_AUTO_PROVISION="viewer",
    )
    try:
        yield origin, url
    finally:
        origin.stop()
        pg_server.drop_database(name)


def test_access_email_maps_to_the_user(sso_origin: tuple[OriginProcess, str]) -> None:
    origin, url = sso_origin
    user = make_user(url, "developer")
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        headers = {"Cf-Access-Jwt-Assertion": access_token(user["email"].upper())}
        me = http.get("/api/v1/me", headers=headers)
        assert me.status_code == 200, me.text
        assert me.json()["data"]["user"]["id"] == user["id"]
        created = http.post("/api/v1/tasks", json={"title": "via SSO"}, headers=headers)
        assert created.status_code == 201, created.text
        assert_problem(http.get("/api/v1/keys", headers=headers), 403, "insufficient-scope")


def test_unknown_access_email_is_provisioned_with_the_default_role(
    sso_origin: tuple[OriginProcess, str],
) -> None:
    origin, _ = sso_origin
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        headers = {"Cf-Access-Jwt-Assertion": access_token("New.Person@example.com")}
        me = http.get("/api/v1/me", headers=headers)
        assert me.status_code == 200, me.text
        assert me.json()["data"]["user"]["global_role"] == "viewer"
        assert_problem(http.post("/api/v1/tasks", json={"title": "x"}, headers=headers), 403)
        assert (
            http.get("/api/v1/me", headers=headers).json()["data"]["user"]["id"]
            == (me.json()["data"]["user"]["id"])
        )


def test_a_token_of_another_key_is_refused(sso_origin: tuple[OriginProcess, str]) -> None:
    origin, _ = sso_origin
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        headers = {"Cf-Access-Jwt-Assertion": access_token("a@example.com", other)}
        assert_problem(http.get("/api/v1/me", headers=headers), 401, "invalid-access-token")


def test_a_browser_signed_in_by_access_needs_the_csrf_token_to_write(
    sso_origin: tuple[OriginProcess, str],
) -> None:
    """In a browser, Access rides on its CF_Authorization cookie: ambient, like the console's own
    session, so writes need the CSRF token /me gives; a service token's call (no cookie) does not."""
    origin, url = sso_origin
    user = make_user(url, "developer")
    headers = {"Cf-Access-Jwt-Assertion": access_token(user["email"])}
    with httpx.Client(base_url=origin.url, timeout=10, cookies={"CF_Authorization": "x"}) as http:
        me = http.get("/api/v1/me", headers=headers)
        assert me.status_code == 200, me.text
        csrf = me.headers["x-csrf-token"]
        task = {"title": "via SSO in a browser"}
        refused = http.post("/api/v1/tasks", json=task, headers=headers)
        assert_problem(refused, 403, "csrf-token-invalid")
        created = http.post("/api/v1/tasks", json=task, headers={**headers, "X-CSRF-Token": csrf})
        assert created.status_code == 201, created.text
    with httpx.Client(base_url=origin.url, timeout=10) as service:
        assert "x-csrf-token" not in service.get("/api/v1/me", headers=headers).headers
