"""Configuration settings: PUT create/replace with ETags, sensitive values never in clear."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import httpx
import psycopg
import pytest
from taskmaster.configuration import crypto, service
from taskmaster.db.pool import ConnectionPool
from taskmaster.settings import DEV_CONFIG_KEY

from tests.helpers import assert_problem, list_all, unique
from tests.injection import CORPUS, assert_clean, table_fingerprint

CONFIG = "/api/v1/configuration"
SECRET = "sk-live-0123456789-super-secret"


def test_put_creates_then_replaces_with_etags(client: httpx.Client) -> None:
    key = unique("feature.")
    created = client.put(f"{CONFIG}/{key}", json={"value": {"enabled": True}, "description": "d"})
    assert created.status_code == 201, created.text
    setting = created.json()["data"]
    assert setting["value"] == {"enabled": True} and setting["value_type"] == "object"
    assert created.headers["etag"] == '"1"' and created.headers["location"] == f"{CONFIG}/{key}"
    assert setting["updated_by"] is not None
    replaced = client.put(f"{CONFIG}/{key}", json={"value": 3}, headers={"If-Match": '"1"'})
    assert replaced.status_code == 200 and replaced.json()["data"]["value"] == 3
    assert replaced.json()["data"]["value_type"] == "number" and replaced.headers["etag"] == '"2"'
    assert_problem(
        client.put(f"{CONFIG}/{key}", json={"value": 4}, headers={"If-Match": '"1"'}), 412
    )
    assert client.get(f"{CONFIG}/{key}", headers={"If-None-Match": '"2"'}).status_code == 304
    assert_problem(client.delete(f"{CONFIG}/{key}", headers={"If-Match": '"1"'}), 412)
    assert client.delete(f"{CONFIG}/{key}").status_code == 204
    assert_problem(client.delete(f"{CONFIG}/{key}"), 404)
    assert_problem(client.get(f"{CONFIG}/{key}"), 404)
    missing = client.put(f"{CONFIG}/{key}", json={"value": 1}, headers={"If-Match": '"1"'})
    assert_problem(missing, 412)


def test_if_match_star_replaces_an_existing_setting_and_never_creates(
    client: httpx.Client,
) -> None:
    """RFC 9110 §13.1.1: ``If-Match: *`` is false when there is no current representation."""
    key = unique("feature.")
    star = {"If-Match": "*"}
    assert_problem(client.put(f"{CONFIG}/{key}", json={"value": 1}, headers=star), 412)
    assert_problem(client.get(f"{CONFIG}/{key}"), 404)
    assert client.put(f"{CONFIG}/{key}", json={"value": 1}).status_code == 201
    replaced = client.put(f"{CONFIG}/{key}", json={"value": 2}, headers=star)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["data"]["value"] == 2 and replaced.headers["etag"] == '"2"'


def test_sensitive_values_are_never_returned_and_stored_encrypted(
    client: httpx.Client, db: psycopg.Connection, origin_db: str
) -> None:
    key = unique("secrets.")
    responses = [client.put(f"{CONFIG}/{key}", json={"value": SECRET, "is_sensitive": True})]
    responses.append(client.get(f"{CONFIG}/{key}"))
    responses.append(client.get(CONFIG, params={"key_prefix": key}))
    responses.append(client.put(f"{CONFIG}/{key}", json={"value": SECRET, "is_sensitive": True}))
    responses.append(
        client.get("/api/v1/audit-logs", params={"table_name": "configuration_settings"})
    )
    for response in responses:
        assert response.status_code in (200, 201), response.text
        assert SECRET not in response.text
    setting = responses[1].json()["data"]
    assert setting["is_sensitive"] is True and setting["value"] is None
    assert setting["value_type"] == "string"
    (listed,) = responses[2].json()["data"]
    assert listed["value"] is None

    value, ciphertext = db.execute(
        "SELECT value, encrypted_value FROM configuration_settings WHERE key = %s", (key,)
    ).fetchone()  # type: ignore[misc]
    assert value is None and ciphertext is not None
    assert SECRET.encode() not in bytes(ciphertext)
    assert crypto.decrypt(DEV_CONFIG_KEY, ciphertext) == SECRET
    audit = db.execute(
        "SELECT new_data::text FROM audit_logs WHERE table_name = 'configuration_settings'"
        " AND new_data->>'key' = %s",
        (key,),
    ).fetchall()
    assert audit and all(SECRET not in row[0] for row in audit)

    async def read() -> Any:
        pool = ConnectionPool(origin_db)
        await pool.open()
        try:
            return await service.read_secret(pool, DEV_CONFIG_KEY, key)
        finally:
            await pool.close()

    assert asyncio.run(read()) == SECRET

    plain = client.put(f"{CONFIG}/{key}", json={"value": "now public"})
    assert plain.json()["data"]["value"] == "now public"
    row = db.execute(
        "SELECT encrypted_value FROM configuration_settings WHERE key = %s", (key,)
    ).fetchone()
    assert row == (None,)


def test_rotation_keys_decrypt_with_any(client: httpx.Client) -> None:
    from cryptography.fernet import Fernet

    new = Fernet.generate_key().decode()
    token = crypto.encrypt(DEV_CONFIG_KEY, {"a": 1})
    assert crypto.decrypt(f"{new},{DEV_CONFIG_KEY}", token) == {"a": 1}
    assert crypto.encrypt(f"{new},{DEV_CONFIG_KEY}", "x") != crypto.encrypt(DEV_CONFIG_KEY, "x")


@pytest.mark.parametrize(
    ("key", "body", "status"),
    [
        pytest.param("Bad Key", {"value": 1}, 400, id="key-pattern"),
        pytest.param("ok.key", {"value": None}, 422, id="null-value"),
        pytest.param("ok.key", {}, 422, id="missing-value"),
        pytest.param("ok.key", {"value": 1, "value_type": "string"}, 422, id="type-mismatch"),
        pytest.param("ok.key", {"value": 1, "secret": True}, 422, id="unknown-field"),
    ],
)
def test_invalid_requests(
    client: httpx.Client, key: str, body: dict[str, Any], status: int
) -> None:
    assert_problem(client.put(f"{CONFIG}/{key}", json=body), status)


def test_list_filters(client: httpx.Client) -> None:
    prefix = unique("list.")
    for name, body in [
        ("b", {"value": "x"}),
        ("a", {"value": [1]}),
        ("c", {"value": "s", "is_sensitive": True}),
    ]:
        assert client.put(f"{CONFIG}/{prefix}.{name}", json=body).status_code == 201

    def keys(**p):
        return [s["key"][-1] for s in list_all(client, CONFIG, key_prefix=prefix, limit=1, **p)]

    assert keys() == ["a", "b", "c"]
    assert keys(sort="-key") == ["c", "b", "a"]
    assert keys(is_sensitive="true") == ["c"]
    assert keys(value_type="array") == ["a"]
    assert_problem(client.get(CONFIG, params={"sort": "value"}), 400)


def test_admin_only(make_key: Any, origin: Any) -> None:
    _, everything_but_admin = make_key(
        ["tasks:write", "workflows:write", "keys:admin", "logs:read"]
    )
    with httpx.Client(
        base_url=origin.url, timeout=10, headers={"X-API-Key": everything_but_admin}
    ) as http:
        assert_problem(http.get(CONFIG), 403)
        assert_problem(http.put(f"{CONFIG}/x", json={"value": 1}), 403)


def test_injection_corpus(client: httpx.Client, db: psycopg.Connection) -> None:
    tables = table_fingerprint(db)
    key = unique("inj.")
    for value in CORPUS:
        for name in ("key_prefix", "value_type", "is_sensitive", "sort", "cursor"):
            assert_clean(client.get(CONFIG, params={name: value}))
        assert_clean(client.get(f"{CONFIG}/{quote(value, safe='')}"))
        assert_clean(client.put(f"{CONFIG}/{key}", json={"value": value, "description": value}))
        assert_clean(
            client.put(f"{CONFIG}/{key}", json={"value": {value: value}, "is_sensitive": True})
        )
    assert table_fingerprint(db) == tables
