"""Debug-only: how long each worker's event loop stalls under load, and what the collector costs.

A granian factory wrapping another one (``STALL_PROBE_TARGET=module:callable``): the served app is
unchanged; once its lifespan has started, a timer asks to run every millisecond and records how
late it ran (the loop's lag: whatever held the loop, or the process waiting for a core), and
``gc.callbacks`` times every collection by generation. Each lag is split by what the loop thread
did meanwhile: ``busy`` when its own CPU time grew by at least half the lag (Python held the loop:
a callback, a collection), else ``waiting`` (the process waited for a core or a system call).
At shutdown every worker writes ``stalls-<name>-<pid>.json`` into ``STALL_PROBE_DIR``;
``python -m bench.stall_probe DIR`` sums them up. Only ``bench/tail.py`` serves it.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

TICK_S = 0.001
# Lag bucket upper bounds, milliseconds (the last bucket is everything above).
LAG_BOUNDS_MS = (1, 2, 3, 5, 10, 20, 50)
GC_BOUNDS_MS = (0.1, 0.5, 1, 2, 5, 10, 20)
# The origin's periodic work on the loop (STALL_PROBE_WATCH=1): (module, class or None, function).
WATCHED = {
    "request log flush": ("taskmaster.observability.logs", "RequestLog", "flush"),
    "metrics refresh": ("taskmaster.observability.metrics", "OriginMetrics", "refresh"),
    "access log encode": ("taskmaster.auth.recorder", None, "_encode_entries"),
    "stream hub dispatch": ("taskmaster.stream.hub", "EventHub", "dispatch"),
}
# Awaited, so timed as wall time (the database's share included).
WATCHED_ASYNC = {
    "access log flush (wall)": ("taskmaster.auth.recorder", "Recorder", "flush"),
    "stream hub poll (wall)": ("taskmaster.stream.hub", "EventHub", "_poll"),
    "webhooks step (wall)": ("taskmaster.background", None, "process_due"),
    "events step (wall)": ("taskmaster.background", None, "deliver_due"),
}


def _bucket(bounds: tuple[float, ...], value_ms: float) -> int:
    for index, bound in enumerate(bounds):
        if value_ms <= bound:
            return index
    return len(bounds)


class StallProbe:
    def __init__(self) -> None:
        self.lag = {kind: [0] * (len(LAG_BOUNDS_MS) + 1) for kind in ("busy", "waiting")}
        self.stalled_ms = {"busy": 0.0, "waiting": 0.0}  # lag above 2 ms, summed
        self.gc = {gen: [0] * (len(GC_BOUNDS_MS) + 1) for gen in range(3)}
        self.gc_ms = [0.0, 0.0, 0.0]
        self.worst_ms: list[float] = []
        # name: [calls, CPU ms, worst CPU ms, worst wall ms]
        self.calls: dict[str, list[float]] = {}
        self._gc_started = 0.0
        self._due = 0.0
        self._cpu = 0.0
        self._handle: asyncio.TimerHandle | None = None
        self.started = 0.0

    def start(self) -> None:
        self.started = time.perf_counter()
        gc.callbacks.append(self._on_gc)
        self._schedule()

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    def _schedule(self) -> None:
        self._due = time.perf_counter() + TICK_S
        self._cpu = time.thread_time()
        self._handle = asyncio.get_running_loop().call_later(TICK_S, self._tick)

    def _tick(self) -> None:
        lag_ms = max(0.0, (time.perf_counter() - self._due) * 1000)
        cpu_ms = (time.thread_time() - self._cpu) * 1000
        kind = "busy" if cpu_ms >= (lag_ms + TICK_S * 1000) / 2 else "waiting"
        self.lag[kind][_bucket(LAG_BOUNDS_MS, lag_ms)] += 1
        if lag_ms > 2:
            self.stalled_ms[kind] += lag_ms
            self.worst_ms.append(round(lag_ms, 2))
            if len(self.worst_ms) > 200:
                self.worst_ms = sorted(self.worst_ms)[-20:]
        self._schedule()

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
            return
        took_ms = (time.perf_counter() - self._gc_started) * 1000
        generation = info["generation"]
        self.gc[generation][_bucket(GC_BOUNDS_MS, took_ms)] += 1
        self.gc_ms[generation] += took_ms

    def watch(self) -> None:
        """Time the origin's periodic jobs (``WATCHED``), wrapped where they are looked up."""
        for name, (module, owner, function) in (WATCHED | WATCHED_ASYNC).items():
            holder = importlib.import_module(module)
            holder = getattr(holder, owner) if owner else holder
            wrap = self._timed_async if name in WATCHED_ASYNC else self._timed
            setattr(holder, function, wrap(name, getattr(holder, function)))

    def _account(self, name: str, cpu_ms: float, wall_ms: float) -> None:
        entry = self.calls.setdefault(name, [0, 0.0, 0.0, 0.0])
        entry[0] += 1
        entry[1] += cpu_ms
        entry[2] = max(entry[2], cpu_ms)
        entry[3] = max(entry[3], wall_ms)

    def _timed(self, name: str, function: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self._account(
                    name, (time.thread_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000
                )

        return timed

    def _timed_async(self, name: str, function: Any) -> Any:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            wall = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                self._account(name, 0.0, (time.perf_counter() - wall) * 1000)

        return timed

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.report()))

    def report(self) -> dict[str, Any]:
        return {
            "seconds": round(time.perf_counter() - self.started, 1),
            "lag_bounds_ms": LAG_BOUNDS_MS,
            "lag": self.lag,
            "stalled_ms": {k: round(v, 1) for k, v in self.stalled_ms.items()},
            "worst_ms": sorted(self.worst_ms)[-20:],
            "gc_bounds_ms": GC_BOUNDS_MS,
            "gc": self.gc,
            "gc_ms": [round(v, 1) for v in self.gc_ms],
            "gc_thresholds": gc.get_threshold(),
            "gc_frozen": gc.get_freeze_count(),
            "calls": self.calls,
        }


