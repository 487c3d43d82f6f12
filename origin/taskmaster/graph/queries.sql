-- Named statements of the task graph (loaded by taskmaster.db.sql.load_queries).
--
-- The graph: task_dependencies(task_id, depends_on_task_id, dependency_type). Ordering edges are
-- read as (dependent, prerequisite): 'A depends_on B' is (A, B); 'A blocks B' is (B, A), i.e. B
-- depends on A; 'related' orders nothing. Both directions of every walk are index lookups:
-- task_dependencies_unique_edge leads with task_id, task_dependencies_depends_on_type_idx with
-- (depends_on_task_id, dependency_type) and covers task_id. Readiness is not walked at all: the
-- triggers of migration add_task_open_prerequisites keep tasks.open_prerequisites.

-- fragment: prerequisites_of_walk
-- The prerequisites of walk.id (for a LATERAL join inside a recursive walk).
SELECT d.depends_on_task_id AS prerequisite FROM task_dependencies d
WHERE d.task_id = walk.id AND d.dependency_type = 'depends_on'
UNION ALL
SELECT d.task_id FROM task_dependencies d
WHERE d.depends_on_task_id = walk.id AND d.dependency_type = 'blocks'

-- fragment: prerequisites_completed
-- Every prerequisite of task t is completed (only 'completed' satisfies a dependency). The count is
-- kept by triggers (migration add_task_open_prerequisites); blockers walks the edges themselves.
t.open_prerequisites = 0

-- fragment: claimable
-- Task t may be leased: pending and not under a live lease, or in progress under an expired one
-- (its agent went away). A live lease of the same agent is handled by the statements that allow it.
t.status IN ('pending', 'in_progress')
AND CASE t.status WHEN 'pending' THEN coalesce(t.lease_expires_at <= now(), true)
                  ELSE coalesce(t.lease_expires_at <= now(), false) END

-- fragment: ready_filter
-- Ready for the asking agent: claimable, unblocked, and assigned to it or to nobody (any task
-- when no assignee is given).
{{claimable}}
AND (%(assignee)s::text IS NULL OR t.assigned_to IS NULL OR t.assigned_to = %(assignee)s)
AND {{prerequisites_completed}}

-- fragment: ready_order
-- Priority, then how many unfinished tasks wait directly on this one, then age. (Subtasks of
-- in-progress parents come before all of these: the service asks the *_active_child statement
-- first.) The leading priority and the tail (created_at, id) come presorted from the partial
-- ready-queue indexes, so the sort is incremental and the counts are only computed for the
-- ready tasks of the best priority level.
t.priority DESC,
(SELECT count(*) FROM task_dependencies d JOIN tasks x ON x.id = d.task_id
  WHERE d.depends_on_task_id = t.id AND d.dependency_type = 'depends_on'
    AND x.status NOT IN ('completed', 'cancelled'))
+ (SELECT count(*) FROM task_dependencies d JOIN tasks x ON x.id = d.depends_on_task_id
  WHERE d.task_id = t.id AND d.dependency_type = 'blocks'
    AND x.status NOT IN ('completed', 'cancelled')) DESC,
t.created_at, t.id

-- fragment: active_child
-- t is a subtask of an in-progress parent.
EXISTS (SELECT 1 FROM tasks parent WHERE parent.id = t.parent_task_id
        AND parent.status = 'in_progress')

-- name: lock_dependency_graph
-- One transaction-scoped lock over every ordering-edge write (see service.add_dependency).
SELECT pg_advisory_xact_lock(hashtext('taskmaster:task_dependency_graph'));

-- name: check_ordering_edge
-- Before adding "%(goal)s depends on %(start)s": does that order exist already, in either spelling
-- (A depends_on B = B blocks A), and would it close a cycle, i.e. does a walk over prerequisites
-- from %(start)s reach %(goal)s? UNION visits each task once; EXISTS stops the (lazily evaluated)
-- walk at the first hit.
SELECT
    EXISTS (
        SELECT 1 FROM task_dependencies
        WHERE (task_id, depends_on_task_id, dependency_type) IN (
            (%(goal)s::uuid, %(start)s::uuid, 'depends_on'),
            (%(start)s::uuid, %(goal)s::uuid, 'blocks'))
    ),
    EXISTS (
        WITH RECURSIVE walk (id) AS (
            SELECT %(start)s::uuid
            UNION
            SELECT e.prerequisite FROM walk CROSS JOIN LATERAL ({{prerequisites_of_walk}}) e
        )
        SELECT 1 FROM walk WHERE id = %(goal)s
    );

