-- Named statements for pull requests (loaded by taskmaster.db.sql.load_queries).

-- fragment: pull_request_columns
-- The select list of a pull request; its order is the field order of schemas.PullRequest.
id, project_id, task_id, workflow_id, repository, pr_number, pr_url, title, source_branch,
target_branch, author, status, merge_state, review_status, ci_status, head_sha, merge_commit_sha,
additions, deletions, changed_files, labels, merged_at, merged_by, closed_at, metadata, version,
created_at, updated_at

-- name: get_pull_request
SELECT {{pull_request_columns}} FROM pull_requests WHERE id = %(id)s AND tenancy_allows(project_id);

-- name: insert_pull_request
INSERT INTO pull_requests (
    repository, pr_number, pr_url, source_branch, target_branch, title, author, project_id, task_id,
    workflow_id, status, merge_state, review_status, ci_status, head_sha, merge_commit_sha,
    additions, deletions, changed_files, labels, merged_at, merged_by, closed_at, metadata
) VALUES (
    %(repository)s, %(pr_number)s, %(pr_url)s, %(source_branch)s, %(target_branch)s, %(title)s,
    %(author)s, %(project_id)s, %(task_id)s, %(workflow_id)s, %(status)s, %(merge_state)s,
    %(review_status)s, %(ci_status)s, %(head_sha)s, %(merge_commit_sha)s, %(additions)s,
    %(deletions)s, %(changed_files)s, %(labels)s, %(merged_at)s, %(merged_by)s, %(closed_at)s,
    %(metadata)s
)
RETURNING {{pull_request_columns}};

-- name: replace_pull_request
UPDATE pull_requests SET
    repository = %(repository)s,
    pr_number = %(pr_number)s,
    pr_url = %(pr_url)s,
    source_branch = %(source_branch)s,
    target_branch = %(target_branch)s,
    title = %(title)s,
    author = %(author)s,
    project_id = %(project_id)s,
    task_id = %(task_id)s,
    workflow_id = %(workflow_id)s,
    status = %(status)s,
    merge_state = %(merge_state)s,
    review_status = %(review_status)s,
    ci_status = %(ci_status)s,
    head_sha = %(head_sha)s,
    merge_commit_sha = %(merge_commit_sha)s,
    additions = %(additions)s,
    deletions = %(deletions)s,
    changed_files = %(changed_files)s,
    labels = %(labels)s,
    merged_at = %(merged_at)s,
    merged_by = %(merged_by)s,
    closed_at = %(closed_at)s,
    metadata = %(metadata)s
WHERE id = %(id)s AND tenancy_allows(project_id) AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING {{pull_request_columns}};

-- name: patch_pull_request
-- PATCH: only the columns named in %(fields)s change.
UPDATE pull_requests SET
    repository = CASE WHEN 'repository' = ANY(%(fields)s) THEN %(repository)s ELSE repository END,
    pr_number = CASE WHEN 'pr_number' = ANY(%(fields)s) THEN %(pr_number)s ELSE pr_number END,
    pr_url = CASE WHEN 'pr_url' = ANY(%(fields)s) THEN %(pr_url)s ELSE pr_url END,
    source_branch = CASE WHEN 'source_branch' = ANY(%(fields)s) THEN %(source_branch)s ELSE source_branch END,
    target_branch = CASE WHEN 'target_branch' = ANY(%(fields)s) THEN %(target_branch)s ELSE target_branch END,
    title = CASE WHEN 'title' = ANY(%(fields)s) THEN %(title)s ELSE title END,
    author = CASE WHEN 'author' = ANY(%(fields)s) THEN %(author)s ELSE author END,
    project_id = CASE WHEN 'project_id' = ANY(%(fields)s) THEN %(project_id)s ELSE project_id END,
    task_id = CASE WHEN 'task_id' = ANY(%(fields)s) THEN %(task_id)s ELSE task_id END,
    workflow_id = CASE WHEN 'workflow_id' = ANY(%(fields)s) THEN %(workflow_id)s ELSE workflow_id END,
    status = CASE WHEN 'status' = ANY(%(fields)s) THEN %(status)s ELSE status END,
    merge_state = CASE WHEN 'merge_state' = ANY(%(fields)s) THEN %(merge_state)s ELSE merge_state END,
    review_status = CASE WHEN 'review_status' = ANY(%(fields)s) THEN %(review_status)s ELSE review_status END,
    ci_status = CASE WHEN 'ci_status' = ANY(%(fields)s) THEN %(ci_status)s ELSE ci_status END,
    head_sha = CASE WHEN 'head_sha' = ANY(%(fields)s) THEN %(head_sha)s ELSE head_sha END,
    merge_commit_sha = CASE WHEN 'merge_commit_sha' = ANY(%(fields)s) THEN %(merge_commit_sha)s ELSE merge_commit_sha END,
    additions = CASE WHEN 'additions' = ANY(%(fields)s) THEN %(additions)s ELSE additions END,
    deletions = CASE WHEN 'deletions' = ANY(%(fields)s) THEN %(deletions)s ELSE deletions END,
    changed_files = CASE WHEN 'changed_files' = ANY(%(fields)s) THEN %(changed_files)s ELSE changed_files END,
    labels = CASE WHEN 'labels' = ANY(%(fields)s) THEN %(labels)s ELSE labels END,
    merged_at = CASE WHEN 'merged_at' = ANY(%(fields)s) THEN %(merged_at)s ELSE merged_at END,
    merged_by = CASE WHEN 'merged_by' = ANY(%(fields)s) THEN %(merged_by)s ELSE merged_by END,
    closed_at = CASE WHEN 'closed_at' = ANY(%(fields)s) THEN %(closed_at)s ELSE closed_at END,
    metadata = CASE WHEN 'metadata' = ANY(%(fields)s) THEN %(metadata)s ELSE metadata END
WHERE id = %(id)s AND tenancy_allows(project_id) AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING {{pull_request_columns}};

-- name: delete_pull_request
DELETE FROM pull_requests
WHERE id = %(id)s AND tenancy_allows(project_id) AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING id;
