-- migrate:up
-- Parents carry how many children they have and how many of those are completed, so a task's
-- progress is one row read. The counters are kept by a trigger with relative row-level updates
-- (SET n = n ± 1 on the parent): concurrent status changes of siblings each take the parent's row
-- lock in turn and add their own delta, so no change is lost (a recount would race).
ALTER TABLE tasks
    ADD COLUMN total_subtasks     integer NOT NULL DEFAULT 0 CHECK (total_subtasks >= 0),
    ADD COLUMN completed_subtasks integer NOT NULL DEFAULT 0 CHECK (completed_subtasks >= 0),
    ADD CONSTRAINT tasks_completed_subtasks_le_total CHECK (completed_subtasks <= total_subtasks);

UPDATE tasks p SET total_subtasks = c.total, completed_subtasks = c.done
FROM (
    SELECT parent_task_id, count(*) AS total, count(*) FILTER (WHERE status = 'completed') AS done
    FROM tasks WHERE parent_task_id IS NOT NULL GROUP BY parent_task_id
) c
WHERE p.id = c.parent_task_id;

CREATE FUNCTION tasks_count_subtasks() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_parent uuid;
    new_parent uuid;
    old_done   integer := 0;
    new_done   integer := 0;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_parent := OLD.parent_task_id;
        old_done := (OLD.status = 'completed')::integer;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        new_parent := NEW.parent_task_id;
        new_done := (NEW.status = 'completed')::integer;
    END IF;
    IF old_parent IS NOT DISTINCT FROM new_parent THEN
        IF new_parent IS NOT NULL AND old_done <> new_done THEN
            UPDATE tasks SET completed_subtasks = completed_subtasks + (new_done - old_done)
            WHERE id = new_parent;
        END IF;
        RETURN NULL;
    END IF;
    -- A move touches two parents: lock them in id order so that two opposite moves cannot
    -- deadlock. (A parent deleted in this statement, e.g. by ON DELETE CASCADE, matches no row.)
    IF old_parent IS NOT NULL AND (new_parent IS NULL OR old_parent < new_parent) THEN
        UPDATE tasks SET total_subtasks = total_subtasks - 1,
                         completed_subtasks = completed_subtasks - old_done
        WHERE id = old_parent;
        old_parent := NULL;
    END IF;
    IF new_parent IS NOT NULL THEN
        UPDATE tasks SET total_subtasks = total_subtasks + 1,
                         completed_subtasks = completed_subtasks + new_done
        WHERE id = new_parent;
    END IF;
    IF old_parent IS NOT NULL THEN
        UPDATE tasks SET total_subtasks = total_subtasks - 1,
                         completed_subtasks = completed_subtasks - old_done
        WHERE id = old_parent;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER tasks_count_subtasks_insert AFTER INSERT ON tasks
    FOR EACH ROW WHEN (NEW.parent_task_id IS NOT NULL)
    EXECUTE FUNCTION tasks_count_subtasks();
CREATE TRIGGER tasks_count_subtasks_update AFTER UPDATE OF parent_task_id, status ON tasks
    FOR EACH ROW WHEN (OLD.parent_task_id IS DISTINCT FROM NEW.parent_task_id
                       OR (OLD.parent_task_id IS NOT NULL AND OLD.status IS DISTINCT FROM NEW.status))
    EXECUTE FUNCTION tasks_count_subtasks();
CREATE TRIGGER tasks_count_subtasks_delete AFTER DELETE ON tasks
    FOR EACH ROW WHEN (OLD.parent_task_id IS NOT NULL)
    EXECUTE FUNCTION tasks_count_subtasks();

-- The parent chain stays a forest: moving a task under one of its own descendants is refused
-- (errors.py maps the constraint name to 409), whichever path writes parent_task_id. Two
-- concurrent moves could each pass the check and together close a loop, so moves take one
-- transaction-scoped advisory lock first; each statement of this (volatile) function then reads a
-- fresh snapshot that includes every move committed before the lock was granted. Moves are rare,
-- so one global lock costs nothing that matters. The chain is a list, so the path array is cheap.
CREATE FUNCTION tasks_refuse_parent_cycle() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    loop_path uuid[];
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('taskmaster:task_parent_tree'));
    WITH RECURSIVE chain (id, path) AS (
        SELECT NEW.parent_task_id, ARRAY[NEW.parent_task_id]
        UNION ALL
        SELECT t.parent_task_id, chain.path || t.parent_task_id
        FROM chain JOIN tasks t ON t.id = chain.id
        WHERE t.parent_task_id IS NOT NULL AND t.parent_task_id <> ALL (chain.path)
    )
    SELECT path INTO loop_path FROM chain WHERE id = NEW.id LIMIT 1;
    IF loop_path IS NOT NULL THEN
        RAISE EXCEPTION 'task % cannot move under its own descendant %', NEW.id, NEW.parent_task_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'tasks_no_parent_cycle',
                  DETAIL = 'parent chain: ' || array_to_string(loop_path, ' -> ');
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER tasks_refuse_parent_cycle BEFORE UPDATE OF parent_task_id ON tasks
    FOR EACH ROW WHEN (NEW.parent_task_id IS NOT NULL
                       AND NEW.parent_task_id IS DISTINCT FROM OLD.parent_task_id)
    EXECUTE FUNCTION tasks_refuse_parent_cycle();

-- migrate:down
DROP TRIGGER IF EXISTS tasks_refuse_parent_cycle ON tasks;
DROP FUNCTION IF EXISTS tasks_refuse_parent_cycle();
DROP TRIGGER IF EXISTS tasks_count_subtasks_delete ON tasks;
DROP TRIGGER IF EXISTS tasks_count_subtasks_update ON tasks;
DROP TRIGGER IF EXISTS tasks_count_subtasks_insert ON tasks;
DROP FUNCTION IF EXISTS tasks_count_subtasks();
ALTER TABLE tasks
    DROP CONSTRAINT IF EXISTS tasks_completed_subtasks_le_total,
    DROP COLUMN IF EXISTS completed_subtasks,
    DROP COLUMN IF EXISTS total_subtasks;
