"""Which requests the lean path of ``POST /api/v1/tasks/next/claim`` (``api/hot_claim.py``) takes:
only the plain form; everything else goes through the app (tests/integration/graph/
test_lean_claim.py checks that both answer alike)."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from taskmaster.api.hot_claim import CLAIM_ROUTE, HotClaim
from taskmaster.app import create_app
from taskmaster.settings import Settings

SETTINGS = Settings.from_env(
    {"DATABASE_URL": "postgresql://unused@127.0.0.1:1/x", "MAX_BODY_BYTES": "1000"}
)
PLAIN = [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
         (b"content-length", b"40")]  # fmt: skip


@functools.cache
def lean() -> HotClaim:
    return HotClaim(create_app(SETTINGS))


def scope(**changes: Any) -> dict[str, Any]:
    base = {"type": "http", "method": "POST", "path": CLAIM_ROUTE, "query_string": b"",
            "root_path": "", "headers": PLAIN}  # fmt: skip
    return base | changes


def with_header(name: bytes, value: bytes | None) -> list[tuple[bytes, bytes]]:
    kept = [(n, v) for n, v in PLAIN if n != name]
    return kept if value is None else [*kept, (name, value)]


def test_the_plain_form_is_taken() -> None:
    assert lean().enabled
    assert lean().match(scope())
    charset = with_header(b"content-type", b"Application/JSON; charset=utf-8")
    assert lean().match(scope(headers=charset))


@pytest.mark.parametrize(
    "changes",
    [
        {"method": "PUT"},
        {"path": CLAIM_ROUTE + "/"},
        {"path": "/api/v1/tasks/next"},
        {"query_string": b"count=2"},
        {"root_path": "/origin"},
        {"headers": with_header(b"content-type", b"text/plain")},
        {"headers": with_header(b"content-type", None)},
        {"headers": with_header(b"content-length", None)},  # chunked or no body
        {"headers": with_header(b"content-length", b"0")},
        {"headers": with_header(b"content-length", b"1001")},  # the app's 413
        {"headers": with_header(b"content-length", b"4x")},
        {"headers": [*PLAIN, (b"transfer-encoding", b"chunked")]},
        {"headers": with_header(b"host", b"bad host")},
    ],
)
def test_any_other_form_goes_through_the_app(changes: dict[str, Any]) -> None:
    assert not lean().match(scope(**changes))
