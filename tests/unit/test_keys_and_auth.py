"""Pure pieces of the key/auth path: format, scopes, edge signature, verdicts, CF Access, redaction."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import time
import zlib
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from litestar import Litestar
from taskmaster.api.policy import policy_of
from taskmaster.app import create_app
from taskmaster.auth import edge
from taskmaster.auth.authenticate import Authenticator, endpoint_allowed, ip_allowed
from taskmaster.auth.cache import MISSING, VerdictCache
from taskmaster.auth.cf_access import AccessVerifier
from taskmaster.auth.recorder import redact_query
from taskmaster.auth.scopes import EDGE_ONLY, PUBLIC, has_scope
from taskmaster.errors import ApiError
from taskmaster.keys import format as keyformat
from taskmaster.keys.service import KeyRecord, verdict_for
from taskmaster.settings import Settings


def test_generated_keys_follow_the_contract() -> None:
    key = keyformat.generate_key()
    assert key.startswith("ctm_") and len(key) == 40
    body, check = key[:-6], key[-6:]
    assert check == keyformat.base62(zlib.crc32(body.encode()), 6)
    assert keyformat.well_formed(key)
    assert keyformat.key_hash(key) == hashlib.sha256(key.encode()).hexdigest()
    assert keyformat.display_prefix(key) == key[:12]
    assert not keyformat.well_formed(key[:-1] + ("0" if key[-1] != "0" else "1"))
    assert not keyformat.well_formed(key.replace("ctm_", "ctx_"))
    assert not keyformat.well_formed(key + "a")
    assert not keyformat.well_formed(key[:10] + "-" + key[11:])


@functools.cache
def _app() -> Litestar:
    return create_app(Settings.from_env({"DATABASE_URL": "postgresql://unused@127.0.0.1:1/x"}))


def required_scope(method: str, path: str) -> str:
    """The scope the policy of the handler the app routes (method, path) to declares."""
    handler = _app().asgi_router.handle_routing(path=path, method=method)[1]
    return policy_of(handler).scope_for(method)


def test_scope_rules() -> None:
    task = "/api/v1/tasks/3f2c1b8e-8d4a-4c57-9a43-2b7f0e5d6c1a"
    assert required_scope("GET", "/health") == PUBLIC
    assert required_scope("GET", "/schema/openapi.json") == PUBLIC
    assert required_scope("OPTIONS", "/api/v1/tasks") == PUBLIC
    assert required_scope("GET", "/health/detailed") == "metrics:read"
    assert required_scope("GET", "/metrics") == "metrics:read"
    assert required_scope("GET", task) == "tasks:read"
    assert required_scope("DELETE", task) == "tasks:write"
    assert required_scope("PATCH", task.replace("tasks", "projects")) == "tasks:write"
    assert required_scope("GET", "/api/v1/keys") == "keys:admin"
    assert required_scope("POST", "/internal/keys/verify") == EDGE_ONLY
    assert required_scope("POST", "/api/v1/webhooks/github") == PUBLIC
    assert required_scope("GET", "/api/v1/audit-logs") == "admin"
    assert has_scope(["admin"], "keys:admin") and not has_scope(["tasks:read"], "tasks:write")


NONCE = "0123456789abcdef" * 2


def sign(secret: str, ts: str, body: bytes = b"{}") -> dict[str, str]:
    message = edge.canonical(
        ts, NONCE, "POST", "/api/v1/tasks?x=1", "k", "tasks:read", "1.2.3.4", "r" * 8, body
    )
    return {
        "x-edge-timestamp": ts,
        "x-edge-nonce": NONCE,
        "x-edge-key-id": "k",
        "x-edge-scopes": "tasks:read",
        "x-edge-client-ip": "1.2.3.4",
        "x-request-id": "r" * 8,
        "x-edge-signature": edge.signature(secret, message),
    }


def test_edge_signature_verification() -> None:
    now = time.time()
    headers = sign("s", str(int(now)))
    ok = edge.verify("s", headers, "POST", "/api/v1/tasks?x=1", b"{}", now)
    assert ok == edge.EdgeIdentity("k", ("tasks:read",), "1.2.3.4", NONCE, int(now) + 60)
    for nonce in ("", "A" * 32, "0" * 31):  # a signature without a well-formed nonce is ignored
        bad = {**headers, "x-edge-nonce": nonce}
        assert edge.verify("s", bad, "POST", "/api/v1/tasks?x=1", b"{}", now) is None
    assert edge.verify("other", headers, "POST", "/api/v1/tasks?x=1", b"{}", now) is None
    assert edge.verify("", headers, "POST", "/api/v1/tasks?x=1", b"{}", now) is None
    assert edge.verify("s", headers, "POST", "/api/v1/tasks?x=1", b"{ }", now) is None
    assert edge.verify("s", headers, "PUT", "/api/v1/tasks?x=1", b"{}", now) is None
    assert edge.verify("s", headers, "POST", "/api/v1/tasks?x=2", b"{}", now) is None
    assert edge.verify("s", headers, "POST", "/api/v1/tasks?x=1", b"{}", now + 61) is None
    assert edge.verify("s", headers, "POST", "/api/v1/tasks?x=1", b"{}", now - 61) is None
    assert (
        edge.verify(
            "s", {**headers, "x-edge-scopes": "admin"}, "POST", "/api/v1/tasks?x=1", b"{}", now
        )
        is None
    )
    # Known answer, computed independently of the module.
    message = "\n".join(
        ["v2", "1", NONCE, "GET", "/p", "-", "", "ip", "rid", hashlib.sha256(b"").hexdigest()]
    )
    expected = "v2=" + hmac.new(b"k", message.encode(), hashlib.sha256).hexdigest()
    signed = edge.canonical("1", NONCE, "get", "/p", "-", "", "ip", "rid", b"")
    assert edge.signature("k", signed) == expected


def record(**fields: object) -> KeyRecord:
    base = dict(
        id=uuid4(), key_hash="h", scopes=("tasks:read",), allowed_ips=(), allowed_endpoints=(),
        expires_at=None, grace_expires_at=None, revoked_at=None, is_active=True,
        per_minute=1, per_hour=2, per_day=3, burst=4,
    )  # fmt: skip
    return KeyRecord(**{**base, **fields})  # type: ignore[arg-type]


def test_verdict_refusals() -> None:
    now = datetime.now(UTC)
    assert record().refusal(now) is None
    assert record(revoked_at=now).refusal(now) == "revoked"
    assert record(is_active=False).refusal(now) == "inactive"
    assert record(expires_at=now).refusal(now) == "expired"
    assert record(grace_expires_at=now - timedelta(seconds=1)).refusal(now) == "expired"
    assert record(grace_expires_at=now + timedelta(hours=1)).refusal(now) is None


def test_a_key_of_a_deactivated_owner_is_an_inactive_verdict_for_the_edge() -> None:
    now = datetime.now(UTC)
    owned = record(owner_user_id=uuid4())
    assert verdict_for(owned, now).valid
    refused = verdict_for(owned, now, owner_active=False)
    assert (refused.valid, refused.reason, refused.key_id) == (False, "inactive", None)
    assert verdict_for(record(revoked_at=now), now, owner_active=False).reason == "revoked"


def test_ip_and_endpoint_allow_lists() -> None:
    assert ip_allowed("10.1.2.3", ()) and ip_allowed("10.1.2.3", ("10.0.0.0/8",))
    assert not ip_allowed("11.1.2.3", ("10.0.0.0/8",))
    assert ip_allowed("2001:db8::1", ("10.0.0.0/8", "2001:db8::/32"))
    assert not ip_allowed("garbage", ("10.0.0.0/8",)) and not ip_allowed(None, ("10.0.0.0/8",))
    assert endpoint_allowed("/api/v1/tasks/1", ("/api/v1/tasks*",))
    assert not endpoint_allowed("/api/v1/keys", ("/api/v1/tasks*",))


class ExplodingPool:
    def connection(self) -> object:
        raise AssertionError("a bad-checksum key must not reach the database")


async def test_bad_checksum_is_refused_without_touching_the_pool() -> None:
    cache = VerdictCache()
    auth = Authenticator(ExplodingPool(), cache, recorder=None)  # type: ignore[arg-type]
    key = keyformat.generate_key()
    typo = key[:-1] + ("0" if key[-1] != "0" else "1")
    for headers in (
        {"x-api-key": typo},
        {"authorization": f"Bearer {typo}"},
        {"x-api-key": "ctm_"},
    ):
        with pytest.raises(ApiError) as refused:
            await auth._own_key(headers, "/api/v1/tasks", "127.0.0.1")
        assert (refused.value.status, refused.value.code) == (401, "invalid-api-key")


def test_cache_is_only_trusted_with_a_listener_and_drops_racing_lookups() -> None:
    cache = VerdictCache()
    rec = record(key_hash="abc")
    cache.put("abc", rec, cache.generation)
    assert cache.get("abc") is MISSING  # no listener yet: never trusted
    cache.set_trusted(True)
    generation = cache.generation
    cache.invalidate(f"{rec.id} other")  # a change notified while a lookup was running
    cache.put("abc", rec, generation)
    assert cache.get("abc") is MISSING
    cache.put("abc", rec, cache.generation)
    assert cache.get("abc") is rec
    cache.invalidate(f"{rec.id} abc")
    assert cache.get("abc") is MISSING
    cache.put("abc", rec, cache.generation)
    cache.set_trusted(False)  # listener lost: everything dropped, nothing trusted
    assert cache.get("abc") is MISSING


def test_redaction_of_query_strings() -> None:
    assert redact_query(b"") == ""
    out = redact_query(b"limit=5&api_key=ctm_abc&TOKEN=x&q=ctm_zzz&sort=-priority")
    assert out == "limit=5&api_key=REDACTED&TOKEN=REDACTED&q=REDACTED&sort=-priority"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_cloudflare_access_jwt() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    verifier = AccessVerifier("aud-1", {"kid-1": private.public_key()}, "https://team.example")

    def token(claims: dict, kid: str = "kid-1", alg: str = "RS256", key=private) -> str:
        head = _b64(json.dumps({"alg": alg, "kid": kid}).encode())
        body = _b64(json.dumps(claims).encode())
        sig = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{head}.{body}.{_b64(sig)}"

    now = time.time()
    good = {"aud": ["aud-1"], "exp": now + 60, "iss": "https://team.example"}
    assert verifier.verify(token(good))["aud"] == ["aud-1"]
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for bad in (
        None,
        "not.a.jwt",
        token({**good, "aud": ["other"]}),
        token({**good, "exp": now - 3600}),
        token({**good, "iss": "https://evil.example"}),
        token(good, kid="unknown"),
        token(good, alg="HS256"),
        token(good, key=other_key),
    ):
        with pytest.raises(ApiError) as refused:
            verifier.verify(bad)
        assert refused.value.status == 401
