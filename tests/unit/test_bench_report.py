"""The bench reads its targets on the median of alternating rounds (``bench/report.py``): every
figure is the median, the errors those of all rounds, and the best round is kept beside."""

from __future__ import annotations

from bench import report
from bench.load import LoadResult


def _run(rps: float, p99_ms: float, cpu_us: float, non_2xx: int = 0) -> LoadResult:
    return LoadResult(
        requests=int(rps), duration_s=1.0, rps=rps, p50_ms=1.0, p90_ms=2.0, p99_ms=p99_ms,
        mean_ms=1.0, max_ms=9.0, non_2xx=non_2xx, socket_errors=0, connections=32,
        server_cpu_us=cpu_us, db_cpu_us=50.0,
    )  # fmt: skip


def test_a_row_reads_the_median_of_its_rounds_and_keeps_the_best() -> None:
    row = report.Row(
        "get_task", "GET", [_run(900, 30, 300), _run(1_000, 10, 250, 2), _run(2_000, 20, 200)]
    )
    median = row.result
    assert median is not None and row.best is not None
    assert (median.rps, median.p99_ms, median.server_cpu_us) == (1_000, 20, 250)
    assert median.cpu_us == 300  # server + database, of the medians
    assert median.errors == 2  # an error in any round counts
    assert row.best.rps == 2_000


def test_targets_compare_medians_with_each_peer() -> None:
    rows = {
        "naive": report.Row("naive", "naive", [_run(500, 30, 700), _run(600, 30, 700)]),
        "asyncpg": report.Row("asyncpg", "asyncpg", [_run(900, 20, 400), _run(1_000, 20, 400)]),
        "get_task": report.Row("get_task", "GET", [_run(1_100, 15, 300), _run(900, 25, 300)]),
    }
    verdicts = {t.name: t.verdict for t in report.get_targets(rows)}
    assert verdicts["GET /tasks/{id} vs naive peer"] == "PASS"  # 1,000 / 550 ≥ 1.6
    assert verdicts["GET /tasks/{id} vs asyncpg peer"] == "FAIL"  # 1,000 / 950 < 1.15
    assert verdicts["GET /tasks/{id} p99"] == "PASS"  # median 20 ms
    assert verdicts["GET /tasks/{id} errors"] == "PASS"


def test_each_at_origin_gets_an_info_line_per_scenario_beside_the_working_tree() -> None:
    rows = {
        "list_page1": report.Row("list_page1", "page 1", [_run(1_200, 20, 900)]),
        "list_page1_at_019ed7e12a3e": report.Row(
            "list_page1_at_019ed7e12a3e",
            "  origin at 019ed7e = 019ed7e12a3e",
            [_run(1_800, 20, 700)],
        ),
        "list_deep": report.Row("list_deep", "deep", [_run(1_000, 20, 1_000)]),
    }
    lines = report.revision_targets(rows, "list_page1", "List page 1")
    assert [(t.name, t.verdict) for t in lines] == [
        ("List page 1 vs origin at 019ed7e = 019ed7e12a3e", "info")
    ]
    assert lines[0].measured.startswith("0.67x req/s (1,200 vs 1,800), CPU 950 vs 750 µs/request")
    assert report.revision_targets(rows, "list_deep", "List page at depth 10,000") == []
