"""What a stored delivery means for tasks: one mapper per (provider, event type).

A mapper runs inside the processor's transaction (a savepoint per event) and returns an
:class:`Outcome`. Raising :class:`MappingError` (or any database error) fails the attempt: the
event is retried with backoff and dead-lettered after its last attempt. Events no mapper claims
are ``skipped``. To handle a new event, write ``async def mapper(conn, event) -> Outcome`` and add
it to :data:`MAPPERS`.

- GitHub ``pull_request`` (opened, reopened, ready_for_review, edited, synchronize,
  converted_to_draft, closed): upserts the ``pull_requests`` row; with a linked task, sets its
  ``github_pr_url`` and moves it to ``review`` (opened/reopened/ready, not a draft) or
  ``completed`` (closed and merged). The task is the one named ``TM-<uuid>`` (or a bare task id)
  in the branch name, title or body; else the task whose ``github_pr_url`` is the PR; else the one
  the PR row already links. A reference to a task that does not exist is an error (retried: the
  task may not be committed yet); a PR that names no task is still tracked.
- Linear ``Issue`` create/update: the tasks whose ``linear_issue_id`` is the issue's id or
  identifier get its title and its status (by workflow state type); no linked task → skipped.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from taskmaster.db.sql import load_queries
from taskmaster.webhooks.schemas import StoredEvent

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
TASK_REFERENCE = re.compile(rf"\bTM-({_UUID})\b", re.IGNORECASE)
BARE_TASK_ID = re.compile(rf"(?<![0-9a-fA-F-])({_UUID})(?![0-9a-fA-F-])")
SHA = re.compile(r"^[0-9a-f]{7,64}$")
PR_ACTIONS = frozenset(
    {"opened", "reopened", "ready_for_review", "edited", "synchronize", "converted_to_draft",
     "closed"}
)  # fmt: skip
TO_REVIEW = frozenset({"opened", "reopened", "ready_for_review"})
LINEAR_STATES = {
    "triage": "pending",
    "backlog": "pending",
    "unstarted": "pending",
    "started": "in_progress",
    "completed": "completed",
    "canceled": "cancelled",
    "cancelled": "cancelled",
}


class MappingError(Exception):
    """The event could not be applied now; it is retried."""


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str  # processed | skipped
    task_id: UUID | None = None
    pull_request_id: UUID | None = None
    note: dict[str, Any] = field(default_factory=dict)


def skipped(reason: str) -> Outcome:
    return Outcome("skipped", note={"skipped_reason": reason})


Mapper = Callable[[AsyncConnection[Any], StoredEvent], Awaitable[Outcome]]


async def _one(conn: AsyncConnection[Any], name: str, params: dict[str, Any]) -> Any:
    cur = await conn.execute(QUERIES[name], params)
    row = await cur.fetchone()
    return row[0] if row else None


def task_reference(*texts: str | None) -> UUID | None:
    """The task a PR names: ``TM-<uuid>`` anywhere, else a bare uuid in the branch (first text)."""
    for text in texts:
        found = TASK_REFERENCE.search(text or "")
        if found:
            return UUID(found[1])
    found = BARE_TASK_ID.search(texts[0] or "") if texts else None
    return UUID(found[1]) if found else None


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _sha(value: Any) -> str | None:
    return value if isinstance(value, str) and SHA.match(value) else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and 0 <= value <= 2_147_483_647 else None


async def github_pull_request(conn: AsyncConnection[Any], event: StoredEvent) -> Outcome:
    payload = event.payload if isinstance(event.payload, dict) else {}
    action = payload.get("action")
    pr = payload.get("pull_request")
    repository = (payload.get("repository") or {}).get("full_name")
    if action not in PR_ACTIONS:
        return skipped(f"pull_request action {action!r} is not mapped")
    if not isinstance(pr, dict) or not repository:
        raise MappingError("pull_request payload lacks pull_request or repository.full_name")
    head, base = pr.get("head") or {}, pr.get("base") or {}
    branch = head.get("ref") or ""
    merged = bool(pr.get("merged"))
    closed = pr.get("state") == "closed"
    status = "merged" if merged else "closed" if closed else "draft" if pr.get("draft") else "open"
    pr_url = pr.get("html_url")
    if not pr_url or not branch or not isinstance(pr.get("number"), int):
        raise MappingError("pull_request payload lacks number, html_url or head.ref")

    task_id = task_reference(branch, pr.get("title"), pr.get("body"))
    if task_id is not None and await _one(conn, "task_exists", {"id": task_id}) is None:
        raise MappingError(f"the pull request names task {task_id}, which does not exist")
    if task_id is None:
        task_id = await _one(conn, "task_by_pr_url", {"url": pr_url})

    merged_at = _timestamp(pr.get("merged_at")) if merged else None
    closed_at = (_timestamp(pr.get("closed_at")) or merged_at) if closed or merged else None
    cur = await conn.execute(
        QUERIES["upsert_pull_request"],
        {
            "repository": repository,
            "pr_number": pr["number"],
            "pr_url": pr_url,
            "title": (pr.get("title") or None) and pr["title"][:500],
            "source_branch": branch[:255],
            "target_branch": (base.get("ref") or "main")[:255],
            "author": ((pr.get("user") or {}).get("login") or None),
            "task_id": task_id,
            "status": status,
            "head_sha": _sha(head.get("sha")),
            "merge_commit_sha": _sha(pr.get("merge_commit_sha")) if merged else None,
            "additions": _count(pr.get("additions")),
            "deletions": _count(pr.get("deletions")),
            "changed_files": _count(pr.get("changed_files")),
            "labels": [
                label["name"][:100]
                for label in pr.get("labels") or []
                if isinstance(label, dict) and label.get("name")
            ][:100],
            "merged_at": merged_at,
            "merged_by": ((pr.get("merged_by") or {}).get("login") or None) if merged else None,
            "closed_at": closed_at,
        },
    )
    row = await cur.fetchone()
    assert row is not None
    pull_request_id, linked_task = row
    if linked_task is None:
        return Outcome("processed", None, pull_request_id, {"note": "no task linked"})
    await conn.execute(
        QUERIES["link_task_to_pr"],
        {
            "task_id": linked_task,
            "pr_url": pr_url,
            "merged": merged,
            "to_review": action in TO_REVIEW and status == "open",
        },
    )
    return Outcome("processed", linked_task, pull_request_id)


async def linear_issue(conn: AsyncConnection[Any], event: StoredEvent) -> Outcome:
    payload = event.payload if isinstance(event.payload, dict) else {}
    if event.action not in ("create", "update"):
        return skipped(f"Issue action {event.action!r} is not mapped")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise MappingError("Issue payload lacks data")
    issue_ids = [str(v) for v in (data.get("id"), data.get("identifier")) if v]
    if not issue_ids:
        raise MappingError("Issue payload lacks data.id and data.identifier")
    state = data.get("state") if isinstance(data.get("state"), dict) else {}
    title = data.get("title") if isinstance(data.get("title"), str) else None
    cur = await conn.execute(
        QUERIES["update_task_from_linear"],
        {
            "issue_ids": issue_ids,
            "title": title[:500] if title else None,
            "status": LINEAR_STATES.get(str(state.get("type", "")).lower()),
        },
    )
    rows = await cur.fetchall()
    if not rows:
        return skipped(f"no task is linked to Linear issue {' / '.join(issue_ids)}")
    return Outcome("processed", rows[0][0], None, {"task_ids": [str(r[0]) for r in rows]})


MAPPERS: dict[tuple[str, str], Mapper] = {
    ("github", "pull_request"): github_pull_request,
    ("linear", "Issue"): linear_issue,
}
