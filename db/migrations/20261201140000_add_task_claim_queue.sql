-- migrate:up
-- Claims at constant cost (docs/task-graph.md "Claim queue"). Everything the ready order needs is
-- a column kept by triggers, so one partial index per scope *is* the ready order and holds only
-- claimable candidates; a claim reads a handful of its entries whatever the project's size:
--
--   parent_active    the task's parent is in progress (its subtasks come first)
--   open_dependants  unfinished (not completed/cancelled) tasks directly waiting on this one
--   lease_token      fencing token: +1 on every new lease; heartbeat, release and the status
--                    change accept only the current one, so a holder whose lease lapsed and was
--                    taken over cannot finish or overwrite the new holder's work
--
-- As with open_prerequisites (migration add_task_open_prerequisites), each edge row records
-- whether it is counted (dependent_open), counters move by relative updates (n = n ± k), and rows
-- written with triggers bypassed are put right with `SELECT recount_task_claim_order()`.
ALTER TABLE tasks
    ADD COLUMN open_dependants integer NOT NULL DEFAULT 0 CHECK (open_dependants >= 0),
    ADD COLUMN parent_active boolean NOT NULL DEFAULT false,
    ADD COLUMN lease_token bigint NOT NULL DEFAULT 0;
ALTER TABLE task_dependencies
    ADD COLUMN dependent_open boolean NOT NULL DEFAULT false;

