"""What the sync and async ``stream()`` share: SSE parsing and the resume logic.

The iterator sends ``Last-Event-ID`` = the id of the last event it yielded on every reconnect, so
a dropped connection, an ``overflow`` (the client read too slowly) or a server shutdown costs no
event and repeats none. It waits the server's ``retry:`` advice (or ``reconnect_wait``) before
reconnecting; a ``reset`` goes to ``on_reset`` (else :class:`StreamReset` is raised); a revoked
credential ends the iteration with :class:`StreamEnded`. A read silent for ``idle_timeout``
seconds (the server sends a heartbeat every 15 s) counts as a dropped connection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
import msgspec

from taskmaster_client import models as m
from taskmaster_client.errors import TaskMasterError

PATH = "/api/v1/stream"
DEFAULT_RETRY_S = 3.0


class StreamReset(TaskMasterError):
    """The resume point is gone (older than the log keeps): reload state, then stream again."""

    def __init__(self, reset: m.Reset) -> None:
        self.reset = reset
        super().__init__(f"stream reset ({reset.reason}); resume from {reset.resume_from}")


class StreamEnded(TaskMasterError):
    """The server ended the stream for good (``reason``: ``revoked``)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"stream ended: {reason}")


@dataclass(slots=True)
class SseFrame:
    event: str = "message"
    id: str | None = None
    data: list[str] = field(default_factory=list)
    retry_ms: int | None = None


class SseParser:
    """Lines in, frames out (a frame ends at a blank line; comments are heartbeats)."""

    def __init__(self) -> None:
        self._frame = SseFrame()

    def feed(self, line: str) -> SseFrame | None:
        if line == "":
            frame, self._frame = self._frame, SseFrame()
            return frame if frame.data or frame.retry_ms is not None else None
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            self._frame.event = value
        elif name == "id":
            self._frame.id = value
        elif name == "data":
            self._frame.data.append(value)
        elif name == "retry" and value.isdigit():
            self._frame.retry_ms = int(value)
        return None


class _Control(msgspec.Struct):
    reason: str = ""


@dataclass
class StreamState:
    """One ``stream()`` call's position and what its frames tell it to do."""

    project_id: list[UUID | str] | None = None
    types: str | list[str] | None = None
    task_id: UUID | str | None = None
    last_event_id: int | None = None
    on_reset: Callable[[m.Reset], None] | None = None
    reconnect_wait: float | None = None
    idle_timeout: float = 45.0
    retry_s: float = DEFAULT_RETRY_S
    cut: bool = False  # the server ended this connection: reconnect

    def request(self) -> tuple[dict[str, Any], dict[str, str]]:
        params: dict[str, Any] = {}
        if self.project_id:
            params["project_id"] = [str(p) for p in self.project_id]
        if self.types:
            params["types"] = self.types if isinstance(self.types, str) else ",".join(self.types)
        if self.task_id:
            params["task_id"] = str(self.task_id)
        headers = {"Accept": "text/event-stream"}
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = str(self.last_event_id)
        self.cut = False
        return params, headers

    def timeout(self, base: httpx.Timeout) -> httpx.Timeout:
        return httpx.Timeout(base.connect or 10.0, read=self.idle_timeout)

    def wait(self) -> float:
        return self.retry_s if self.reconnect_wait is None else self.reconnect_wait

    def handle(self, frame: SseFrame) -> m.Event | None:
        """The event to yield, if the frame is one; control frames change the state."""
        if frame.retry_ms is not None:
            self.retry_s = frame.retry_ms / 1000
        if not frame.data:
            return None
        data = "\n".join(frame.data)
        if frame.event == "message":
            event = msgspec.json.decode(data, type=m.Event)
            self.last_event_id = event.id
            return event
        if frame.event == "reset":
            reset = msgspec.json.decode(data, type=m.Reset)
            if self.on_reset is None:
                raise StreamReset(reset)
            self.on_reset(reset)
            self.last_event_id = reset.resume_from
        elif frame.event == "end":
            reason = msgspec.json.decode(data, type=_Control).reason
            if reason == "revoked":
                raise StreamEnded(reason)
            self.cut = True
        elif frame.event == "overflow":
            self.cut = True
        return None
