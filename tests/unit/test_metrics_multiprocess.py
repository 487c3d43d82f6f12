"""The live gauges of a worker that died without a clean stop are dropped by the next worker to
start; its counters stay (a count never goes backwards)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from taskmaster.observability.metrics import forget_dead_workers


def test_dead_workers_lose_their_live_gauges_but_keep_their_counters(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)  # fmt: skip
    pid = int(dead.stdout)
    for name in (
        f"gauge_livesum_{pid}.db",
        f"gauge_livemin_{pid}.db",
        f"counter_{pid}.db",
        "gauge_livesum_1.db",
    ):
        (tmp_path / name).write_bytes(b"")
    forget_dead_workers(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"counter_{pid}.db", "gauge_livesum_1.db"]
