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

-- fragment: assignee_filter
-- Assigned to the asking agent or to nobody (any task when no assignee is given). A row filter on
-- the claim queue: tasks assigned to other agents are the only entries it reads in vain.
(%(assignee)s::text IS NULL OR t.assigned_to IS NULL OR t.assigned_to = %(assignee)s)

-- fragment: lapsed_candidates
-- In progress under a lease that lapsed (its agent went away), taken back before fresh work: it
-- was started already. Read from tasks_[project_]lease_due_idx (leases only, by due time), so
-- when nothing lapsed this is one index probe. The status is tested as "IS TRUE" on purpose: a
-- row filter that no status index serves, so that no statistics can make PostgreSQL walk every
-- in-progress task instead (migration narrow_task_lease_due_indexes).
SELECT t.id FROM tasks t
WHERE (t.status = 'in_progress') IS TRUE AND t.lease_expires_at <= now()
  AND /*scope*/ AND {{assignee_filter}} AND t.open_prerequisites = 0
  AND tenancy_allows(t.project_id)
ORDER BY t.lease_expires_at

-- fragment: fresh_candidates
-- The claim queue in the ready order: subtasks of in-progress parents first, then priority, then
-- the number of unfinished tasks waiting directly on it, then age. Every key is a column
-- (migration add_task_claim_queue keeps them), so tasks_[project_]claim_queue_idx yields the
-- candidates presorted and the scan stops after the first few (no sort of the ready set). A
-- pending task under a live lease (a status moved back by hand) is the one row filtered out.
SELECT t.id FROM tasks t
WHERE t.status = 'pending' AND t.open_prerequisites = 0
  AND /*scope*/ AND {{assignee_filter}}
  AND (t.lease_expires_at IS NULL OR t.lease_expires_at <= now())
  AND tenancy_allows(t.project_id)
ORDER BY t.parent_active DESC, t.priority DESC, t.open_dependants DESC, t.created_at, t.id

-- fragment: claim_candidates
-- The CTEs of a claim: up to %(count)s tasks nobody is locking right now, locked, numbered in
-- the order they are leased (candidate_id; rank, best first). Locked rows are skipped, not
-- waited for, so concurrent claimers spread over the head of the queue instead of queueing on
-- its first row; a row another claimer committed meanwhile is re-checked against the filter
-- (READ COMMITTED) and dropped. LIMIT over the UNION ALL pulls lazily: fresh candidates are
-- only read (and locked) when lapsed leases do not fill the count.
lapsed AS (
    {{lapsed_candidates}}
    LIMIT %(count)s
    FOR UPDATE OF t SKIP LOCKED
), fresh AS (
    {{fresh_candidates}}
    LIMIT %(count)s
    FOR UPDATE OF t SKIP LOCKED
), candidates AS (
    SELECT u.id AS candidate_id, row_number() OVER () AS rank FROM (
        (SELECT id FROM lapsed) UNION ALL (SELECT id FROM fresh) LIMIT %(count)s
    ) u
)

-- fragment: leased_columns
-- A leased task: the task, then its fencing token.
{{task_columns}}, lease_token

-- fragment: leased_json_columns
-- A leased task as the API writes it (for row_to_json, as GET /tasks/{id} renders a task): the
-- fields of schemas.LeasedTask, in order.
{{task_json_columns}}, lease_token

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

-- The "next" statements below exist once per scope: the service expands /*scope*/ into
-- "t.project_id = %(project_id)s" (…:project) or "true" (…:any), so each prepared statement has
-- one plan that fits it (an "IS NULL OR" filter would defeat the project index).

-- name: next_ready
-- The best ready task (what claim_next would lease now, without locking anything).
SELECT {{task_columns}} FROM tasks WHERE id = (
    SELECT c.id FROM (
        (SELECT lapsed.id FROM ({{lapsed_candidates}} LIMIT 1) lapsed)
        UNION ALL
        (SELECT fresh.id FROM ({{fresh_candidates}} LIMIT 1) fresh)
    ) c
    LIMIT 1
);

-- name: claim_next
-- Lease up to %(count)s of the best ready tasks nobody is locking right now, in one statement
-- (claim_candidates). rank: their order (best first); the UPDATE's own output order is
-- unspecified.
-- Each leased task comes back as its version (the ETag of a single claim) and its JSON, rendered
-- here: the origin splices it into the answer instead of decoding and re-encoding a wide row.
-- write_context: the audit context, set by the statement itself (Session.write_one).
WITH {{write_context}}, {{claim_candidates}}
UPDATE tasks SET status = 'in_progress', lease_owner = %(agent)s,
                 lease_expires_at = now() + make_interval(secs => %(ttl_seconds)s),
                 lease_token = tasks.lease_token + 1
FROM candidates CROSS JOIN write_context WHERE tasks.id = candidates.candidate_id
RETURNING candidates.rank, tasks.version,
          (SELECT row_to_json(leased)::text FROM (SELECT {{leased_json_columns}}) AS leased);

