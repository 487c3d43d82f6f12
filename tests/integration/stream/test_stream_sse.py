"""GET /api/v1/stream as Server-Sent Events, against the real origin and PostgreSQL: live delivery,
resume with Last-Event-ID (exactly the missed events, in order), tenancy, filters, reset,
overflow, the per-key cap, revocation, and 500 idle streams on a handful of connections."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import Iterator

import httpx
import psycopg

from tests.conftest import OriginProcess, issue_key
from tests.helpers import assert_problem
from tests.integration.people.support import bearer, make_project, make_user, tokens
from tests.integration.stream.conftest import POOL_MAX, STREAM_CAP
from tests.integration.stream.support import SseReader, parse_sse, post_task


def test_posted_tasks_reach_a_subscriber_in_order(
    stream_origin: OriginProcess, admin_http: httpx.Client, admin_headers: dict[str, str]
) -> None:
    project = make_project(admin_http)
    reader = SseReader(
        stream_origin.url, admin_headers, {"project_id": project, "types": "task.created"}
    )
    try:
        assert reader.status == 200
        sent: dict[str, float] = {}
        for n in range(200):
            started = time.perf_counter()
            task = post_task(admin_http, project, title=f"t{n}")
            sent[task["id"]] = started
        frames = reader.events(200)
    finally:
        reader.close()
    assert [f.data["resource"]["id"] for f in frames] == list(sent)
    ids = [f.id for f in frames]
    assert ids == sorted(ids) and len(set(ids)) == 200
    first = frames[0].data
    assert first["type"] == "task.created" and first["project_id"] == project
    assert first["resource"] == {"kind": "task", "id": first["data"]["id"]}
    assert first["id"] == frames[0].id and first["occurred_at"].endswith("Z")
    latencies = sorted((f.received - sent[f.data["resource"]["id"]]) * 1000 for f in frames)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(
        f"\nPOST /tasks → SSE event, 200 events (loaded machine, not asserted): "
        f"p50 {statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms"
    )


def test_resume_with_last_event_id_replays_exactly_the_missed_events(
    stream_origin: OriginProcess, admin_http: httpx.Client, admin_headers: dict[str, str]
) -> None:
    project = make_project(admin_http)
    params = {"project_id": project}
    first = SseReader(stream_origin.url, admin_headers, params)
    post_task(admin_http, project, title="before the drop")
    last = first.events(1)[0]
    first.close()  # the client's connection dies
    missed = [post_task(admin_http, project, title=f"missed {n}")["id"] for n in range(50)]
    resumed = SseReader(stream_origin.url, {**admin_headers, "Last-Event-ID": str(last.id)}, params)
    try:
        replayed = resumed.events(50)
        # Live again after the replay: the next event is the next write, nothing in between.
        marker = post_task(admin_http, project, title="after the resume")["id"]
        after = resumed.events(1)[0]
    finally:
        resumed.close()
    assert [f.data["resource"]["id"] for f in replayed] == missed
    assert [f.id for f in replayed] == sorted({f.id for f in replayed})
    assert replayed[0].id > last.id
    assert after.data["resource"]["id"] == marker and after.id > replayed[-1].id


def test_the_query_parameter_resumes_too_and_the_header_wins(
    stream_origin: OriginProcess, admin_http: httpx.Client, admin_headers: dict[str, str]
) -> None:
    project = make_project(admin_http)
    a = post_task(admin_http, project, title="a")["id"]
    b = post_task(admin_http, project, title="b")["id"]
    first = SseReader(stream_origin.url, admin_headers, {"project_id": project, "last_event_id": 0})
    try:
        frames = first.events(2)
    finally:
        first.close()
    assert [f.data["resource"]["id"] for f in frames] == [a, b]
    headers = {**admin_headers, "Last-Event-ID": str(frames[0].id)}
    second = SseReader(stream_origin.url, headers, {"project_id": project, "last_event_id": 0})
    try:
        assert [f.data["resource"]["id"] for f in second.events(1)] == [b]
    finally:
        second.close()


def test_another_projects_events_never_arrive(
    stream_origin: OriginProcess, stream_db: str, admin_http: httpx.Client
) -> None:
    mine, theirs = make_project(admin_http), make_project(admin_http)
    post_task(admin_http, theirs, title="theirs, before")
    _, key = issue_key(stream_db, ["tasks:read"], allowed_projects=[mine])
    headers = {"Authorization": f"Bearer {key}"}
    live = SseReader(stream_origin.url, headers)
    replay = SseReader(stream_origin.url, {**headers, "Last-Event-ID": "0"})
    try:
        for n in range(3):
            post_task(admin_http, theirs, title=f"theirs {n}")
            post_task(admin_http, None, title=f"no project {n}")
        own = post_task(admin_http, mine, title="mine")["id"]
        # The first event each stream gets is this project's: nothing before it leaked.
        for reader in (live, replay):
            frame = reader.events(1)[0]
            assert frame.data["resource"]["id"] == own and frame.data["project_id"] == mine
    finally:
        live.close()
        replay.close()


def test_filters_by_type_and_task(
    stream_origin: OriginProcess, admin_http: httpx.Client, admin_headers: dict[str, str]
) -> None:
    project = make_project(admin_http)
    task = post_task(admin_http, project, title="watched")
    other = post_task(admin_http, project, title="other")
    by_task = SseReader(stream_origin.url, admin_headers, {"task_id": task["id"]})
    completed = SseReader(
        stream_origin.url,
        admin_headers,
        {"project_id": project, "types": "task.completed,deployment.*"},
    )
    try:
        admin_http.patch(f"/api/v1/tasks/{other['id']}", json={"title": "other, renamed"})
        response = admin_http.patch(f"/api/v1/tasks/{task['id']}", json={"status": "completed"})
        assert response.status_code == 200, response.text
        watched = by_task.events(1)[0]
        done = completed.events(1)[0]
    finally:
        by_task.close()
        completed.close()
    assert watched.data["type"] == "task.completed" and watched.data["resource"]["id"] == task["id"]
    assert "status" in watched.data["changes"] and watched.data["data"]["status"] == "completed"
    assert done.id == watched.id


def test_bad_filters_and_ids_are_400_before_the_stream_starts(
    admin_http: httpx.Client,
) -> None:
    for params, headers, name in (
        ({"types": "task.created,nonsense"}, {}, "types"),
        ({"types": "TASK.*"}, {}, "types"),
        ({}, {"Last-Event-ID": "12abc"}, "Last-Event-ID"),
        ({"last_event_id": "-1"}, {}, "last_event_id"),
        ({"task_id": "not-a-uuid"}, {}, "task_id"),
    ):
        response = admin_http.get("/api/v1/stream", params=params, headers=headers)
        assert_problem(response, 400)
        assert name in response.text


def test_an_expired_last_event_id_gets_reset_then_live(
    stream_origin: OriginProcess, stream_db: str, admin_http: httpx.Client,
    admin_headers: dict[str, str],
) -> None:  # fmt: skip
    project = make_project(admin_http)
    post_task(admin_http, project, title="will age")
    with psycopg.connect(stream_db, autocommit=True) as conn:
        # Age every event so far past retention, then let the real purge delete them.
        conn.execute("UPDATE event_log SET created_at = now() - interval '8 days'")
        conn.execute("SELECT purge_event_log(7)")
        (purged,) = conn.execute("SELECT purged_through FROM event_log_horizon").fetchone()
    assert purged > 0
    reader = SseReader(
        stream_origin.url, {**admin_headers, "Last-Event-ID": "0"}, {"project_id": project}
    )
    try:
        reset = reader.next()
        fresh = post_task(admin_http, project, title="after the reset")["id"]
        live = reader.events(1)[0]
    finally:
        reader.close()
    assert reset.event == "reset" and reset.data["reason"] == "expired"
    assert reset.id == reset.data["resume_from"] >= purged
    assert live.data["resource"]["id"] == fresh


def _lines_until(lines: Iterator[str], deadline: float) -> Iterator[str]:
    """``lines`` until the stream ends; a failure, not a hang, if it is still open at
    ``deadline`` (heartbeat comments keep arriving, so the check runs)."""
    for line in lines:
        assert time.monotonic() < deadline, "the stream is still open"
        yield line


def test_a_slow_consumer_is_cut_off_with_overflow(
    stream_origin: OriginProcess, stream_db: str, admin_headers: dict[str, str],
    admin_http: httpx.Client,
) -> None:  # fmt: skip
    project = make_project(admin_http)
    marker = post_task(admin_http, project, title="marker")["id"]
    with (
        httpx.Client(base_url=stream_origin.url, headers=admin_headers, timeout=60) as http,
        http.stream("GET", "/api/v1/stream", params={"project_id": project}) as response,
    ):
        assert response.status_code == 200
        # A witness that keeps up: once it has the marker's update, written after the burst,
        # the hub has offered the slow stream the whole burst (it dispatches in id order).
        witness = SseReader(
            stream_origin.url, admin_headers, {"task_id": marker, "types": "task.updated"}
        )
        try:
            # Far more than the queue (STREAM_QUEUE_MAX=1000) and the sockets' buffers hold,
            # written while the client reads nothing.
            with psycopg.connect(stream_db, autocommit=True) as conn:
                conn.execute(
                    "INSERT INTO tasks (project_id, title, description) SELECT %s, 'bulk ' || n,"
                    " repeat('x', 2000) FROM generate_series(1, 20000) n",
                    (project,),
                )
                conn.execute("UPDATE tasks SET title = 'after the burst' WHERE id = %s", (marker,))
            witness.events(1, timeout=120)
        finally:
            witness.close()
        lines = _lines_until(response.iter_lines(), time.monotonic() + 60)
        frames = list(parse_sse(lines))  # ends: the server cut it
    assert frames[-1].event == "overflow"
    events = frames[:-1]
    assert all(f.event == "message" for f in events) and len(events) < 20000
    ids = [f.id for f in events]
    assert ids == sorted(ids)
    assert frames[-1].data["last_event_id"] == (ids[-1] if ids else frames[-1].id)
    print(f"\noverflow after {len(events)} of 20000 events")


def test_a_new_stream_starts_at_now_while_the_hub_is_still_dispatching_a_burst(
    stream_origin: OriginProcess, stream_db: str, admin_headers: dict[str, str],
    admin_http: httpx.Client,
) -> None:  # fmt: skip
    """Without a last id a stream starts live at "now": events committed before it opened never
    arrive, even while the hub is still handing an earlier burst to another stream."""
    project = make_project(admin_http)
    busy = SseReader(stream_origin.url, admin_headers, {"project_id": project})
    try:
        with psycopg.connect(stream_db, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO tasks (project_id, title, description) SELECT %s, 'burst ' || n,"
                " repeat('x', 2000) FROM generate_series(1, 20000) n",
                (project,),
            )
        fresh = SseReader(stream_origin.url, admin_headers, {"project_id": project})
        try:
            marker = post_task(admin_http, project, title="after the burst")["id"]
            first = fresh.events(1, timeout=60)[0]
        finally:
            fresh.close()
    finally:
        busy.close()
    assert first.data["resource"]["id"] == marker, first.data["data"]["title"]


def test_a_revoked_key_ends_its_stream(stream_origin: OriginProcess, stream_db: str) -> None:
    key_id, key = issue_key(stream_db, ["tasks:read"])
    reader = SseReader(stream_origin.url, {"X-API-Key": key})
    try:
        with psycopg.connect(stream_db, autocommit=True) as conn:
            conn.execute("UPDATE api_keys SET revoked_at = now() WHERE id = %s", (key_id,))
        frame = reader.next(timeout=15)  # re-checked every STREAM_HEARTBEAT_S (1 s here)
    finally:
        reader.close()
    assert frame.event == "end" and frame.data == {"reason": "revoked"}


def test_500_idle_streams_hold_a_handful_of_connections_and_the_cap_is_429(
    stream_origin: OriginProcess, stream_db: str
) -> None:
    _, key = issue_key(stream_db, ["tasks:read"])
    database = stream_db.rsplit("/", 1)[-1].split("?")[0]

    async def scenario() -> tuple[int, httpx.Response]:
        limits = httpx.Limits(max_connections=STREAM_CAP + 10, max_keepalive_connections=0)
        async with (
            httpx.AsyncClient(
                base_url=stream_origin.url, headers={"X-API-Key": key}, limits=limits,
                timeout=httpx.Timeout(30, read=None),
            ) as http,
            contextlib.AsyncExitStack() as streams,
        ):  # fmt: skip
            for _ in range(STREAM_CAP // 50):
                opened = await asyncio.gather(
                    *(streams.enter_async_context(http.stream("GET", "/api/v1/stream"))
                      for _ in range(50))
                )  # fmt: skip
                assert all(r.status_code == 200 for r in opened)
            await asyncio.sleep(1.5)  # idle, past a heartbeat (and its revocation check)
            with psycopg.connect(stream_db, autocommit=True) as conn:
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (database,),
                ).fetchone()
            over = await http.get("/api/v1/stream")
        return int(row[0]) if row else -1, over

    count, over = asyncio.run(scenario())
    print(f"\n{STREAM_CAP} idle streams: {count} database connections of the origin")
    # The pool's (at most DATABASE_POOL_MAX), the hub's and the key listener's: none per stream.
    assert 0 < count <= POOL_MAX + 2
    assert_problem(over, 429)
    assert over.json()["type"].endswith("/too-many-streams")
    assert over.headers["retry-after"]


def test_logging_out_ends_the_users_stream(stream_origin: OriginProcess, stream_db: str) -> None:
    user = make_user(stream_db, "viewer")
    with httpx.Client(base_url=stream_origin.url, timeout=10) as anon:
        headers = bearer(tokens(anon, user["username"])["access_token"])
        reader = SseReader(stream_origin.url, headers)
        try:
            assert anon.post("/api/v1/auth/logout", json={}, headers=headers).status_code == 204
            frame = reader.next(timeout=15)  # the session is re-checked every heartbeat (1 s)
        finally:
            reader.close()
    assert frame.event == "end" and frame.data == {"reason": "revoked"}
