"""The edge's scope table (edge/src/tm_edge/access.py, plus its public and internal paths) gives the
same answer as the origin's rules (origin/taskmaster/auth/scopes.py) for every operation of the
origin's OpenAPI document and every rule of its table, so the two cannot drift apart."""

from __future__ import annotations

import re
import sys
import tomllib
from functools import cache
from pathlib import Path

import pytest
from taskmaster.app import create_app
from taskmaster.auth import scopes as origin
from taskmaster.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "edge" / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "edge" / "src"))

from tm_edge import access, pipeline  # noqa: E402
from tm_edge.config import Settings as EdgeSettings  # noqa: E402

METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
SAMPLE_ID = "3f2c1b8e-8d4a-4c57-9a43-2b7f0e5d6c1a"


def wrangler_public_paths() -> dict[str, tuple[str, ...]]:
    """PUBLIC_PATHS of the committed wrangler.toml: top level and each environment."""
    config = tomllib.loads((ROOT / "wrangler.toml").read_text())
    found = {"top": config["vars"]["PUBLIC_PATHS"]}
    for name, env in config.get("env", {}).items():
        found[name] = env["vars"]["PUBLIC_PATHS"]
    return {
        name: EdgeSettings.from_env({"PUBLIC_PATHS": raw}.get).public_paths
        for name, raw in found.items()
    }


PUBLIC_PATH_SETS = {
    "default": EdgeSettings.from_env(lambda _: None).public_paths,
    **wrangler_public_paths(),
}


def edge_scope(method: str, path: str, public_paths: tuple[str, ...]) -> str:
    """What the edge asks of a request, in the origin's vocabulary."""
    if pipeline.is_internal(path):
        return origin.EDGE_ONLY  # the edge answers 404: only its own signed calls get there
    if method == "OPTIONS" or pipeline.is_public(path, public_paths):
        return origin.PUBLIC
    return access.required_scope(method, path)


def origin_scope(method: str, path: str) -> str:
    """The origin's rule; an edge-only path counts as edge-only for every method (the edge hides
    `/internal` entirely, `OPTIONS` included, where the origin would state its methods)."""
    if origin.required_scope("POST", path) == origin.EDGE_ONLY:
        return origin.EDGE_ONLY
    return origin.required_scope(method, path)


@cache
def openapi_operations() -> tuple[tuple[str, str], ...]:
    settings = Settings.from_env(
        {"DATABASE_URL": "postgresql://unused@127.0.0.1:1/unused", "TASKMASTER_ENV": "development"}
    )
    document = create_app(settings).openapi_schema.to_schema()
    operations = set()
    for template, item in document["paths"].items():
        path = re.sub(r"\{[^}]+\}", SAMPLE_ID, template)
        declared = {m.upper() for m in item if m.upper() in METHODS}
        if "GET" in declared:
            declared.add("HEAD")
        for method in declared | {"OPTIONS"}:
            operations.add((method, path))
    return tuple(sorted(operations))


def rule_samples() -> list[tuple[str, str]]:
    paths = {"/", "/api/v1", "/api/v1/", "/api/v1/not-a-resource", "/not-a-route"}
    for rule in origin.RULES:
        paths.add(rule.path)
        paths.add(rule.path + ("/extra" if rule.exact else f"/{SAMPLE_ID}/sub"))
    return [(method, path) for path in sorted(paths) for method in METHODS]


def test_the_openapi_document_is_not_empty():
    operations = openapi_operations()
    assert len(operations) > 100
    assert ("GET", "/api/v1/tasks") in operations
    assert ("POST", "/internal/keys/verify") in operations


@pytest.mark.parametrize("paths_from", sorted(PUBLIC_PATH_SETS))
def test_every_documented_operation_needs_the_same_scope_on_both_sides(paths_from):
    public_paths = PUBLIC_PATH_SETS[paths_from]
    disagreements = [
        (method, path, origin_scope(method, path), edge_scope(method, path, public_paths))
        for method, path in openapi_operations()
        if origin_scope(method, path) != edge_scope(method, path, public_paths)
    ]
    assert disagreements == []


def test_every_origin_rule_needs_the_same_scope_at_the_edge():
    public_paths = PUBLIC_PATH_SETS["default"]
    disagreements = [
        (method, path, origin_scope(method, path), edge_scope(method, path, public_paths))
        for method, path in rule_samples()
        if origin_scope(method, path) != edge_scope(method, path, public_paths)
    ]
    assert disagreements == []


def test_both_sides_know_the_same_scopes():
    edge_scopes = {access.ADMIN}
    for family in access.RESOURCES.values():
        edge_scopes |= {f"{family}:read", f"{family}:write"}
    for reads, writes in access.FIXED_SCOPES.values():
        edge_scopes |= {reads, writes}
    for _, _, reads, writes in access.OUTSIDE_API:
        edge_scopes |= {reads, writes}
    # The pseudo-scope "any authenticated caller" is spelt the same on both sides.
    assert access.AUTHENTICATED == origin.AUTHENTICATED
    assert edge_scopes - {access.AUTHENTICATED} <= set(origin.SCOPES)