-- name: claim_group
-- The claims of several requests that share a key, a tenancy, a project, an assignee and a lease
-- length (graph/claim_groups.py), leased in one statement as a batch of %(count)s is: the best
-- tasks to the first request (as many as it asked for), the next best to the second, and so on.
-- %(agents)s and %(request_ids)s name each task's request, one entry per task asked for, in
-- that order (%(count)s of each). Each
-- leased task's audit row names its own request: app.claim_requests maps task ids to request
-- ids for log_row_update() (migration claim_group_requests); the statement's own request id,
-- for rows its triggers change besides, is empty. Answers as claim_next: rank, version, JSON.
WITH {{write_context}}, asks AS MATERIALIZED (
    SELECT a.agent, a.request_id, a.rank
    FROM unnest(%(agents)s::text[], %(request_ids)s::text[])
         WITH ORDINALITY AS a (agent, request_id, rank)
), {{claim_candidates}}, target AS MATERIALIZED (
    SELECT c.candidate_id AS target_id, asks.agent, asks.request_id, asks.rank
    FROM candidates c JOIN asks ON asks.rank = c.rank
), answered AS MATERIALIZED (
    SELECT set_config('app.claim_requests',
                      coalesce(jsonb_object_agg(target_id, request_id), '{}')::text, true)
    FROM target
)
UPDATE tasks SET status = 'in_progress', lease_owner = target.agent,
                 lease_expires_at = now() + make_interval(secs => %(ttl_seconds)s),
                 lease_token = tasks.lease_token + 1
FROM target CROSS JOIN write_context CROSS JOIN answered WHERE tasks.id = target.target_id
RETURNING target.rank, tasks.version,
          (SELECT row_to_json(leased)::text FROM (SELECT {{leased_json_columns}}) AS leased);

-- name: claim_task
-- Lease one task: claimable (or already leased to this agent), every prerequisite completed.
-- Every claim is a new lease: a new fencing token.
WITH target AS (
    SELECT t.id AS target_id FROM tasks t
    WHERE t.id = %(id)s AND tenancy_allows(t.project_id)
      AND ({{claimable}} OR (t.status = 'in_progress' AND t.lease_owner = %(agent)s))
      AND {{prerequisites_completed}}
    FOR UPDATE SKIP LOCKED
)
UPDATE tasks SET status = 'in_progress', lease_owner = %(agent)s,
                 lease_expires_at = now() + make_interval(secs => %(ttl_seconds)s),
                 lease_token = tasks.lease_token + 1
FROM target WHERE tasks.id = target.target_id
RETURNING {{leased_columns}};

-- name: lease_state
-- Why a claim, heartbeat, release or fenced status change touched nothing.
SELECT t.status, t.lease_owner, coalesce(t.lease_expires_at > now(), false) AS lease_live,
       t.open_prerequisites > 0 AS blocked, t.lease_token, t.version
FROM tasks t WHERE t.id = %(id)s AND tenancy_allows(t.project_id);

-- fragment: holds_lease
-- The caller holds the task's lease: by agent name, and by the current token when it gives one
-- (callers that give none are trusted by name alone, as before tokens existed).
lease_owner = %(agent)s AND (%(lease_token)s::bigint IS NULL OR lease_token = %(lease_token)s)

-- name: heartbeat_task
-- The lease holder extends its lease (also after expiry, as long as nobody else took it).
WITH {{write_context}}
UPDATE tasks SET lease_expires_at = now() + make_interval(secs => %(ttl_seconds)s)
FROM write_context
WHERE id = %(id)s AND tenancy_allows(project_id) AND {{holds_lease}} AND status = 'in_progress'
RETURNING {{leased_columns}};

-- name: release_task
-- The lease holder gives the task back: no lease, and pending again if it was in progress.
WITH {{write_context}}
UPDATE tasks SET lease_owner = NULL, lease_expires_at = NULL,
                 status = CASE WHEN status = 'in_progress' THEN 'pending' ELSE status END
FROM write_context
WHERE id = %(id)s AND tenancy_allows(project_id) AND {{holds_lease}}
RETURNING {{task_columns}};

-- name: change_status_fenced
-- POST/PATCH …/status with X-Lease-Token: tasks.change_task_status, applied only while that token
-- is the task's current lease (a holder whose lease lapsed and was taken over has an older one).
WITH {{write_context}}, previous AS (
    SELECT id AS task_id, status AS old_status FROM tasks CROSS JOIN write_context
    WHERE id = %(id)s AND tenancy_allows(project_id) AND lease_owner IS NOT NULL
      AND lease_token = %(lease_token)s
    FOR UPDATE OF tasks
), changed AS (
    UPDATE tasks SET status = %(status)s
    FROM previous
    WHERE tasks.id = previous.task_id
      AND tasks.lease_owner IS NOT NULL AND tasks.lease_token = %(lease_token)s
      AND (%(if_version)s::bigint IS NULL OR tasks.version = %(if_version)s)
    RETURNING previous.old_status, {{task_columns}}
), {{record_status_change}};

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
