"""The synchronous client: ``Client(base_url, api_key)``, resources as attributes.

    with Client("http://127.0.0.1:8000", "ctm_…") as tm:
        task = tm.tasks.create(title="Write the docs", priority=7)
        for t in tm.tasks.list(status="pending", sort="-priority"):
            ...

To add a resource: give it a :class:`Resource` (or a subclass with its extra routes) here and in
``aio.py``, and its model in ``models.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar
from uuid import UUID

import httpx

from taskmaster_client import models as m
from taskmaster_client._core import (
    Prepared,
    RetryPolicy,
    decode,
    default_headers,
    prepare,
    retry_wait,
)
from taskmaster_client._stream import PATH as STREAM_PATH
from taskmaster_client._stream import SseParser, StreamState
from taskmaster_client.errors import TransportError, error_for

T = TypeVar("T")
C = TypeVar("C")


class Client:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        headers: dict[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            headers=default_headers(api_key, headers),
            transport=transport,
        )
        self.tasks = TaskResource(self, "/api/v1/tasks", m.Task)
        self.projects = Resource(self, "/api/v1/projects", m.Project)
        self.workflows = WorkflowResource(self, "/api/v1/workflows", m.Workflow)
        self.deployments = Resource(self, "/api/v1/deployments", m.Deployment)
        self.keys = KeyResource(self, "/api/v1/keys", m.ApiKey, m.KeyCreated)
        self.logs = LogResource(self, "/api/v1/logs", m.LogEntry)
        self.subscriptions = Resource(
            self, "/api/v1/subscriptions", m.Subscription, m.SubscriptionCreated
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def send(self, prepared: Prepared) -> httpx.Response:
        """Send with retries (see ``_core``); returns the final response, whatever its status."""
        attempt = 0
        while True:
            try:
                response = self._http.request(
                    prepared.method,
                    prepared.path,
                    params=prepared.params,
                    content=prepared.content,
                    headers=prepared.headers,
                )
            except httpx.TransportError as exc:
                wait = retry_wait(None, attempt, self.retry) if prepared.repeatable else None
                if wait is None:
                    raise TransportError(f"{prepared.method} {prepared.path}: {exc}") from exc
            else:
                wait = retry_wait(response, attempt, self.retry)
                if wait is None:
                    return response
            self._sleep(wait)
            attempt += 1

    def request(self, type_: type[C] | None, method: str, path: str, **options: Any) -> C:
        return decode(self.send(prepare(method, path, **options)), type_)

    def stream(self, **options: Any) -> Iterator[m.Event]:
        """The event stream, resuming by itself (``Last-Event-ID``) after a disconnect.

        Options: ``project_id`` (a list), ``types`` (``"task.*,deployment.completed"`` or a
        list), ``task_id``, ``last_event_id``, ``on_reset(Reset)`` (else ``StreamReset`` is
        raised), ``reconnect_wait`` (seconds; default the server's ``retry:``), ``idle_timeout``.
        Ends with ``StreamEnded`` when the key is revoked; failed reconnects are retried as
        ``RetryPolicy`` says, then raise."""
        state = StreamState(**options)
        attempt = 0
        while True:
            params, headers = state.request()
            timeout = state.timeout(self._http.timeout)
            try:
                with self._http.stream(
                    "GET", STREAM_PATH, params=params, headers=headers, timeout=timeout
                ) as response:
                    if response.status_code == 200:
                        attempt = 0
                        parser = SseParser()
                        for line in response.iter_lines():
                            frame = parser.feed(line)
                            event = state.handle(frame) if frame is not None else None
                            if event is not None:
                                yield event
                            elif state.cut:
                                break
                        wait = state.wait()
                    else:
                        response.read()
                        wait = retry_wait(response, attempt, self.retry)
                        if wait is None:
                            raise error_for(
                                response.status_code, response.content, dict(response.headers)
                            )
                        attempt += 1
            except httpx.TransportError as exc:  # dropped, or the server is away
                wait = retry_wait(None, attempt, self.retry)
                if wait is None:
                    raise TransportError(f"GET {STREAM_PATH}: {exc}") from exc
                attempt += 1
            self._sleep(wait)


class Resource(Generic[T]):
    """CRUD and listing of one collection."""

    def __init__(
        self, client: Client, path: str, model: type[T], created: type[Any] | None = None
    ) -> None:
        self._client = client
        self.path = path
        self.model = model
        self.created = created or model

    def create(self, *, idempotency_key: str | None = None, **fields: Any) -> Any:
        """POST; the key (a uuid4 by default) makes retries — ours or yours — create once."""
        return self._client.request(
            m.Envelope[self.created], "POST", self.path + "/", json=fields,
            idempotency_key=idempotency_key,
        ).data  # fmt: skip

    def get(self, resource_id: UUID | str) -> T:
        return self._client.request(
            m.Envelope[self.model], "GET", f"{self.path}/{resource_id}"
        ).data

    def update(self, resource_id: UUID | str, *, if_match: int | None = None, **fields: Any) -> T:
        """PATCH the given fields (``if_match``: the version you read, else 412)."""
        return self._client.request(
            m.Envelope[self.model], "PATCH", f"{self.path}/{resource_id}", json=fields,
            if_match=if_match,
        ).data  # fmt: skip

    def delete(self, resource_id: UUID | str, *, if_match: int | None = None) -> None:
        self._client.request(None, "DELETE", f"{self.path}/{resource_id}", if_match=if_match)

    def page(self, **params: Any) -> m.Page[T]:
        """One page (``limit``, ``cursor``, ``sort`` and the resource's filters)."""
        return self._client.request(m.Page[self.model], "GET", self.path + "/", params=params)

    def list(self, **params: Any) -> Iterator[T]:
        """Every item matching ``params``, page after page (follows ``next_cursor``)."""
        while True:
            page = self.page(**params)
            yield from page.data
            if not page.pagination.has_more or not page.pagination.next_cursor:
                return
            params = {**params, "cursor": page.pagination.next_cursor}


class TaskResource(Resource[m.Task]):
    def set_status(self, task_id: UUID | str, status: str, note: str | None = None) -> m.Task:
        body = {"status": status} | ({"note": note} if note else {})
        return self._client.request(
            m.Envelope[m.Task], "PATCH", f"{self.path}/{task_id}/status", json=body
        ).data


class WorkflowResource(Resource[m.Workflow]):
    def stages(self, workflow_id: UUID | str) -> list[m.Stage]:
        return self._client.request(
            m.Page[m.Stage], "GET", f"{self.path}/{workflow_id}/stages"
        ).data


class KeyResource(Resource[m.ApiKey]):
    def revoke(self, key_id: UUID | str, reason: str | None = None) -> m.ApiKey:
        return self._client.request(
            m.Envelope[m.ApiKey], "POST", f"{self.path}/{key_id}/revoke", json={"reason": reason}
        ).data

    def rotate(self, key_id: UUID | str, grace_seconds: int = 3600) -> m.KeyCreated:
        return self._client.request(
            m.Envelope[m.KeyCreated], "POST", f"{self.path}/{key_id}/rotate",
            json={"grace_seconds": grace_seconds},
        ).data  # fmt: skip


class LogResource(Resource[m.LogEntry]):
    def batch(self, entries: list[dict[str, Any]], *, idempotency_key: str | None = None) -> int:
        """Write up to 10,000 entries, all or none; returns how many were accepted."""
        return self._client.request(
            m.Envelope[m.LogBatchResult], "POST", f"{self.path}/batch",
            json={"entries": entries}, idempotency_key=idempotency_key,
        ).data.accepted  # fmt: skip
