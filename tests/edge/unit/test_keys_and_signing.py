import hashlib
import hmac
import zlib

import pytest
from tm_edge import keys, origin, signing
from tm_edge.ports import Headers
from tm_edge.problems import Problem

from .fakes import make_world, verify_signature

RANDOM = "0123456789abcdefghijABCDEFGHIJ"


def test_key_format_follows_the_contract():
    key = keys.make_key(RANDOM)
    crc = zlib.crc32(("ctm_" + RANDOM).encode("ascii"))
    digits = ""
    while crc:
        crc, rem = divmod(crc, 62)
        digits = keys.ALPHABET[rem] + digits
    assert key == "ctm_" + RANDOM + digits.rjust(6, "0")
    # The contract says "42 characters in all", but its parts (4 + 30 + 6) make 40: the parts win.
    assert len(key) == 40 == keys.KEY_LEN
    assert keys.well_formed(key)
    assert keys.display_prefix(key) == key[:12]
    assert keys.key_hash(key) == hashlib.sha256(key.encode()).hexdigest()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda k: k[:-1] + ("0" if k[-1] != "0" else "1"),  # checksum typo
        lambda k: k[:10] + ("x" if k[10] != "x" else "y") + k[11:],  # body typo
        lambda k: "ctx_" + k[4:],
        lambda k: k + "0",
        lambda k: k[:20] + "-" + k[21:],
        lambda k: "",
    ],
)
def test_mistyped_keys_fail_the_checksum(mangle):
    assert not keys.well_formed(mangle(keys.make_key(RANDOM)))


def test_extract_accepts_bearer_and_x_api_key():
    key = keys.make_key(RANDOM)
    assert keys.extract(Headers([("authorization", f"Bearer {key}")])) == key
    assert keys.extract(Headers([("x-api-key", key)])) == key


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ([], "missing-api-key"),
        ([("authorization", "Basic dXNlcjpwYXNz")], "invalid-api-key"),
        ([("x-api-key", "ctm_short")], "invalid-api-key"),
    ],
)
def test_extract_refuses_with_401(headers, code):
    with pytest.raises(Problem) as caught:
        keys.extract(Headers(headers))
    assert (caught.value.status, caught.value.code) == (401, code)


def test_canonical_string_and_signature_match_the_contract():
    body = b'{"title":"x"}'
    message = signing.canonical(
        1800000000, "0123456789abcdef0123456789abcdef", "post", "/api/v1/tasks?limit=5", "kid", "tasks:read,tasks:write",
        "203.0.113.9", "req-12345678", body,
    )  # fmt: skip
    assert message == "\n".join(
        [
            "v2",
            "1800000000",
            "0123456789abcdef0123456789abcdef",
            "POST",
            "/api/v1/tasks?limit=5",
            "kid",
            "tasks:read,tasks:write",
            "203.0.113.9",
            "req-12345678",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    expected = hmac.new(b"s3cret", message.encode(), hashlib.sha256).hexdigest()
    assert signing.sign("s3cret", message) == "v2=" + expected
    assert signing.verify("s3cret", message, "v2=" + expected)
    assert not signing.verify("other", message, "v2=" + expected)


def test_identity_headers_carry_every_signed_field():
    headers = signing.identity_headers(
        "s", timestamp=5, method="GET", path_and_query="/a", key_id="-", scopes=[],
        client_ip="::1", request_id="rid-00000001", body=b"",
    )  # fmt: skip
    assert headers.get("x-edge-key-id") == "-"
    assert headers.get("x-edge-scopes") == ""
    nonce = headers.get("x-edge-nonce")
    assert len(nonce) == 32 and int(nonce, 16) >= 0
    message = signing.canonical(5, nonce, "GET", "/a", "-", "", "::1", "rid-00000001", b"")
    assert signing.verify("s", message, headers.get("x-edge-signature"))


def test_every_call_gets_a_fresh_nonce():
    def nonce() -> str:
        return signing.identity_headers(
            "s", timestamp=5, method="GET", path_and_query="/a", key_id="-", scopes=[],
            client_ip="::1", request_id="rid-00000001", body=b"",
        ).get("x-edge-nonce")  # fmt: skip

    assert len({nonce() for _ in range(50)}) == 50


def test_every_signed_origin_request_carries_its_own_nonce():
    # origin.signed_request builds the calls of all three callers (forwarding, key verification,
    # the cron), so each of them is signed over a fresh nonce the origin accepts once.
    w = make_world()

    def signed():
        return origin.signed_request(
            w.settings, 5, method="POST", path_and_query="/internal/maintenance/run",
            key_id="-", scopes=[], client_ip="cron", request_id="rid-00000001",
        )  # fmt: skip

    first, second = signed(), signed()
    assert verify_signature(first) and verify_signature(second)
    nonces = {r.headers.get("x-edge-nonce") for r in (first, second)}
    assert len(nonces) == 2 and all(len(n) == 32 for n in nonces)
