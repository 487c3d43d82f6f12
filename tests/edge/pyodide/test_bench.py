"""Runs the pipeline CPU benchmark briefly and shows its numbers (the benchmark suite uses it)."""

from __future__ import annotations

import json
import subprocess

from ..runner import ROOT, require_runner_deps


def test_pipeline_cpu_cost_per_request_is_reported(capsys):
    node = require_runner_deps()
    result = subprocess.run(
        [node, str(ROOT / "edge" / "bench" / "pipeline_cpu.mjs"), "--requests", "50", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["pyodide"].startswith("314.")
    statuses = {r["scenario"]: r["status"] for r in report["results"]}
    assert statuses == {
        "refused (no key)": "401",
        "GET forwarded (MISS)": "200 MISS",
        "GET cached (HIT)": "200 HIT",
        "POST forwarded": "201",
    }
    with capsys.disabled():
        print(f"\nedge pipeline CPU per request on Pyodide {report['pyodide']}:")
        for r in report["results"]:
            print(f"  {r['scenario']:<24} {r['cpu_us_per_request']:>9.1f} µs")
    assert all(r["cpu_us_per_request"] > 0 for r in report["results"])
