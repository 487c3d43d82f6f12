-- Named statements for the tasks resource (loaded by taskmaster.db.sql.load_queries).
-- Parameters are %(name)s placeholders; nothing here is ever formatted from input.

-- fragment: task_columns
-- The select list of a task; its order is the field order of schemas.Task.
id, project_id, parent_task_id, title, description, type, status, priority, complexity_score,
affected_files, requirements, acceptance_criteria, tags, assigned_to,
estimated_hours::float8 AS estimated_hours, actual_hours::float8 AS actual_hours,
linear_issue_id, github_pr_url, lease_owner, lease_expires_at, completed_at, total_subtasks,
completed_subtasks, metadata, version, created_at, updated_at

-- fragment: task_json_columns
-- A task's fields as the API writes them, for row_to_json (compact, in this order): the fields of
-- schemas.Task (pinned by tests/unit/test_task_columns.py), date-times through api_timestamp
-- (as msgspec writes them).
id, project_id, parent_task_id, title, description, type, status, priority, complexity_score,
affected_files, requirements, acceptance_criteria, tags, assigned_to,
estimated_hours::float8 AS estimated_hours, actual_hours::float8 AS actual_hours,
linear_issue_id, github_pr_url, lease_owner,
api_timestamp(lease_expires_at) AS lease_expires_at, api_timestamp(completed_at) AS completed_at,
total_subtasks, completed_subtasks, metadata, version,
api_timestamp(created_at) AS created_at, api_timestamp(updated_at) AS updated_at

-- name: get_task_json
-- GET /tasks/{id}: the version (for the ETag) and the task's JSON, which the origin sends as is
-- (no row decoding, no struct, no encoding on the hottest read).
SELECT task.version, row_to_json(task)::text
FROM (SELECT {{task_json_columns}} FROM tasks WHERE id = %(id)s AND tenancy_allows(project_id)) AS task;

-- fragment: record_status_change
-- Follows a CTE "changed" (an UPDATE … RETURNING the old status and the task's columns): records
-- the move as a status_change context and returns the task (also graph's change_status_fenced).
recorded AS (
    INSERT INTO task_contexts (task_id, context_type, context_data)
    SELECT id, 'status_change',
           jsonb_build_object('from', old_status, 'to', status, 'note', %(note)s::text)
    FROM changed
)
SELECT {{task_columns}} FROM changed

-- name: change_task_status
-- Moves the status and records the move as a status_change context, in one statement.
WITH previous AS (
    SELECT id AS task_id, status AS old_status FROM tasks WHERE id = %(id)s AND tenancy_allows(project_id) FOR UPDATE
), changed AS (
    UPDATE tasks SET status = %(status)s
    FROM previous
    WHERE tasks.id = previous.task_id
      AND (%(if_version)s::bigint IS NULL OR tasks.version = %(if_version)s)
    RETURNING previous.old_status, {{task_columns}}
), {{record_status_change}};

-- fragment: context_columns
-- The select list of a task context; its order is the field order of schemas.TaskContext.
id, task_id, context_type, context_data, metadata, created_at, updated_at

-- name: insert_context
-- Only under an existing task: no row back means the task does not exist (→ 404).
INSERT INTO task_contexts (task_id, context_type, context_data, metadata)
SELECT id, %(context_type)s, %(context_data)s, %(metadata)s FROM tasks WHERE id = %(task_id)s AND tenancy_allows(project_id)
RETURNING {{context_columns}};

-- fragment: dependency_columns
-- The select list of a dependency edge; its order is the field order of schemas.TaskDependency.
id, task_id, depends_on_task_id, dependency_type, metadata, created_at

-- name: insert_dependency
-- Only under an existing task (no row back → 404). The CHECK refuses a self-edge (422), the UNIQUE
-- constraint a duplicate edge (409), the FK an unknown depends_on_task_id (422).
INSERT INTO task_dependencies (task_id, depends_on_task_id, dependency_type, metadata)
SELECT id, %(depends_on_task_id)s, %(dependency_type)s, %(metadata)s FROM tasks WHERE id = %(task_id)s AND tenancy_allows(project_id)
RETURNING {{dependency_columns}};

-- name: delete_dependency
DELETE FROM task_dependencies WHERE id = %(id)s AND task_id = %(task_id)s
  AND tenancy_task_visible(task_id)
RETURNING {{dependency_columns}};
