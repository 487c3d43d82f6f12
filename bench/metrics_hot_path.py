"""Cost per request of the metric updates on the hot path (front.py: in-flight up and down, one
histogram observation), in one process and in multiprocess mode (mmap files).

    .venv/bin/python -m bench.metrics_hot_path        # prints µs per request for both modes
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import timeit

N = 200_000
LABELS = ("GET", "/api/v1/tasks/{task_id}", "200")


def measure() -> float:
    from taskmaster.observability.metrics import OriginMetrics

    metrics = OriginMetrics()
    latency, in_flight = metrics.latency, metrics.in_flight

    def one_request() -> None:
        in_flight.inc()
        in_flight.dec()
        latency.observe(0.0012, LABELS)

    one_request()
    best = min(timeit.repeat(one_request, number=N, repeat=5))
    return best / N * 1e6


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(f"{measure():.3f}")
        return
    for mode in ("one process", "multiprocess"):
        env = dict(os.environ)
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        with tempfile.TemporaryDirectory() as shared:
            if mode == "multiprocess":
                env["PROMETHEUS_MULTIPROC_DIR"] = shared
            out = subprocess.run(
                [sys.executable, "-m", "bench.metrics_hot_path", "--child"],
                env=env, check=True, capture_output=True, text=True,
            ).stdout.strip()  # fmt: skip
        print(f"{mode:>13}: {out} µs per request")


if __name__ == "__main__":
    main()
