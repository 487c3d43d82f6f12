"""Units of the people model: grants (who may do what where), access tokens, the Access key set."""

from __future__ import annotations

import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from taskmaster.auth.cf_access import (
    MIN_REFETCH_SECONDS,
    REFRESH_SECONDS,
    AccessVerifier,
    JwksSource,
)
from taskmaster.auth.tokens import AccessTokens
from taskmaster.errors import ApiError
from taskmaster.people.grants import EVERY_PROJECT, Grants

READ, WRITE = "tasks:read", "tasks:write"


def test_a_service_key_holds_its_scopes_everywhere_unless_limited_to_projects() -> None:
    assert Grants.of_key([READ]).projects_for(READ) is EVERY_PROJECT
    limited = Grants.of_key([READ, WRITE], ["p1"])
    assert limited.projects_for(WRITE) == ("p1",)
    assert limited.allows(WRITE, "/api/v1/tasks") and not limited.allows(
        "logs:read", "/api/v1/logs"
    )


def test_project_roles_count_on_project_paths_only() -> None:
    viewer_here_developer_there = Grants(
        frozenset(), {"p1": frozenset({READ}), "p2": frozenset({READ, WRITE})}
    )
    assert viewer_here_developer_there.projects_for(WRITE) == ("p2",)
    assert viewer_here_developer_there.projects_for(READ) == ("p1", "p2")
    project_admin = Grants(frozenset(), {"p1": frozenset({"admin"})})
    assert project_admin.allows(WRITE, "/api/v1/tasks/x")
    assert not project_admin.allows(
        "admin", "/api/v1/admin/query"
    )  # installation-wide: global only
    assert not project_admin.allows("keys:admin", "/api/v1/keys")


def test_an_owned_key_never_exceeds_its_owner() -> None:
    developer = Grants(frozenset({READ, WRITE, "logs:read"}))
    assert set(developer.narrowed(["admin"]).everywhere) == {READ, WRITE, "logs:read"}
    assert developer.narrowed([READ]).everywhere == {READ}
    member = Grants(frozenset(), {"p1": frozenset({READ}), "p2": frozenset({READ, WRITE})})
    narrowed = member.narrowed(["admin"], ["p2", "p3"])
    assert narrowed.per_project == {"p2": {READ, WRITE}}
    admin = Grants(frozenset({"admin"}))
    assert admin.narrowed([READ], ["p9"]).per_project == {"p9": {READ}}
    assert admin.narrowed([READ], ["p9"]).projects_for(READ) == ("p9",)


def test_access_tokens_rotate_by_kid() -> None:
    old = AccessTokens((("k1", "a" * 40),), 900)
    token, _ = old.issue("u1", "s1", (READ,))
    rotated = AccessTokens((("k2", "b" * 40), ("k1", "a" * 40)), 900)
    assert rotated.verify(token).user_id == "u1"  # the old key still verifies
    new_token, _ = rotated.issue("u1", "s2", (READ,))
    assert jwt.get_unverified_header(new_token)["kid"] == "k2"
    with pytest.raises(ApiError):
        old.verify(new_token)  # k2 unknown there
    expired, _ = old.issue("u1", "s1", (READ,), now=0)
    with pytest.raises(ApiError) as refused:
        old.verify(expired)
    assert refused.value.status == 401 and "expired" in refused.value.detail


def _jwk(private: rsa.RSAPrivateKey, kid: str) -> dict:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    return {**jwk, "kid": kid}


def test_the_access_key_set_is_refetched_on_rotation() -> None:
    first = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    second = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    served = {"keys": [_jwk(first, "k1")]}
    fetched: list[str] = []
    now = [1000.0]

    def fetch(url: str) -> str:
        fetched.append(url)
        return json.dumps(served)

    source = JwksSource(
        "https://team.example/cdn-cgi/access/certs", fetch=fetch, clock=lambda: now[0]
    )
    verifier = AccessVerifier("aud-1", source)
    claims = {"aud": "aud-1", "exp": 4_000_000_000, "email": "a@example.com"}
    assert verifier.verify(jwt.encode(claims, first, "RS256", headers={"kid": "k1"}))["email"]
    # Access rotates: a token of the new key is accepted once the set is fetched again.
    served["keys"].append(_jwk(second, "k2"))
    new = jwt.encode(claims, second, "RS256", headers={"kid": "k2"})
    with pytest.raises(ApiError):
        verifier.verify(new)  # too soon after the last fetch: no refetch for an unknown kid
    now[0] += MIN_REFETCH_SECONDS
    assert verifier.verify(new)["email"] == "a@example.com"
    assert len(fetched) == 2
    now[0] += REFRESH_SECONDS
    verifier.verify(new)
    assert len(fetched) == 3  # periodic refresh