-- name: reachable_edges
-- Every ordering edge reachable from %(start)s (only run to spell out a cycle that was found).
WITH RECURSIVE walk (id) AS (
    SELECT %(start)s::uuid
    UNION
    SELECT e.prerequisite FROM walk CROSS JOIN LATERAL ({{prerequisites_of_walk}}) e
)
SELECT walk.id, e.prerequisite FROM walk CROSS JOIN LATERAL ({{prerequisites_of_walk}}) e;

-- The four "next" statements below exist once per scope: the service expands /*scope*/ into
-- "t.project_id = %(project_id)s" (…:project) or "true" (…:any), so each prepared statement has
-- one plan that fits it (an "IS NULL OR" filter would defeat the project index).

-- name: next_active_child
-- The best ready subtask of an in-progress parent.
SELECT {{task_columns}} FROM tasks WHERE id = (
    SELECT t.id FROM tasks t
    WHERE /*scope*/ AND tenancy_allows(t.project_id) AND t.parent_task_id IS NOT NULL AND {{active_child}} AND {{ready_filter}}
    ORDER BY {{ready_order}}
    LIMIT 1
);

-- name: next_ready
-- The best ready task.
SELECT {{task_columns}} FROM tasks WHERE id = (
    SELECT t.id FROM tasks t
    WHERE /*scope*/ AND tenancy_allows(t.project_id) AND {{ready_filter}}
    ORDER BY {{ready_order}}
    LIMIT 1
);

-- name: claim_active_child
-- Lease the best ready subtask of an in-progress parent that nobody is locking right now (see
-- claim_ready).
WITH target AS (
    SELECT t.id AS target_id FROM tasks t
    WHERE /*scope*/ AND tenancy_allows(t.project_id) AND t.parent_task_id IS NOT NULL AND {{active_child}} AND {{ready_filter}}
    ORDER BY {{ready_order}}
    LIMIT 1
    FOR UPDATE OF t SKIP LOCKED
)
UPDATE tasks SET status = 'in_progress', lease_owner = %(agent)s,
                 lease_expires_at = now() + make_interval(secs => %(ttl_seconds)s)
FROM target WHERE tasks.id = target.target_id
RETURNING {{task_columns}};

-- name: claim_ready
-- Lease the best ready task nobody is locking right now. Locked rows are skipped, not waited
-- for, so concurrent claimers spread over the ready tasks; a row that another claimer committed
-- meanwhile is re-checked against the filter (READ COMMITTED) and dropped.
WITH target AS (
    SELECT t.id AS target_id FROM tasks t
    WHERE /*scope*/ AND tenancy_allows(t.project_id) AND {{ready_filter}}
    ORDER BY {{ready_order}}
    LIMIT 1
    FOR UPDATE OF t SKIP LOCKED
)
UPDATE tasks SET status = 'in_progress', lease_owner = %(agent)s,
                 lease_expires_at = now() + make_interval(secs => %(ttl_seconds)s)
FROM target WHERE tasks.id = target.target_id
RETURNING {{task_columns}};

-- name: claim_task
-- Lease one task: claimable (or already leased to this agent), every prerequisite completed.
WITH target AS (
    SELECT t.id AS target_id FROM tasks t
    WHERE t.id = %(id)s AND tenancy_allows(t.project_id)
      AND ({{claimable}} OR (t.status = 'in_progress' AND t.lease_owner = %(agent)s))
      AND {{prerequisites_completed}}
    FOR UPDATE SKIP LOCKED
)
UPDATE tasks SET status = 'in_progress', lease_owner = %(agent)s,
                 lease_expires_at = now() + make_interval(secs => %(ttl_seconds)s)
FROM target WHERE tasks.id = target.target_id
RETURNING {{task_columns}};

-- name: lease_state
-- Why a claim, heartbeat or release touched nothing.
SELECT t.status, t.lease_owner, coalesce(t.lease_expires_at > now(), false) AS lease_live,
       t.open_prerequisites > 0 AS blocked
FROM tasks t WHERE t.id = %(id)s AND tenancy_allows(t.project_id);

-- name: heartbeat_task
-- The lease holder extends its lease (also after expiry, as long as nobody else took it).
UPDATE tasks SET lease_expires_at = now() + make_interval(secs => %(ttl_seconds)s)
WHERE id = %(id)s AND tenancy_allows(project_id) AND lease_owner = %(agent)s AND status = 'in_progress'
RETURNING {{task_columns}};

