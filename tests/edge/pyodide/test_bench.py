"""Runs the edge benchmarks briefly and shows their numbers (the benchmark suite uses them):
the Worker's CPU per request split into Worker, bridge and workerd, and its start-up imports."""

from __future__ import annotations

import json
import subprocess

from ..runner import ROOT, require_runner_deps


def run_json(*args: str) -> dict:
    node = require_runner_deps()
    result = subprocess.run(
        [node, *args, "--json"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_pipeline_cpu_cost_per_request_is_reported(capsys):
    report = run_json(str(ROOT / "edge" / "bench" / "pipeline_cpu.mjs"), "--requests", "50")
    assert report["pyodide"].startswith("314.")
    statuses = {r["scenario"]: r["status"] for r in report["results"]}
    assert statuses == {
        "refused (no key)": "401",
        "GET forwarded (MISS)": "200 MISS",
        "GET cached (HIT)": "200 HIT",
        "POST forwarded": "201",
    }
    calls = {r["scenario"]: r["bridge_calls_per_request"] for r in report["results"]}
    assert calls["refused (no key)"] == 1  # the per-IP limit only: the refusal needs no key lookup
    assert calls["GET cached (HIT)"] >= 4  # IP limit, verdict, generation, key limiter, match
    with capsys.disabled():
        print(f"\nedge Worker CPU per request on Pyodide {report['pyodide']} (Worker + bridge):")
        for r in report["results"]:
            print(
                f"  {r['scenario']:<24} {r['cpu_us_per_request']:>9.1f} µs = "
                f"{r['worker_cpu_us_per_request']:.1f} + {r['bridge_cpu_us_per_request']:.1f}"
            )
    for r in report["results"]:
        assert r["cpu_us_per_request"] > 0 and r["bridge_cpu_us_per_request"] > 0


def test_startup_imports_are_reported(capsys):
    report = run_json(str(ROOT / "edge" / "bench" / "startup.mjs"), "--runs", "1")
    assert report["pyodide"] == "314.0.6"
    assert report["budget_ms"] == 100
    for part in ("load_pyodide", "import_sdk", "import_worker", "import_total"):
        assert report[part]["cpu_ms"] > 0 and report[part]["wall_ms"] > 0
    with capsys.disabled():
        print(f"\nedge Worker start-up (SDK + Worker import): {report['import_total']} ")
