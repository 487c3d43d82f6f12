"""The origin's OpenAPI document passes Redocly CLI's recommended rules: no error, few warnings.

Redocly CLI comes from npm, pinned in tools/redocly (``make test`` installs it).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
REDOCLY = ROOT / "tools" / "redocly" / "node_modules" / ".bin" / "redocly"
MAX_WARNINGS = 10


def test_redocly_lint_finds_no_error_and_at_most_ten_warnings(
    client: httpx.Client, tmp_path: Path
) -> None:
    document = tmp_path / "openapi.json"
    document.write_bytes(client.get("/schema/openapi.json").content)
    result = subprocess.run(
        [str(REDOCLY), "lint", str(document), "--format=json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    found = [
        f"{p['severity']} {p['ruleId']} {p['location'][0]['pointer']}: {p['message']}"
        for p in report["problems"]
    ]
    assert report["totals"]["errors"] == 0, "\n".join(found)
    assert report["totals"]["warnings"] <= MAX_WARNINGS, "\n".join(found)
