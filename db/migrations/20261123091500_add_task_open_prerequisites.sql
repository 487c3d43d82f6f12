-- migrate:up
-- Readiness as a column: tasks.open_prerequisites counts the ordering edges whose prerequisite is
-- not completed, so "every prerequisite completed" is `open_prerequisites = 0` and the ready queue
-- is one partial index (GET /tasks/next no longer probes every candidate's edges).
--
-- Each edge row carries whether it is counted (prerequisite_open), so that deleting it, however it
-- goes (DELETE, ON DELETE CASCADE with either task), takes back exactly what it added. Counters
-- move by relative row-level updates (n = n ± k), never recounts, so concurrent changes add up.
-- Races: an edge insert reads its prerequisite's status under FOR SHARE, a completion holds the
-- prerequisite's row lock, so one waits for the other and the second sees the first's effect
-- (each statement of a volatile trigger function reads a fresh snapshot under READ COMMITTED).
-- Rows written with triggers bypassed (session_replication_role = replica, bulk loads) are put
-- right with `SELECT recount_task_prerequisites()`.
ALTER TABLE tasks
    ADD COLUMN open_prerequisites integer NOT NULL DEFAULT 0 CHECK (open_prerequisites >= 0);
ALTER TABLE task_dependencies
    ADD COLUMN prerequisite_open boolean NOT NULL DEFAULT false;

-- (dependent, prerequisite) of an edge row: 'A blocks B' means B depends on A.
CREATE FUNCTION task_dependency_prerequisite(dependency_type text, task_id uuid, other_id uuid)
RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE dependency_type WHEN 'depends_on' THEN other_id
                                WHEN 'blocks' THEN task_id END;
$$;
CREATE FUNCTION task_dependency_dependent(dependency_type text, task_id uuid, other_id uuid)
RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE dependency_type WHEN 'depends_on' THEN task_id
                                WHEN 'blocks' THEN other_id END;
$$;

CREATE FUNCTION task_dependencies_mark_open() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    prerequisite_status text;
BEGIN
    IF NEW.dependency_type = 'related' THEN
        NEW.prerequisite_open := false;
        RETURN NEW;
    END IF;
    SELECT status INTO prerequisite_status FROM tasks
    WHERE id = task_dependency_prerequisite(NEW.dependency_type, NEW.task_id,
                                            NEW.depends_on_task_id)
    FOR SHARE;
    NEW.prerequisite_open := coalesce(prerequisite_status <> 'completed', false);
    RETURN NEW;
END;
$$;
CREATE TRIGGER task_dependencies_mark_open
    BEFORE INSERT OR UPDATE OF task_id, depends_on_task_id, dependency_type ON task_dependencies
    FOR EACH ROW EXECUTE FUNCTION task_dependencies_mark_open();

CREATE FUNCTION task_dependencies_count_open() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.prerequisite_open THEN
        UPDATE tasks SET open_prerequisites = open_prerequisites - 1
        WHERE id = task_dependency_dependent(OLD.dependency_type, OLD.task_id,
                                             OLD.depends_on_task_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.prerequisite_open THEN
        UPDATE tasks SET open_prerequisites = open_prerequisites + 1
        WHERE id = task_dependency_dependent(NEW.dependency_type, NEW.task_id,
                                             NEW.depends_on_task_id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER task_dependencies_count_open
    AFTER INSERT OR DELETE OR UPDATE OF task_id, depends_on_task_id, dependency_type
    ON task_dependencies
    FOR EACH ROW EXECUTE FUNCTION task_dependencies_count_open();

-- A task that becomes completed (or stops being completed) flips the edges it is the prerequisite
-- of and moves its dependents' counters; dependents are locked in id order (no deadlock between
-- two completions that share dependents).
CREATE FUNCTION tasks_propagate_completion() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    now_open boolean := NEW.status <> 'completed';
BEGIN
    WITH flipped AS (
        UPDATE task_dependencies d SET prerequisite_open = now_open
        WHERE ((d.depends_on_task_id = NEW.id AND d.dependency_type = 'depends_on')
               OR (d.task_id = NEW.id AND d.dependency_type = 'blocks'))
          AND d.prerequisite_open <> now_open
        RETURNING task_dependency_dependent(d.dependency_type, d.task_id, d.depends_on_task_id)
                  AS dependent
    ), counts AS (
        SELECT dependent, count(*)::integer AS n FROM flipped GROUP BY dependent
    ), locked AS (
        SELECT t.id FROM tasks t JOIN counts c ON c.dependent = t.id ORDER BY t.id FOR UPDATE OF t
    )
    UPDATE tasks t
    SET open_prerequisites = t.open_prerequisites + CASE WHEN now_open THEN c.n ELSE -c.n END
    FROM counts c
    WHERE t.id = c.dependent AND t.id IN (SELECT id FROM locked);
    RETURN NULL;
END;
$$;
CREATE TRIGGER tasks_propagate_completion AFTER UPDATE OF status ON tasks
    FOR EACH ROW WHEN ((OLD.status = 'completed') IS DISTINCT FROM (NEW.status = 'completed'))
    EXECUTE FUNCTION tasks_propagate_completion();

-- Recount both from scratch (after a load that bypassed triggers); returns the tasks corrected.
CREATE FUNCTION recount_task_prerequisites() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    corrected bigint;
BEGIN
    UPDATE task_dependencies d SET prerequisite_open = x.open
    FROM (
        SELECT e.id, coalesce(p.status <> 'completed', false) AS open
        FROM task_dependencies e
        LEFT JOIN tasks p
               ON p.id = task_dependency_prerequisite(e.dependency_type, e.task_id,
                                                      e.depends_on_task_id)
    ) x
    WHERE d.id = x.id AND d.prerequisite_open <> x.open;
    UPDATE tasks t SET open_prerequisites = x.n
    FROM (
        SELECT t2.id, count(d.id)::integer AS n
        FROM tasks t2
        LEFT JOIN task_dependencies d
               ON d.prerequisite_open
              AND task_dependency_dependent(d.dependency_type, d.task_id, d.depends_on_task_id)
                  = t2.id
        GROUP BY t2.id
    ) x
    WHERE t.id = x.id AND t.open_prerequisites <> x.n;
    GET DIAGNOSTICS corrected = ROW_COUNT;
    RETURN corrected;
END;
$$;
SELECT recount_task_prerequisites();

-- The counter is bookkeeping, not a change of the task: it moves neither version (ETag) nor
-- updated_at. (Nothing else ever changes in the same UPDATE as the counter.)
DROP TRIGGER tasks_bump_version ON tasks;
CREATE TRIGGER tasks_bump_version BEFORE UPDATE ON tasks
    FOR EACH ROW WHEN (OLD.open_prerequisites IS NOT DISTINCT FROM NEW.open_prerequisites)
    EXECUTE FUNCTION bump_row_version();
DROP TRIGGER tasks_set_updated_at ON tasks;
CREATE TRIGGER tasks_set_updated_at BEFORE UPDATE ON tasks
    FOR EACH ROW WHEN (OLD.open_prerequisites IS NOT DISTINCT FROM NEW.open_prerequisites)
    EXECUTE FUNCTION set_updated_at();

-- The ready queue: only unblocked tasks that may be claimable.
DROP INDEX tasks_ready_queue_idx;
DROP INDEX tasks_project_ready_queue_idx;
CREATE INDEX tasks_ready_queue_idx ON tasks (priority DESC, created_at, id)
    WHERE status IN ('pending', 'in_progress') AND open_prerequisites = 0;
CREATE INDEX tasks_project_ready_queue_idx ON tasks (project_id, priority DESC, created_at, id)
    WHERE status IN ('pending', 'in_progress') AND open_prerequisites = 0;

-- Walks towards dependents (cycle checks of 'blocks' edges, the unblocks count of the ready
-- order, cascades) read (depends_on_task_id, dependency_type) and want task_id: one covering index
-- answers them from the index alone.
CREATE INDEX task_dependencies_depends_on_type_idx
    ON task_dependencies (depends_on_task_id, dependency_type) INCLUDE (task_id);
DROP INDEX task_dependencies_depends_on_idx;

-- migrate:down
CREATE INDEX task_dependencies_depends_on_idx ON task_dependencies (depends_on_task_id);
DROP INDEX IF EXISTS task_dependencies_depends_on_type_idx;
DROP INDEX IF EXISTS tasks_project_ready_queue_idx;
DROP INDEX IF EXISTS tasks_ready_queue_idx;
CREATE INDEX tasks_ready_queue_idx ON tasks (priority DESC, created_at, id)
    WHERE status IN ('pending', 'in_progress');
CREATE INDEX tasks_project_ready_queue_idx ON tasks (project_id, priority DESC, created_at, id)
    WHERE status IN ('pending', 'in_progress');
DROP TRIGGER IF EXISTS tasks_set_updated_at ON tasks;
CREATE TRIGGER tasks_set_updated_at BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
DROP TRIGGER IF EXISTS tasks_bump_version ON tasks;
CREATE TRIGGER tasks_bump_version BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();
DROP FUNCTION IF EXISTS recount_task_prerequisites();
DROP TRIGGER IF EXISTS tasks_propagate_completion ON tasks;
DROP FUNCTION IF EXISTS tasks_propagate_completion();
DROP TRIGGER IF EXISTS task_dependencies_count_open ON task_dependencies;
DROP FUNCTION IF EXISTS task_dependencies_count_open();
DROP TRIGGER IF EXISTS task_dependencies_mark_open ON task_dependencies;
DROP FUNCTION IF EXISTS task_dependencies_mark_open();
DROP FUNCTION IF EXISTS task_dependency_dependent(text, uuid, uuid);
DROP FUNCTION IF EXISTS task_dependency_prerequisite(text, uuid, uuid);
ALTER TABLE task_dependencies DROP COLUMN IF EXISTS prerequisite_open;
ALTER TABLE tasks DROP COLUMN IF EXISTS open_prerequisites;
