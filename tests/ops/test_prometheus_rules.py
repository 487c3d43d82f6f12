"""The shipped Prometheus rules (deploy/prometheus/rules) are valid and do what their tests say,
checked by Prometheus's own ``promtool`` (Debian's ``prometheus`` package; ``make test`` installs
it)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "prometheus"


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: `make test` installs Debian's prometheus package"
    return subprocess.run(
        [promtool, *args], cwd=DEPLOY, capture_output=True, text=True, timeout=120
    )


def test_promtool_check_rules() -> None:
    rules = sorted(str(p.relative_to(DEPLOY)) for p in (DEPLOY / "rules").glob("*.yml"))
    assert len(rules) == 2
    result = _promtool("check", "rules", *rules)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_test_rules() -> None:
    tests = sorted(str(p.relative_to(DEPLOY)) for p in (DEPLOY / "tests").glob("*.test.yml"))
    assert tests
    result = _promtool("test", "rules", *tests)
    assert result.returncode == 0, result.stdout + result.stderr


def test_example_config_is_valid() -> None:
    result = _promtool("check", "config", "--syntax-only", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_runbook_section() -> None:
    operations = (ROOT / "docs" / "operations.md").read_text().lower()
    alerts = (DEPLOY / "rules" / "taskmaster-alerts.yml").read_text()
    names = [line.split(":", 1)[1].strip() for line in alerts.splitlines() if "- alert:" in line]
    assert names
    missing = [n for n in names if f"#### {n.lower()}" not in operations]
    assert not missing, f"no runbook section in docs/operations.md for {missing}"


def test_grafana_dashboard_reads_defined_series() -> None:
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "taskmaster.json").read_text())
    recorded = set(
        re.findall(r"record: (\S+)", (DEPLOY / "rules" / "taskmaster-recording.yml").read_text())
    )
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    assert len(exprs) >= 15
    used = {name for expr in exprs for name in re.findall(r"taskmaster:[a-z0-9_:]+", expr)}
    assert used and used <= recorded, used - recorded
