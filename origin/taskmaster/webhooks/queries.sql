-- Named statements for webhooks in (loaded by taskmaster.db.sql.load_queries).

-- name: insert_event
-- Store a verified delivery; a redelivery (same provider and delivery id) inserts nothing.
INSERT INTO webhook_events (
    provider, delivery_id, event_type, action, payload, headers, signature, signature_valid,
    max_processing_attempts
) VALUES (
    %(provider)s, %(delivery_id)s, %(event_type)s, %(action)s, %(payload)s, %(headers)s,
    %(signature)s, true, %(max_attempts)s
)
ON CONFLICT ON CONSTRAINT webhook_events_provider_delivery_key DO NOTHING
RETURNING id, status;

-- name: get_event_by_delivery
SELECT id, status FROM webhook_events
WHERE provider = %(provider)s AND delivery_id = %(delivery_id)s;

-- name: claim_due_events
-- The due events, oldest first, locked for this transaction; rows other workers hold are skipped.
-- Served by the partial index webhook_events_due_idx.
SELECT id, provider, delivery_id, event_type, action, payload, processing_attempts,
       max_processing_attempts
FROM webhook_events
WHERE status IN ('pending', 'failed') AND (next_retry_at IS NULL OR next_retry_at <= now())
ORDER BY next_retry_at NULLS FIRST, created_at
LIMIT %(limit)s
FOR UPDATE SKIP LOCKED;

-- name: set_audit_request_id
-- Task changes made by the processor are audited under the delivery (no API key acts).
SELECT set_config('app.request_id', %(request_id)s, true);

-- name: finish_event
-- A mapping that succeeded (processed) or had nothing to do (skipped).
UPDATE webhook_events SET
    status = %(status)s,
    processing_attempts = processing_attempts + 1,
    processed_at = now(),
    next_retry_at = NULL,
    task_id = %(task_id)s,
    pull_request_id = %(pull_request_id)s,
    metadata = metadata || %(metadata)s
WHERE id = %(id)s;

-- name: fail_event
-- A mapping that failed: retried at now + delay, or dead-lettered once out of attempts.
UPDATE webhook_events SET
    processing_attempts = processing_attempts + 1,
    status = CASE WHEN processing_attempts + 1 >= max_processing_attempts
                  THEN 'dead_letter' ELSE 'failed' END,
    next_retry_at = CASE WHEN processing_attempts + 1 >= max_processing_attempts
                         THEN NULL ELSE now() + make_interval(secs => %(delay_s)s) END,
    processed_at = CASE WHEN processing_attempts + 1 >= max_processing_attempts
                        THEN now() END,
    last_error = %(error)s
WHERE id = %(id)s
RETURNING status;

-- name: task_exists
SELECT 1 FROM tasks WHERE id = %(id)s;

-- name: task_by_pr_url
SELECT id FROM tasks WHERE github_pr_url = %(url)s ORDER BY created_at LIMIT 1;

-- name: upsert_pull_request
-- The PR as GitHub describes it now; a task link, once known, is kept when a later event has none.
INSERT INTO pull_requests (
    repository, pr_number, pr_url, title, source_branch, target_branch, author, task_id,
    project_id, status, head_sha, merge_commit_sha, additions, deletions, changed_files, labels,
    merged_at, merged_by, closed_at
) VALUES (
    %(repository)s, %(pr_number)s, %(pr_url)s, %(title)s, %(source_branch)s, %(target_branch)s,
    %(author)s, %(task_id)s, (SELECT project_id FROM tasks WHERE id = %(task_id)s), %(status)s,
    %(head_sha)s, %(merge_commit_sha)s, %(additions)s, %(deletions)s, %(changed_files)s,
    %(labels)s, %(merged_at)s, %(merged_by)s, %(closed_at)s
)
ON CONFLICT ON CONSTRAINT pull_requests_repository_number_key DO UPDATE SET
    pr_url = EXCLUDED.pr_url,
    title = EXCLUDED.title,
    source_branch = EXCLUDED.source_branch,
    target_branch = EXCLUDED.target_branch,
    author = EXCLUDED.author,
    task_id = coalesce(EXCLUDED.task_id, pull_requests.task_id),
    project_id = coalesce(pull_requests.project_id, EXCLUDED.project_id),
    status = EXCLUDED.status,
    head_sha = coalesce(EXCLUDED.head_sha, pull_requests.head_sha),
    merge_commit_sha = coalesce(EXCLUDED.merge_commit_sha, pull_requests.merge_commit_sha),
    additions = coalesce(EXCLUDED.additions, pull_requests.additions),
    deletions = coalesce(EXCLUDED.deletions, pull_requests.deletions),
    changed_files = coalesce(EXCLUDED.changed_files, pull_requests.changed_files),
    labels = EXCLUDED.labels,
    merged_at = EXCLUDED.merged_at,
    merged_by = EXCLUDED.merged_by,
    closed_at = EXCLUDED.closed_at
RETURNING id, task_id;

-- name: link_task_to_pr
-- Record the PR on its task and move the task: merged → completed; opened/ready → review (only
-- from a not-yet-finished state); anything else leaves the status alone.
UPDATE tasks SET
    github_pr_url = %(pr_url)s,
    status = CASE
        WHEN %(merged)s THEN 'completed'
        WHEN %(to_review)s AND status IN ('pending', 'in_progress', 'blocked', 'deferred')
            THEN 'review'
        ELSE status END
WHERE id = %(task_id)s
RETURNING id;

-- name: update_task_from_linear
-- The task(s) linked to a Linear issue (by its id or its identifier, e.g. ENG-123).
UPDATE tasks SET
    title = coalesce(%(title)s, title),
    status = coalesce(%(status)s, status)
WHERE linear_issue_id = ANY(%(issue_ids)s)
RETURNING id;
