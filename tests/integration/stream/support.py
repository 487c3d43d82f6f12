"""Helpers of the stream tests: an origin of their own (least-privilege role, row-level security in
force, small limits) and an SSE reader that records when each frame arrived."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Frame:
    event: str  # "message" for events of the log, else the control event's name
    id: int | None
    data: dict[str, Any]
    received: float = field(default_factory=time.perf_counter)


def parse_sse(lines: Iterator[str]) -> Iterator[Frame]:
    """Frames of an SSE body (comments and ``retry:`` are skipped)."""
    event, id_, data = "message", None, []
    for line in lines:
        if line == "":
            if data:
                yield Frame(event, id_, json.loads("\n".join(data)))
            event, id_, data = "message", None, []
        elif line.startswith(":") or line.startswith("retry:"):
            continue
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "id":
                id_ = int(value)
            elif name == "data":
                data.append(value)


class SseReader:
    """Reads one SSE stream in a thread; ``next()`` hands over its frames in order."""

    def __init__(
        self, url: str, headers: dict[str, str], params: Any = None, *, expect_refusal: bool = False
    ) -> None:
        self.frames: queue.Queue[Frame | BaseException | None] = queue.Queue()
        self.status: int | None = None
        self.body: str = ""
        self._client = httpx.Client(
            base_url=url, headers=headers, timeout=httpx.Timeout(10, read=None)
        )
        self._opened = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(params,), daemon=True)
        self._thread.start()
        assert self._opened.wait(10), "the stream did not answer"
        assert self.status in (200, None) or expect_refusal, f"{self.status}: {self.body}"

    def _run(self, params: Any) -> None:
        try:
            with self._client.stream("GET", "/api/v1/stream", params=params) as response:
                self.status = response.status_code
                if response.status_code != 200:
                    self.body = response.read().decode()
                    self._opened.set()
                    return
                self._opened.set()
                for frame in parse_sse(response.iter_lines()):
                    self.frames.put(frame)
        except Exception as exc:
            self.frames.put(exc)
        finally:
            self._opened.set()
            self.frames.put(None)

    def next(self, timeout: float = 10) -> Frame:
        item = self.frames.get(timeout=timeout)
        assert isinstance(item, Frame), f"the stream ended: {item!r}"
        return item

    def events(self, count: int, timeout: float = 20) -> list[Frame]:
        """The next ``count`` events of the log (control frames are not skipped: they fail)."""
        got = [self.next(timeout) for _ in range(count)]
        assert all(f.event == "message" for f in got), [
            f.event for f in got if f.event != "message"
        ]
        return got

    def close(self) -> None:
        self._client.close()
        self._thread.join(10)


def post_task(http: httpx.Client, project_id: str | None = None, **fields: Any) -> dict[str, Any]:
    body = {"title": fields.pop("title", "streamed task"), **fields}
    if project_id is not None:
        body["project_id"] = project_id
    response = http.post("/api/v1/tasks", json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]