-- Unfinished, for the dependants count (the order's definition since the ready queue existed).
CREATE FUNCTION task_status_unfinished(status text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT status NOT IN ('completed', 'cancelled');
$$;

-- ---- open_dependants ----------------------------------------------------------------------
-- An edge insert reads its dependent under FOR SHARE; a status change of the dependent holds its
-- row lock; so one waits for the other and the second sees the first's effect.
CREATE FUNCTION task_dependencies_mark_dependent_open() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    dependent_status text;
BEGIN
    IF NEW.dependency_type = 'related' THEN
        NEW.dependent_open := false;
        RETURN NEW;
    END IF;
    SELECT status INTO dependent_status FROM tasks
    WHERE id = task_dependency_dependent(NEW.dependency_type, NEW.task_id, NEW.depends_on_task_id)
    FOR SHARE;
    NEW.dependent_open := coalesce(task_status_unfinished(dependent_status), false);
    RETURN NEW;
END;
$$;
CREATE TRIGGER task_dependencies_mark_dependent_open
    BEFORE INSERT OR UPDATE OF task_id, depends_on_task_id, dependency_type ON task_dependencies
    FOR EACH ROW EXECUTE FUNCTION task_dependencies_mark_dependent_open();

CREATE FUNCTION task_dependencies_count_dependants() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.dependent_open THEN
        UPDATE tasks SET open_dependants = open_dependants - 1
        WHERE id = task_dependency_prerequisite(OLD.dependency_type, OLD.task_id,
                                                OLD.depends_on_task_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.dependent_open THEN
        UPDATE tasks SET open_dependants = open_dependants + 1
        WHERE id = task_dependency_prerequisite(NEW.dependency_type, NEW.task_id,
                                                NEW.depends_on_task_id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER task_dependencies_count_dependants
    AFTER INSERT OR DELETE OR UPDATE OF task_id, depends_on_task_id, dependency_type
    ON task_dependencies
    FOR EACH ROW EXECUTE FUNCTION task_dependencies_count_dependants();

-- A dependent that finishes (or is reopened) flips the edges it waits through and moves its
-- prerequisites' counters; prerequisites are locked in id order (two finishing dependents that
-- share prerequisites cannot deadlock on each other).
CREATE FUNCTION tasks_propagate_finished() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    now_open boolean := task_status_unfinished(NEW.status);
BEGIN
    WITH flipped AS (
        UPDATE task_dependencies d SET dependent_open = now_open
        WHERE ((d.task_id = NEW.id AND d.dependency_type = 'depends_on')
               OR (d.depends_on_task_id = NEW.id AND d.dependency_type = 'blocks'))
          AND d.dependent_open <> now_open
        RETURNING task_dependency_prerequisite(d.dependency_type, d.task_id, d.depends_on_task_id)
                  AS prerequisite
    ), counts AS (
        SELECT prerequisite, count(*)::integer AS n FROM flipped GROUP BY prerequisite
    ), locked AS (
        SELECT t.id FROM tasks t JOIN counts c ON c.prerequisite = t.id ORDER BY t.id
        FOR UPDATE OF t
    )
    UPDATE tasks t
    SET open_dependants = t.open_dependants + CASE WHEN now_open THEN c.n ELSE -c.n END
    FROM counts c
    WHERE t.id = c.prerequisite AND t.id IN (SELECT id FROM locked);
    RETURN NULL;
END;
$$;
CREATE TRIGGER tasks_propagate_finished AFTER UPDATE OF status ON tasks
    FOR EACH ROW
    WHEN (task_status_unfinished(OLD.status) IS DISTINCT FROM task_status_unfinished(NEW.status))
    EXECUTE FUNCTION tasks_propagate_finished();

-- ---- parent_active ------------------------------------------------------------------------
-- A new or moved subtask reads its parent under FOR SHARE (a parent's status change holds the
-- parent's row lock, so the two serialise as above).
CREATE FUNCTION tasks_mark_parent_active() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.parent_active := coalesce(
        (SELECT p.status = 'in_progress' FROM tasks p WHERE p.id = NEW.parent_task_id FOR SHARE),
        false);
    RETURN NEW;
END;
$$;
CREATE TRIGGER tasks_mark_parent_active_insert BEFORE INSERT ON tasks
    FOR EACH ROW WHEN (NEW.parent_task_id IS NOT NULL)
    EXECUTE FUNCTION tasks_mark_parent_active();
CREATE TRIGGER tasks_mark_parent_active_update BEFORE UPDATE OF parent_task_id ON tasks
    FOR EACH ROW WHEN (OLD.parent_task_id IS DISTINCT FROM NEW.parent_task_id)
    EXECUTE FUNCTION tasks_mark_parent_active();

CREATE FUNCTION tasks_propagate_parent_active() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    active boolean := NEW.status = 'in_progress';
BEGIN
    UPDATE tasks SET parent_active = active
    WHERE id IN (SELECT c.id FROM tasks c WHERE c.parent_task_id = NEW.id
                 AND c.parent_active <> active ORDER BY c.id FOR UPDATE);
    RETURN NULL;
END;
$$;
-- Only tasks that have subtasks (total_subtasks, kept by its own trigger): a claim of a plain task
-- costs no call. A subtask being added meanwhile holds the parent FOR SHARE, then moves the
-- parent's counter, so the parent's update sees that version and fires.
CREATE TRIGGER tasks_propagate_parent_active AFTER UPDATE OF status ON tasks
    FOR EACH ROW
    WHEN ((OLD.status = 'in_progress') IS DISTINCT FROM (NEW.status = 'in_progress')
          AND NEW.total_subtasks > 0)
    EXECUTE FUNCTION tasks_propagate_parent_active();

-- ---- bookkeeping is not a change of the task ----------------------------------------------
-- The counters move neither version (ETag) nor updated_at, nor make a task.updated event. (A
-- parent move changes parent_active in the same row: that one is a change.)
CREATE FUNCTION tasks_bookkeeping_only(o tasks, n tasks) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT (o.open_prerequisites IS DISTINCT FROM n.open_prerequisites
            OR o.open_dependants IS DISTINCT FROM n.open_dependants
            OR o.parent_active IS DISTINCT FROM n.parent_active)
           AND o.parent_task_id IS NOT DISTINCT FROM n.parent_task_id;
$$;
DROP TRIGGER tasks_bump_version ON tasks;
CREATE TRIGGER tasks_bump_version BEFORE UPDATE ON tasks
    FOR EACH ROW WHEN (NOT tasks_bookkeeping_only(OLD, NEW))
    EXECUTE FUNCTION bump_row_version();
DROP TRIGGER tasks_set_updated_at ON tasks;
CREATE TRIGGER tasks_set_updated_at BEFORE UPDATE ON tasks
    FOR EACH ROW WHEN (NOT tasks_bookkeeping_only(OLD, NEW))
    EXECUTE FUNCTION set_updated_at();

CREATE OR REPLACE FUNCTION tasks_record_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    events jsonb;
    quiet text[] := ARRAY['version', 'updated_at', 'total_subtasks', 'completed_subtasks',
                          'lease_owner', 'lease_expires_at', 'lease_token', 'open_dependants',
                          'parent_active'];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM event_subscriptions WHERE active) THEN
        RETURN NULL;  -- nobody listens: record nothing
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(jsonb_build_object(
                   'event_type', 'task.created', 'aggregate_type', 'task',
                   'aggregate_id', n.id, 'payload', to_jsonb(n), 'ord', 0))
        INTO events FROM new_rows n;
    ELSE
        SELECT jsonb_agg(jsonb_build_object(
                   'event_type', CASE
                       WHEN n.status = 'completed' AND o.status <> 'completed' THEN 'task.completed'
                       WHEN n.status = 'failed' AND o.status <> 'failed' THEN 'task.failed'
                       ELSE 'task.updated' END,
                   'aggregate_type', 'task', 'aggregate_id', n.id, 'payload', to_jsonb(n),
                   'ord', 0))
        INTO events
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE to_jsonb(n) - quiet IS DISTINCT FROM to_jsonb(o) - quiet;
    END IF;
    IF events IS NOT NULL THEN
        PERFORM record_outbound_events(events);
    END IF;
    RETURN NULL;
END;
$$;

-- ---- recount after a load that bypassed triggers -----------------------------------------
CREATE FUNCTION recount_task_claim_order() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    dependants bigint;
    parents bigint;
BEGIN
    UPDATE task_dependencies d SET dependent_open = x.open
    FROM (
        SELECT e.id, e.dependency_type <> 'related'
                     AND coalesce(task_status_unfinished(w.status), false) AS open
        FROM task_dependencies e
        LEFT JOIN tasks w
               ON w.id = task_dependency_dependent(e.dependency_type, e.task_id,
                                                   e.depends_on_task_id)
    ) x
    WHERE d.id = x.id AND d.dependent_open <> x.open;
    UPDATE tasks t SET open_dependants = x.n
    FROM (
        SELECT t2.id, count(d.id)::integer AS n
        FROM tasks t2
        LEFT JOIN task_dependencies d
               ON d.dependent_open
              AND task_dependency_prerequisite(d.dependency_type, d.task_id, d.depends_on_task_id)
                  = t2.id
        GROUP BY t2.id
    ) x
    WHERE t.id = x.id AND t.open_dependants <> x.n;
    GET DIAGNOSTICS dependants = ROW_COUNT;
    UPDATE tasks t SET parent_active = coalesce(p.status = 'in_progress', false)
    FROM tasks t2 LEFT JOIN tasks p ON p.id = t2.parent_task_id
    WHERE t.id = t2.id AND t.parent_active <> coalesce(p.status = 'in_progress', false);
    GET DIAGNOSTICS parents = ROW_COUNT;
    RETURN dependants + parents;
END;
$$;
SELECT recount_task_claim_order();

-- ---- the claim queue ----------------------------------------------------------------------
-- Its key is the ready order; its predicate keeps out everything a claim would skip (leased,
-- finished, blocked), so a claim's index scan starts at the best candidate. Leased tasks are
-- in_progress, hence out; an expired lease is found through tasks_lease_due_idx.
DROP INDEX tasks_ready_queue_idx;
DROP INDEX tasks_project_ready_queue_idx;
-- The global one (GET /tasks/next and claims without project_id) carries `lease_token >= 0`,
-- always true, stated only by the any-scope statements: a project's statement cannot pick it
-- (with a LIMIT, PostgreSQL would whenever it guesses the project's first task comes early in the
-- global order, and then filter its way through every other project's tasks).
CREATE INDEX tasks_claim_queue_idx
    ON tasks (parent_active DESC, priority DESC, open_dependants DESC, created_at, id)
    WHERE status = 'pending' AND open_prerequisites = 0 AND lease_token >= 0;
CREATE INDEX tasks_project_claim_queue_idx
    ON tasks (project_id, parent_active DESC, priority DESC, open_dependants DESC, created_at, id)
    WHERE status = 'pending' AND open_prerequisites = 0;
-- Due time of live and lapsed leases: the claim path and maintenance take lapsed ones back.
CREATE INDEX tasks_lease_due_idx ON tasks (lease_expires_at)
    WHERE status = 'in_progress' AND lease_expires_at IS NOT NULL;

-- migrate:down
DROP INDEX IF EXISTS tasks_lease_due_idx;
DROP INDEX IF EXISTS tasks_project_claim_queue_idx;
DROP INDEX IF EXISTS tasks_claim_queue_idx;
CREATE INDEX tasks_ready_queue_idx ON tasks (priority DESC, created_at, id)
    WHERE status IN ('pending', 'in_progress') AND open_prerequisites = 0;
CREATE INDEX tasks_project_ready_queue_idx ON tasks (project_id, priority DESC, created_at, id)
    WHERE status IN ('pending', 'in_progress') AND open_prerequisites = 0;
DROP FUNCTION IF EXISTS recount_task_claim_order();
CREATE OR REPLACE FUNCTION tasks_record_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    events jsonb;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM event_subscriptions WHERE active) THEN
        RETURN NULL;  -- nobody listens: record nothing
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(jsonb_build_object(
                   'event_type', 'task.created', 'aggregate_type', 'task',
                   'aggregate_id', n.id, 'payload', to_jsonb(n), 'ord', 0))
        INTO events FROM new_rows n;
    ELSE
        SELECT jsonb_agg(jsonb_build_object(
                   'event_type', CASE
                       WHEN n.status = 'completed' AND o.status <> 'completed' THEN 'task.completed'
                       WHEN n.status = 'failed' AND o.status <> 'failed' THEN 'task.failed'
                       ELSE 'task.updated' END,
                   'aggregate_type', 'task', 'aggregate_id', n.id, 'payload', to_jsonb(n),
                   'ord', 0))
        INTO events
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE to_jsonb(n) - ARRAY['version', 'updated_at', 'total_subtasks', 'completed_subtasks',
                                  'lease_owner', 'lease_expires_at']
              IS DISTINCT FROM
              to_jsonb(o) - ARRAY['version', 'updated_at', 'total_subtasks', 'completed_subtasks',
                                  'lease_owner', 'lease_expires_at'];
    END IF;
    IF events IS NOT NULL THEN
        PERFORM record_outbound_events(events);
    END IF;
    RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS tasks_set_updated_at ON tasks;
CREATE TRIGGER tasks_set_updated_at BEFORE UPDATE ON tasks
    FOR EACH ROW WHEN (OLD.open_prerequisites IS NOT DISTINCT FROM NEW.open_prerequisites)
    EXECUTE FUNCTION set_updated_at();
DROP TRIGGER IF EXISTS tasks_bump_version ON tasks;
CREATE TRIGGER tasks_bump_version BEFORE UPDATE ON tasks
    FOR EACH ROW WHEN (OLD.open_prerequisites IS NOT DISTINCT FROM NEW.open_prerequisites)
    EXECUTE FUNCTION bump_row_version();
DROP FUNCTION IF EXISTS tasks_bookkeeping_only(tasks, tasks);
DROP TRIGGER IF EXISTS tasks_propagate_parent_active ON tasks;
DROP FUNCTION IF EXISTS tasks_propagate_parent_active();
DROP TRIGGER IF EXISTS tasks_mark_parent_active_update ON tasks;
DROP TRIGGER IF EXISTS tasks_mark_parent_active_insert ON tasks;
DROP FUNCTION IF EXISTS tasks_mark_parent_active();
DROP TRIGGER IF EXISTS tasks_propagate_finished ON tasks;
DROP FUNCTION IF EXISTS tasks_propagate_finished();
DROP TRIGGER IF EXISTS task_dependencies_count_dependants ON task_dependencies;
DROP FUNCTION IF EXISTS task_dependencies_count_dependants();
DROP TRIGGER IF EXISTS task_dependencies_mark_dependent_open ON task_dependencies;
DROP FUNCTION IF EXISTS task_dependencies_mark_dependent_open();
DROP FUNCTION IF EXISTS task_status_unfinished(text);
ALTER TABLE task_dependencies DROP COLUMN IF EXISTS dependent_open;
ALTER TABLE tasks
    DROP COLUMN IF EXISTS lease_token,
    DROP COLUMN IF EXISTS parent_active,
    DROP COLUMN IF EXISTS open_dependants;