def create_app() -> Any:
    module, _, name = os.environ["STALL_PROBE_TARGET"].partition(":")
    out_dir = Path(os.environ["STALL_PROBE_DIR"])
    label = os.environ.get("STALL_PROBE_NAME", module)
    probe = StallProbe()
    if "STALL_PROBE_SWITCH_S" in os.environ:  # an A/B of the GIL's switch interval
        sys.setswitchinterval(float(os.environ["STALL_PROBE_SWITCH_S"]))
    if os.environ.get("STALL_PROBE_WATCH") == "1":
        probe.watch()
    inner = getattr(importlib.import_module(module), name)()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await inner(scope, receive, send)
            return

        async def watched_send(message: Any) -> None:
            if message["type"] == "lifespan.startup.complete":
                probe.start()
            elif message["type"] == "lifespan.shutdown.complete":
                probe.stop()
                probe.write(out_dir / f"stalls-{label}-{os.getpid()}.json")
            await send(message)

        await inner(scope, receive, watched_send)

    return app


def summarise(paths: list[Path]) -> dict[str, Any]:
    """The workers' reports of one server, summed."""
    total: dict[str, Any] = {}
    for path in paths:
        data = json.loads(path.read_text())
        if not total:
            total = data
            continue
        total["seconds"] += data["seconds"]
        for kind in ("busy", "waiting"):
            total["lag"][kind] = [
                a + b for a, b in zip(total["lag"][kind], data["lag"][kind], strict=True)
            ]
            total["stalled_ms"][kind] += data["stalled_ms"][kind]
        for gen in ("0", "1", "2"):
            total["gc"][gen] = [
                a + b for a, b in zip(total["gc"][gen], data["gc"][gen], strict=True)
            ]
        total["gc_ms"] = [a + b for a, b in zip(total["gc_ms"], data["gc_ms"], strict=True)]
        total["worst_ms"] = sorted(total["worst_ms"] + data["worst_ms"])[-20:]
        for call, (count, cpu, worst_cpu, worst_wall) in data.get("calls", {}).items():
            mine = total["calls"].setdefault(call, [0, 0.0, 0.0, 0.0])
            mine[:] = [
                mine[0] + count,
                mine[1] + cpu,
                max(mine[2], worst_cpu),
                max(mine[3], worst_wall),
            ]
    return total


def format_summary(name: str, total: dict[str, Any]) -> str:
    bounds = [f"≤{b}" for b in total["lag_bounds_ms"]] + [f">{total['lag_bounds_ms'][-1]}"]
    lines = [f"{name}: {total['seconds']:.0f} worker-seconds"]
    lines.append("  loop lag ms      " + " ".join(f"{b:>7}" for b in bounds))
    for kind in ("busy", "waiting"):
        lines.append(f"  {kind:<16} " + " ".join(f"{n:>7}" for n in total["lag"][kind]))
    per_s = {k: v / max(total["seconds"], 1) for k, v in total["stalled_ms"].items()}
    lines.append(
        f"  lag > 2 ms, ms per worker-second: busy {per_s['busy']:.1f}, waiting "
        f"{per_s['waiting']:.1f}; worst {total['worst_ms'][-5:]}"
    )
    for gen in ("0", "1", "2"):
        count = sum(total["gc"][gen])
        lines.append(
            f"  gc gen {gen}: {count} collections, {total['gc_ms'][int(gen)]:.0f} ms, by ms "
            f"{dict(zip([f'≤{b}' for b in total['gc_bounds_ms']] + ['more'], total['gc'][gen], strict=True))}"
        )
    for call, (count, cpu, worst_cpu, worst_wall) in sorted(total.get("calls", {}).items()):
        lines.append(
            f"  {call}: {count} calls, CPU {cpu / max(count, 1):.2f} ms each (worst {worst_cpu:.2f}),"
            f" worst wall {worst_wall:.2f} ms"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    directory = Path(sys.argv[1])
    names = sorted({p.name.rsplit("-", 1)[0] for p in directory.glob("stalls-*.json")})
    for stem in names:
        print(
            format_summary(
                stem[len("stalls-") :], summarise(sorted(directory.glob(f"{stem}-*.json")))
            )
        )