-- name: release_task
-- The lease holder gives the task back: no lease, and pending again if it was in progress.
UPDATE tasks SET lease_owner = NULL, lease_expires_at = NULL,
                 status = CASE WHEN status = 'in_progress' THEN 'pending' ELSE status END
WHERE id = %(id)s AND tenancy_allows(project_id) AND lease_owner = %(agent)s
RETURNING {{task_columns}};

-- name: get_task
SELECT {{task_columns}} FROM tasks WHERE id = %(id)s AND tenancy_allows(project_id);

-- name: blockers
-- What stands between a task and being ready: its unfinished prerequisites, theirs, and so on
-- (the walk stops at completed tasks). depth = the shortest distance; 1 = a direct prerequisite.
-- UNION over (id, depth) terminates on a DAG; the depth bound also stops it on a corrupt cycle.
WITH RECURSIVE walk (id, depth) AS (
    SELECT e.prerequisite, 1
    FROM (SELECT %(id)s::uuid AS id) walk CROSS JOIN LATERAL ({{prerequisites_of_walk}}) e
    UNION
    SELECT e.prerequisite, walk.depth + 1
    FROM walk
    JOIN tasks w ON w.id = walk.id AND w.status <> 'completed'
    CROSS JOIN LATERAL ({{prerequisites_of_walk}}) e
    WHERE walk.depth < %(max_depth)s
)
SELECT t.id, t.title, t.status, t.priority, t.assigned_to, t.lease_owner, t.lease_expires_at,
       min(walk.depth) AS depth
FROM walk JOIN tasks t ON t.id = walk.id
WHERE t.status <> 'completed'
GROUP BY t.id
ORDER BY depth, t.priority DESC, t.created_at, t.id
LIMIT %(limit)s;

-- name: project_exists
SELECT EXISTS (SELECT 1 FROM projects WHERE id = %(project_id)s AND tenancy_allows(id));

-- name: project_edges
-- Every dependency row with at least one end in the project, and whether each end exists (an end
-- can only be missing if the foreign keys were bypassed, e.g. by a restore with
-- session_replication_role = replica). Two index-driven halves instead of one OR.
WITH touching AS (
    SELECT d.id FROM tasks t JOIN task_dependencies d ON d.task_id = t.id
    WHERE t.project_id = %(project_id)s
    UNION
    SELECT d.id FROM tasks t JOIN task_dependencies d ON d.depends_on_task_id = t.id
    WHERE t.project_id = %(project_id)s
)
SELECT d.id, d.task_id, d.depends_on_task_id, d.dependency_type, d.metadata, d.created_at,
       a.id IS NOT NULL AS task_exists, b.id IS NOT NULL AS depends_on_exists
FROM touching JOIN task_dependencies d ON d.id = touching.id
LEFT JOIN tasks a ON a.id = d.task_id
LEFT JOIN tasks b ON b.id = d.depends_on_task_id
ORDER BY d.created_at, d.id;

-- name: delete_edges
DELETE FROM task_dependencies WHERE id = ANY(%(ids)s) RETURNING id;

-- name: open_tasks
-- The project's unfinished tasks (completed and cancelled work adds no time), estimate 0 if unset.
SELECT id, title, status, coalesce(estimated_hours, 0)::float8
FROM tasks
WHERE project_id = %(project_id)s AND status NOT IN ('completed', 'cancelled')
ORDER BY created_at, id;

-- name: project_ordering_edges
-- (dependent, prerequisite) pairs whose dependent side is a task of the project.
SELECT d.task_id, d.depends_on_task_id
FROM tasks t JOIN task_dependencies d ON d.task_id = t.id AND d.dependency_type = 'depends_on'
WHERE t.project_id = %(project_id)s
UNION ALL
SELECT d.depends_on_task_id, d.task_id
FROM tasks t JOIN task_dependencies d ON d.depends_on_task_id = t.id AND d.dependency_type = 'blocks'
WHERE t.project_id = %(project_id)s;

-- name: unknown_projects
-- The ids among %(ids)s that name no project (batch validation before the insert).
SELECT u.id FROM unnest(%(ids)s::uuid[]) AS u (id)
WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = u.id);

-- name: lock_parent
SELECT id FROM tasks WHERE id = %(id)s AND tenancy_allows(project_id) FOR SHARE;
