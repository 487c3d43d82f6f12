"""Where the origin's time goes under load: py-spy samples every granian worker while wrk runs.

``py-spy record --subprocesses --format raw`` writes collapsed stacks (``frame;frame;… count``);
:func:`summarise` turns them into the functions with the most samples, inclusive (on the stack)
and self (at the top), restricted to frames in this project and its libraries. The raw file stays
under ``bench/results/profile-<stamp>/`` for flame-graph tools (speedscope, flamegraph.pl).
"""

from __future__ import annotations

import subprocess
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import servers

ROOT = Path(__file__).resolve().parents[1]


def profile_under_load(
    server: servers.Server,
    out_dir: Path,
    seconds: int,
    load: Callable[[], Any],
    name: str | None = None,
) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    name = name or server.spec.name
    raw = out_dir / f"{name}.collapsed.txt"
    spy = ROOT / ".venv/bin/py-spy"
    if not spy.exists():
        return {"error": "py-spy not installed (make bench installs it)"}
    result: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: result.setdefault("load", load()))
    worker.start()
    subprocess.run(
        [str(spy), "record", "--pid", str(server.process.pid), "--subprocesses", "--rate", "200",
         "--duration", str(max(1, seconds - 2)), "--format", "raw", "--output", str(raw),
         "--nonblocking"],
        check=False, capture_output=True, timeout=seconds + 60,
    )  # fmt: skip
    worker.join()
    summary = summarise(raw) if raw.exists() else {"error": "py-spy wrote nothing"}
    summary["file"] = str(raw.relative_to(ROOT))
    summary["load_under_profiler"] = result.get("load")
    (out_dir / f"{name}.summary.txt").write_text(format_summary(summary))
    return summary


def _name(frame: str) -> str:
    # py-spy raw frames look like "handle (litestar/routes/http.py:123)"
    func, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/origin/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{func} ({path})"


_BOOTSTRAP = ("multiprocessing/", "click/", "granian/cli.py", "granian/server/", "<module>")


def _is_bootstrap(frame: str) -> bool:
    """Process start-up frames under every sample (granian's CLI, fork): noise in the ranking."""
    return any(marker in frame for marker in _BOOTSTRAP)


def summarise(raw: Path, top: int = 60) -> dict[str, Any]:
    inclusive: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = [_name(f) for f in stack.split(";") if "(" in f and not _is_bootstrap(f)]
        if not frames:
            continue
        total += count
        for name in set(frames):
            inclusive[name] += count
        self_time[frames[-1]] += count
    return {
        "samples": total,
        "inclusive": [(n, round(100 * c / total, 1)) for n, c in inclusive.most_common(top)],
        "self": [(n, round(100 * c / total, 1)) for n, c in self_time.most_common(top)],
    }


def brief(summary: dict[str, Any], top: int = 12) -> str:
    """The lines the report prints: the heaviest project frames (inclusive) and leaves (self)."""
    if "error" in summary:
        return f"    {summary['error']}"
    ours = [(n, p) for n, p in summary["inclusive"] if "taskmaster/" in n or "baseline_app" in n]
    lines = [f"    {summary['samples']} samples; project frames, inclusive %:"]
    lines += [f"      {pct:5.1f}  {name}" for name, pct in ours[:top]]
    lines += ["    leaves (self %):"]
    lines += [f"      {pct:5.1f}  {name}" for name, pct in summary["self"][:top]]
    return "\n".join(lines)


def format_summary(summary: dict[str, Any]) -> str:
    if "error" in summary:
        return summary["error"]
    lines = [f"{summary['samples']} samples", "", "inclusive %:"]
    lines += [f"  {pct:5.1f}  {name}" for name, pct in summary["inclusive"]]
    lines += ["", "self %:"]
    lines += [f"  {pct:5.1f}  {name}" for name, pct in summary["self"]]
    return "\n".join(lines)
