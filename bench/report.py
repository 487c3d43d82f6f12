"""Turn one run's measurements into the table, the target verdicts, JSON and a markdown summary.

The targets are ratios measured in the same run (absolute figures move ±30 % on shared machines),
read on the **median** of the alternating rounds (the best round flatters every ratio a little; it is
printed beside). To add a target: append a :class:`Target` in :func:`evaluate`.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from bench.load import LoadResult


def median_of(runs: list[LoadResult]) -> LoadResult:
    """One result of several rounds: the median of every figure (req/s, latencies, CPU per
    request), the errors of all rounds together."""
    first = runs[0]
    if len(runs) == 1:
        return first
    medians: dict[str, float | None] = {}
    for f in fields(LoadResult):
        values = [getattr(r, f.name) for r in runs]
        if f.name in ("non_2xx", "socket_errors", "requests"):
            medians[f.name] = sum(values)
        elif f.name != "connections" and None not in values:
            medians[f.name] = round(statistics.median(values), 3)
    return replace(first, **medians)  # type: ignore[arg-type]


@dataclass(slots=True)
class Row:
    key: str
    label: str
    runs: list[LoadResult] = field(default_factory=list)  # one per round, in the order run
    rows_per_request: int = 1  # a batch endpoint: throughput in rows/s
    note: str = ""

    @property
    def result(self) -> LoadResult | None:
        """The median of the rounds (what targets read)."""
        return median_of(self.runs) if self.runs else None

    @property
    def best(self) -> LoadResult | None:
        """The round with the most requests/s (printed beside the median)."""
        return max(self.runs, key=lambda r: r.rps) if self.runs else None


@dataclass(slots=True)
class Target:
    name: str
    goal: str
    measured: str
    verdict: str  # PASS, FAIL or n/a


def _ms(value: float) -> str:
    return f"{value:.2f}"


def _ratio(value: float, base: float | None) -> str:
    return f"{value / base:.2f}x" if base else ""


def table(rows: list[Row], naive: Row, asyncpg: Row | None = None) -> list[list[str]]:
    """Median of the rounds in every figure, the best round's req/s and ratios beside it."""
    header = [
        "scenario", "conns", "rounds", "req/s median", "req/s best", "rows/s", "p50 ms", "p99 ms",
        "errors", "x naive (best)", "x asyncpg (best)", "server CPU µs/req", "db CPU µs/req",
        "x naive CPU",
    ]  # fmt: skip
    base, base_best = naive.result, naive.best
    peer = asyncpg.result if asyncpg else None
    peer_best = asyncpg.best if asyncpg else None
    lines = [header]
    for row in rows:
        r, best = row.result, row.best
        if r is None or best is None or base is None or base_best is None:
            lines.append([row.label, "", "", row.note or "n/a", *[""] * 10])
            continue
        rows_s = f"{r.rps * row.rows_per_request:,.0f}" if row.rows_per_request > 1 else ""
        lines.append([
            row.label, str(r.connections), str(len(row.runs)), f"{r.rps:,.0f}",
            f"{best.rps:,.0f}", rows_s, _ms(r.p50_ms), _ms(r.p99_ms),
            f"{r.errors} ({r.non_2xx} non-2xx, {r.socket_errors} socket)" if r.errors else "0",
            f"{_ratio(r.rps, base.rps)} ({_ratio(best.rps, base_best.rps)})",
            f"{_ratio(r.rps, peer.rps)} ({_ratio(best.rps, peer_best.rps)})"
            if peer and peer_best else "",
            f"{r.server_cpu_us:,.0f}" if r.server_cpu_us is not None else "",
            f"{r.db_cpu_us:,.0f}" if r.db_cpu_us is not None else "",
            _ratio(r.cpu_us, base.cpu_us) if r.cpu_us else "",
        ])  # fmt: skip
    return lines


# GET /tasks/{id} against the peers serving the same work (issue 20): medians of the rounds.
NAIVE_RATIO, ASYNCPG_RATIO, GET_P99_MS = 1.6, 1.15, 20.0


def _throughput(name: str, get: Row, peer: Row, goal: float) -> Target:
    r, best, p, p_best = get.result, get.best, peer.result, peer.best
    assert r and best and p and p_best
    ratio = r.rps / p.rps
    return Target(
        name, f"≥ {goal}x {peer.key} req/s (medians)",
        f"{ratio:.2f}x ({r.rps:,.0f} vs {p.rps:,.0f}; best rounds {best.rps / p_best.rps:.2f}x)",
        "PASS" if ratio >= goal else "FAIL",
    )  # fmt: skip


# A row of the origin at ``--at REV`` is keyed ``<scenario key><AT><sha>``, beside the working
# tree's ``<scenario key>``.
AT = "_at_"
SCENARIO_NAMES = {
    "list_page1": "List page 1",
    "list_deep": "List page at depth 10,000",
    "post_task": "POST /tasks",
}


