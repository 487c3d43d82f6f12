"""`wrangler deploy --dry-run` validates and bundles the committed wrangler.toml, offline."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
WRANGLER = ROOT / "edge" / "runner" / "node_modules" / ".bin" / "wrangler"


@pytest.mark.parametrize("environment", [None, "staging", "production"])
def test_wrangler_dry_run_bundles_the_worker(tmp_path, environment):
    if not WRANGLER.exists():
        pytest.fail("wrangler missing: run `npm ci --prefix edge/runner`")
    command = [str(WRANGLER), "deploy", "--dry-run", "--outdir", str(tmp_path)]
    if environment:
        command += ["--env", environment]
    env = {
        **os.environ,
        "WRANGLER_SEND_METRICS": "false",
        "CI": "true",
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "--dry-run: exiting now." in output
    assert (tmp_path / "entry.py").is_file()
    assert (tmp_path / "tm_edge" / "pipeline.py").is_file()
    for binding in ("env.KEY_CACHE", "env.IP_RATE_LIMITER", "env.KEY_LIMITER (KeyRateLimiter)"):
        assert binding in output
