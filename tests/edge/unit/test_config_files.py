"""Structure of the committed deployment config (cloudflared has no registry package here)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]


def test_wrangler_toml_declares_the_worker_and_its_bindings():
    config = tomllib.loads((ROOT / "wrangler.toml").read_text())
    assert config["main"] == "edge/src/entry.py"
    assert config["compatibility_date"] >= "2026-09-08"
    assert "python_workers" in config["compatibility_flags"]
    assert config["kv_namespaces"][0]["binding"] == "KEY_CACHE"
    assert config["ratelimits"][0]["simple"]["period"] in (10, 60)
    assert config["durable_objects"]["bindings"][0]["class_name"] == "KeyRateLimiter"
    assert config["migrations"][0]["new_sqlite_classes"] == ["KeyRateLimiter"]
    source = (ROOT / "wrangler.toml").read_text()
    for secret in ("EDGE_SIGNING_SECRET", "CF_ACCESS_CLIENT_ID", "CF_ACCESS_CLIENT_SECRET"):
        assert f"wrangler secret put {secret}" in source
        assert secret not in config["vars"]
    for name in ("staging", "production"):
        env = config["env"][name]
        assert set(env["vars"]) == set(config["vars"])
        assert env["durable_objects"]["bindings"][0]["class_name"] == "KeyRateLimiter"


def test_settings_read_every_var_that_wrangler_declares():
    config = tomllib.loads((ROOT / "wrangler.toml").read_text())
    source = (ROOT / "edge" / "src" / "tm_edge" / "config.py").read_text()
    for name in config["vars"]:
        assert f'"{name}"' in source, name


def test_cloudflared_ingress_requires_access_and_ends_in_a_catch_all():
    config = yaml.safe_load((ROOT / "cloudflared" / "config.yml").read_text())
    rules = config["ingress"]
    assert config["tunnel"] and config["credentials-file"]
    assert rules[-1] == {"service": "http_status:404"}
    for rule in rules[:-1]:
        assert rule["hostname"]
        assert rule["service"] == "http://127.0.0.1:8000"
        access = rule["originRequest"]["access"]
        assert access["required"] is True
        assert access["teamName"] and access["audTag"]


def test_pure_modules_never_import_the_runtime():
    for path in (ROOT / "edge" / "src" / "tm_edge").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in {"js", "workers", "pyodide"}, (path.name, name)