def revision_targets(by_key: dict[str, Row], scenario: str, name: str) -> list[Target]:
    """One info line per ``--at`` origin: the working tree's req/s and CPU per request (server +
    db) against REV's in the same scenario, medians of the alternating rounds."""
    now = by_key[scenario].result
    assert now is not None
    targets = []
    for key, other in by_key.items():
        if key.startswith(scenario + AT) and other.result is not None:
            at = other.result
            targets.append(Target(
                f"{name} vs {other.label.strip()}", "(info) req/s and CPU, medians",
                f"{now.rps / at.rps:.2f}x req/s ({now.rps:,.0f} vs {at.rps:,.0f}), CPU "
                f"{now.cpu_us or 0:,.0f} vs {at.cpu_us or 0:,.0f} µs/request (db "
                f"{now.db_cpu_us or 0:,.0f} vs {at.db_cpu_us or 0:,.0f}), {at.errors} errors at REV",
                "info",
            ))  # fmt: skip
    return targets


def get_targets(by_key: dict[str, Row]) -> list[Target]:
    row, naive = by_key["get_task"], by_key["naive"]
    get, base = row.result, naive.result
    assert get is not None and base is not None
    targets = [_throughput("GET /tasks/{id} vs naive peer", row, naive, NAIVE_RATIO)]
    if "asyncpg" in by_key:
        targets.append(_throughput("GET /tasks/{id} vs asyncpg peer", row, by_key["asyncpg"], ASYNCPG_RATIO))  # fmt: skip
    targets += revision_targets(by_key, "get_task", "GET /tasks/{id}")
    if get.cpu_us and base.cpu_us:
        targets.append(Target(
            "GET /tasks/{id} per CPU", "(info) requests per CPU-second (server + db), x naive",
            f"{base.cpu_us / get.cpu_us:.2f}x "
            f"({get.cpu_us:,.0f} vs {base.cpu_us:,.0f} µs/request)",
            "info",
        ))  # fmt: skip
    worst = max(r.p99_ms for r in row.runs)
    targets.append(Target(
        "GET /tasks/{id} p99", f"≤ {GET_P99_MS:g} ms at {get.connections} connections (median)",
        f"{get.p99_ms:.1f} ms (worst round {worst:.1f} ms)",
        "PASS" if get.p99_ms <= GET_P99_MS else "FAIL",
    ))  # fmt: skip
    targets.append(Target(
        "GET /tasks/{id} errors", "0 in every round", str(get.errors),
        "PASS" if get.errors == 0 else "FAIL",
    ))  # fmt: skip
    return targets


def evaluate(by_key: dict[str, Row], edge: dict[str, Any] | None) -> list[Target]:
    targets = get_targets(by_key)
    page1, deep = by_key["list_page1"].result, by_key["list_deep"].result
    assert page1 is not None and deep is not None
    # Cost = CPU per request, server + database (an OFFSET would show as database CPU); req/s,
    # which other load on the machine moves, is shown beside it.
    if deep.cpu_us and page1.cpu_us:
        cost = deep.cpu_us / page1.cpu_us
        measured = f"{cost:.2f}x CPU ({deep.cpu_us:,.0f} vs {page1.cpu_us:,.0f} µs/request"
        measured += f", db {deep.db_cpu_us:,.0f} vs {page1.db_cpu_us:,.0f})"
    else:
        cost = page1.rps / deep.rps
        measured = f"{cost:.2f}x"
    measured += f"; req/s ratio {page1.rps / deep.rps:.2f}x"
    targets.append(Target(
        "List page at depth 10,000", "≤ 1.5x the cost of page 1", measured,
        "PASS" if cost <= 1.5 else "FAIL",
    ))  # fmt: skip
    for scenario, name in SCENARIO_NAMES.items():
        targets += revision_targets(by_key, scenario, name)
    logs = by_key["logs_batch"]
    if logs.result is None:
        targets.append(Target("POST /logs/batch", "≥ 50,000 rows/s", logs.note or "n/a", "n/a"))
    else:
        rows_s = logs.result.rps * logs.rows_per_request
        ok = rows_s >= 50_000 and logs.result.errors == 0
        targets.append(Target(
            "POST /logs/batch", "≥ 50,000 rows/s, 0 errors",
            f"{rows_s:,.0f} rows/s, {logs.result.errors} errors", "PASS" if ok else "FAIL",
        ))  # fmt: skip
    targets += edge_targets(edge)
    for target in targets:
        if target.name == "List page at depth 10,000" and deep.errors + page1.errors:
            target.verdict = "FAIL"
            target.measured += f", {deep.errors + page1.errors} errors"
    return targets


