"""The runner's bindings are workerd's own (Miniflare), not stand-ins: what the Worker writes is
read back through Miniflare's API, what is written there the Worker sees, and the behaviours the
Worker relies on (docs/edge.md, "Bindings on workerd") are workerd's. Runs bindings_probe.mjs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ..runner import ROOT, require_runner_deps

PROBE = Path(__file__).with_name("bindings_probe.mjs")


@pytest.fixture(scope="module")
def observed() -> dict:
    node = require_runner_deps()
    result = subprocess.run(
        [node, str(PROBE)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_verdict_the_worker_put_is_in_workerds_kv_with_its_ttl(observed):
    assert observed["first"] == {"status": 200, "cache": "MISS", "retry_after": None}
    verdict = observed["kv"]["verdict"]["verdict"]
    assert verdict["valid"] is True and verdict["key_id"] == "probe-key"
    assert 55 <= observed["kv"]["expires_in_s"] <= 60  # expirationTtl 60, KV's minimum


def test_the_response_the_worker_cached_is_in_workerds_cache(observed):
    assert observed["cache"] == {
        "status": 200,
        "cf_cache_status": "HIT",
        "etag": '"probe-1"',
        "body": {"data": [{"id": 1}], "meta": {}},
    }


def test_the_key_limiter_state_is_in_a_real_durable_objects_storage(observed):
    state = observed["durable_object"]["state"]
    assert state["windows"]["minute"][1] == 1  # one keyed request counted
    assert state["bucket"][0] == 99  # burst 100, one token taken


def test_the_ip_counter_lives_in_workerds_ratelimits_binding(observed):
    assert [observed[n]["status"] for n in ("second", "third", "fourth")] == [200, 200, 429]
    assert observed["fourth"]["retry_after"] == "60"
    assert observed["ratelimit_seen_by_workerd"] == {"success": False}
    assert observed["ratelimit_fresh_ip"] == {"success": True}


def test_a_generation_moved_through_miniflare_is_seen_by_the_worker(observed):
    assert observed["after_generation_moved"]["cache"] == "MISS"


def test_every_binding_call_crossed_the_bridge(observed):
    ops = observed["bridge_ops"]
    for op in ("ratelimit.limit", "kv.get", "kv.put", "do.get", "do.put", "cache.match"):
        assert ops.get(op, 0) >= 1, ops
    assert ops["cache.put"] >= 1


def test_kv_refuses_an_expiration_ttl_below_60_seconds(observed):
    facts = observed["facts"]
    assert "Expiration TTL must be at least 60" in facts["kv_ttl_59"]["error"]
    assert facts["kv_ttl_60"] == {"ok": None}


def test_the_cache_api_stores_by_cache_control_as_the_worker_assumes(observed):
    assert observed["facts"]["cache_stored"] == {
        "public, max-age=60": True,
        "no-cache, max-age=60": False,
        "private, max-age=60": False,
        "no-store": False,
        "s-maxage=0, max-age=60": False,
        "set-cookie": False,
        "no cache-control": False,
        "expires only": True,
    }
    assert "Vary: *" in observed["facts"]["cache_vary_star"]["error"]


def test_a_cache_hit_carries_cf_cache_status_and_age(observed):
    headers = observed["facts"]["cache_hit_headers"]
    assert headers["cf-cache-status"] == "HIT"
    assert headers["age"].isdigit()
    assert headers["etag"] == '"f1"'


def test_if_none_match_uses_the_weak_comparison(observed):
    facts = observed["facts"]
    assert facts['cache_if_none_match "f1"'] == 304
    assert facts['cache_if_none_match W/"f1"'] == 304
    assert facts['cache_if_none_match "other"'] == 200
