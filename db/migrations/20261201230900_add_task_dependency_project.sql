-- migrate:up
-- A dependency edge carries its dependent task's project, kept by triggers, so a project's edge
-- list (GET /projects/{id}/dependencies: the console's graph) reads one index in its order instead
-- of finding the edges through the project's tasks and sorting them on every page; and the event
-- log reads an edge's project from the row itself, also when the edge goes with its task.
-- NULL only for an edge whose dependent task is missing (written with the foreign keys bypassed,
-- e.g. a restore under session_replication_role = replica): such an edge was in no project's
-- list before and is in none now (the graph reports find it through their own query).
ALTER TABLE task_dependencies ADD COLUMN project_id uuid;

-- The backfill states the edges' projects; it changes no edge, so neither the audit log nor the
-- event log records it.
ALTER TABLE task_dependencies DISABLE TRIGGER USER;
UPDATE task_dependencies d SET project_id = t.project_id FROM tasks t WHERE t.id = d.task_id;
ALTER TABLE task_dependencies ENABLE TRIGGER USER;

CREATE INDEX task_dependencies_project_created_at_id_idx ON task_dependencies
    (project_id, created_at, id);

CREATE FUNCTION task_dependencies_set_project() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.project_id := (SELECT t.project_id FROM tasks t WHERE t.id = NEW.task_id);
    RETURN NEW;
END;
$$;

CREATE TRIGGER task_dependencies_set_project BEFORE INSERT OR UPDATE OF task_id, project_id
    ON task_dependencies FOR EACH ROW EXECUTE FUNCTION task_dependencies_set_project();

-- A task moved to another project takes the edges it depends through along (they are listed by
-- the dependent task's project). Each moved edge is a dependency.updated event of the new project.
CREATE FUNCTION tasks_move_dependencies() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE task_dependencies SET project_id = NEW.project_id WHERE task_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER tasks_move_dependencies AFTER UPDATE OF project_id ON tasks FOR EACH ROW
    WHEN (OLD.project_id IS DISTINCT FROM NEW.project_id)
    EXECUTE FUNCTION tasks_move_dependencies();

-- Every logged kind now carries its project in the row.
CREATE OR REPLACE FUNCTION event_log_project(kind text, r jsonb) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (r ->> 'project_id')::uuid;
$$;

-- migrate:down
CREATE OR REPLACE FUNCTION event_log_project(kind text, r jsonb) RETURNS uuid
    LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN kind = 'dependency'
                THEN coalesce(
                    (SELECT t.project_id FROM tasks t WHERE t.id = (r ->> 'task_id')::uuid),
                    (SELECT e.project_id FROM event_log e
                     WHERE e.id >= event_log_base() AND e.id < event_log_base() + 1048576
                       AND e.resource_id = (r ->> 'task_id')::uuid AND e.type = 'task.deleted'))
                ELSE (r ->> 'project_id')::uuid END;
$$;
DROP TRIGGER tasks_move_dependencies ON tasks;
DROP FUNCTION tasks_move_dependencies();
DROP TRIGGER task_dependencies_set_project ON task_dependencies;
DROP FUNCTION task_dependencies_set_project();
DROP INDEX task_dependencies_project_created_at_id_idx;
ALTER TABLE task_dependencies DROP COLUMN project_id;