def edge_targets(edge: dict[str, Any] | None) -> list[Target]:
    edge = edge or {}
    targets = []
    for key, name in (
        ("pipeline_hit_us", "Edge pipeline on Pyodide (in-memory ports)"),
        ("worker_hit_us", "Edge Worker on Pyodide incl. SDK adapter + binding bridge (runner)"),
        ("worker_hit_own_us", "Edge Worker on Pyodide, bridge CPU excluded (runner)"),
    ):
        us = edge.get(key)
        targets.append(Target(
            name, "≤ 500 µs CPU per request (auth + limit + cache lookup)",
            f"{us:,.0f} µs (keyed GET, cache HIT)" if us is not None else "not measured",
            "n/a" if us is None else "PASS" if us <= 500 else "FAIL",
        ))  # fmt: skip
    ms = edge.get("import_ms")
    targets.append(Target(
        "Edge Worker start-up on Pyodide (SDK + Worker import)", "≤ 100 ms CPU (Cloudflare: 1 s)",
        f"{ms:,.0f} ms" if ms is not None else "not measured",
        "n/a" if ms is None else "PASS" if ms <= 100 else "FAIL",
    ))  # fmt: skip
    return targets


def render_text(lines: list[list[str]]) -> str:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    out = []
    for index, line in enumerate(lines):
        cells = [
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
            for i, cell in enumerate(line)
        ]
        out.append("  ".join(cells).rstrip())
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def render_markdown(lines: list[list[str]]) -> str:
    out = ["| " + " | ".join(lines[0]) + " |", "|" + "|".join("---" for _ in lines[0]) + "|"]
    out += ["| " + " | ".join(line) + " |" for line in lines[1:]]
    return "\n".join(out)


def targets_text(targets: list[Target]) -> str:
    width = max(len(t.name) for t in targets)
    return "\n".join(
        f"  [{t.verdict:>4}] {t.name.ljust(width)}  {t.measured}  (target {t.goal})"
        for t in targets
    )


def _startup_lines(startup: dict[str, Any]) -> list[str]:
    if not startup:
        return []
    if startup.get("error"):
        return [f"  start-up: not measured: {startup['error']}"]
    lines = [
        f"  start-up on Pyodide {startup.get('pyodide')} (median of {startup.get('runs')} loads):"
    ]
    for key, title in (
        ("import_sdk", "import workers SDK"),
        ("import_worker", "import the Worker"),
        ("import_total", f"SDK + Worker (budget {startup.get('budget_ms')} ms)"),
        ("load_pyodide", "load Pyodide (not the Worker's)"),
    ):
        f = startup.get(key) or {}
        lines.append(
            f"    {title:<32} {f.get('cpu_ms', 0):>8,.1f} ms CPU {f.get('wall_ms', 0):>9,.1f} ms wall"
        )
    return lines


def _scenario_line(r: dict[str, Any]) -> str:
    line = (
        f"    {r['scenario']:<24} {r['cpu_us_per_request']:>8,.0f} µs CPU/request ({r['status']})"
    )
    if "worker_cpu_us_per_request" in r:
        line += (
            f" = Worker {r['worker_cpu_us_per_request']:,.0f} + bridge "
            f"{r['bridge_cpu_us_per_request']:,.0f} ({r['bridge_calls_per_request']:g} calls);"
            f" workerd {r['workerd_cpu_us_per_request']:,.0f}"
        )
    return line


def edge_text(edge: dict[str, Any] | None) -> str:
    if not edge:
        return "  not measured"
    if edge.get("error"):
        return f"  not measured: {edge['error']}"
    lines = _startup_lines(edge.get("startup") or {})
    for key, title in (
        ("pipeline", "pipeline alone, in-memory ports (bench/edge_pipeline.mjs)"),
        ("worker", "whole Worker through the runner (edge/bench/pipeline_cpu.mjs)"),
    ):
        data = edge.get(key) or {}
        lines.append(f"  {title}:")
        if data.get("error"):
            lines.append(f"    not measured: {data['error']}")
        lines += [_scenario_line(r) for r in data.get("results", [])]
    return "\n".join(lines)


def graph_text(graph: dict[str, Any] | None) -> str:
    if graph is None:
        return "  n/a (bench/graph_bench.py not present)"
    if graph.get("error"):
        return f"  not measured: {graph['error']}"
    return "\n".join(f"  {line}" for line in graph.get("output", []))


def write(results_dir: Path, stamp: str, payload: dict[str, Any], text: str, md: str) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"bench-{stamp}.json"
    path.write_text(json.dumps(payload, indent=2, default=_default))
    (results_dir / "latest.json").write_text(json.dumps(payload, indent=2, default=_default))
    (results_dir / "summary.md").write_text(md)
    (results_dir / "summary.txt").write_text(text)
    return path


def _default(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    raise TypeError(type(value))
