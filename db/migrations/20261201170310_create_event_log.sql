-- migrate:up
-- The event log (docs/stream.md): every task, dependency, claim/lease, workflow and deployment
-- change is one row, written by statement-level triggers in the changing transaction (one
-- INSERT … SELECT per statement over its transition table, whatever the subscriptions).
--
-- Readers must never see a gap that fills in later. A sequence value taken at INSERT time does
-- not give that: transactions commit in another order than they call nextval(), so seq 41 can
-- become visible after 42 was read. Instead rows are inserted without a public id and the
-- *sequencer* (sequence_event_log(), called by every origin process's stream hub in a loop)
-- numbers the rows that are committed and not yet numbered, one batch per transaction under an
-- advisory lock. Batches commit one after another in id order, so whatever a reader sees of the
-- log is a gap-free prefix (ids burnt by a rolled-back batch never appear at all). The price: a
-- row gets its id a polling interval after its commit, and one UPDATE per row off the write path.

CREATE SEQUENCE event_log_seq;

CREATE TABLE event_log (
    -- insertion order: only orders the sequencer's work; never shown
    pos           bigint GENERATED ALWAYS AS IDENTITY,
    -- the public id (SSE id:, Last-Event-ID), assigned after commit by sequence_event_log()
    seq           bigint,
    project_id    uuid,  -- no FK: the event outlives its project's rows
    type          text NOT NULL CHECK (type ~ '^[a-z_]+\.[a-z_]+$'),
    resource_kind text NOT NULL CHECK (resource_kind IN ('task', 'dependency', 'workflow', 'deployment')),
    resource_id   uuid NOT NULL,
    -- {"data": the row after the change (before it, for a delete), "changes": [changed columns]}
    payload       jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX event_log_seq_key ON event_log (seq) WHERE seq IS NOT NULL;
CREATE INDEX event_log_unsequenced_idx ON event_log (pos) WHERE seq IS NULL;
CREATE INDEX event_log_created_at_idx ON event_log USING brin (created_at);

-- The highest id retention has deleted: a Last-Event-ID below it cannot be replayed (reset).
CREATE TABLE event_log_horizon (
    only_row       boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    purged_through bigint NOT NULL DEFAULT 0
);
INSERT INTO event_log_horizon DEFAULT VALUES;

-- Tenancy as for the project-owned tables: a request sees the events of its projects. Inserts
-- come from the triggers, whose writes the tables' own tenancy already checked.
CREATE POLICY event_log_tenancy ON event_log FOR ALL TO taskmaster_api, taskmaster_readonly
    USING (tenancy_allows(project_id)) WITH CHECK (true);
ALTER TABLE event_log ENABLE ROW LEVEL SECURITY;

-- Columns whose change alone is not news (counters kept by triggers, versions, timestamps).
CREATE FUNCTION event_log_changed(old_row jsonb, new_row jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(n.key ORDER BY n.key), '{}')
    FROM jsonb_each(new_row) n
    WHERE n.value IS DISTINCT FROM old_row -> n.key
      AND n.key <> ALL (ARRAY['version', 'updated_at', 'total_subtasks', 'completed_subtasks',
                              'open_dependants', 'parent_active', 'prerequisite_open',
                              'dependent_open', 'progress_percent']);
$$;

-- The event type of an update, from what changed.
CREATE FUNCTION event_log_update_type(kind text, o jsonb, n jsonb, changed text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT kind || '.' || CASE
        WHEN 'status' = ANY (changed) AND n ->> 'status' IN ('completed', 'failed') THEN n ->> 'status'
        WHEN 'status' = ANY (changed) AND n ->> 'status' = 'running' THEN 'started'
        WHEN kind <> 'task' THEN 'updated'
        WHEN 'lease_owner' = ANY (changed) AND n ->> 'lease_owner' IS NULL THEN 'released'
        WHEN 'lease_owner' = ANY (changed) OR 'lease_token' = ANY (changed) THEN 'claimed'
        WHEN changed = ARRAY['lease_expires_at'] THEN 'lease_renewed'
        WHEN 'open_prerequisites' = ANY (changed) AND (n ->> 'open_prerequisites')::int = 0
             AND n ->> 'status' = 'pending' THEN 'ready'
        ELSE 'updated' END;
$$;

-- A dependency belongs to the project of its dependent task.
CREATE FUNCTION event_log_project(kind text, r jsonb) RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN kind = 'dependency'
                THEN (SELECT t.project_id FROM tasks t WHERE t.id = (r ->> 'task_id')::uuid)
                ELSE (r ->> 'project_id')::uuid END;
$$;

-- One trigger function for every logged table; TG_ARGV[0] is the resource kind.
CREATE FUNCTION event_log_record() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kind text := TG_ARGV[0];
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO event_log (project_id, type, resource_kind, resource_id, payload)
        SELECT event_log_project(kind, r), kind || '.created', kind, (r ->> 'id')::uuid,
               jsonb_build_object('data', r, 'changes', '[]'::jsonb)
        FROM (SELECT to_jsonb(n) AS r FROM new_rows n) x;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO event_log (project_id, type, resource_kind, resource_id, payload)
        SELECT event_log_project(kind, r), kind || '.deleted', kind, (r ->> 'id')::uuid,
               jsonb_build_object('data', r, 'changes', '[]'::jsonb)
        FROM (SELECT to_jsonb(o) AS r FROM old_rows o) x;
    ELSE
        INSERT INTO event_log (project_id, type, resource_kind, resource_id, payload)
        SELECT event_log_project(kind, c.n), event_log_update_type(kind, c.o, c.n, c.changed),
               kind, (c.n ->> 'id')::uuid,
               jsonb_build_object('data', c.n, 'changes', to_jsonb(c.changed))
        FROM (
            SELECT n.r AS n, o.r AS o, event_log_changed(o.r, n.r) AS changed
            FROM (SELECT to_jsonb(n) AS r FROM new_rows n) n
            JOIN (SELECT to_jsonb(o) AS r FROM old_rows o) o ON o.r -> 'id' = n.r -> 'id'
        ) c
        WHERE cardinality(c.changed) > 0;
    END IF;
    RETURN NULL;
END;
$$;

-- Transition tables allow one event per trigger: three triggers per table.
CREATE TRIGGER tasks_event_log_insert AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION event_log_record('task');
CREATE TRIGGER tasks_event_log_update AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_record('task');
CREATE TRIGGER tasks_event_log_delete AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION event_log_record('task');
CREATE TRIGGER task_dependencies_event_log_insert AFTER INSERT ON task_dependencies
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_record('dependency');
CREATE TRIGGER task_dependencies_event_log_update AFTER UPDATE ON task_dependencies
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_record('dependency');
CREATE TRIGGER task_dependencies_event_log_delete AFTER DELETE ON task_dependencies
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_record('dependency');
CREATE TRIGGER workflows_event_log_insert AFTER INSERT ON workflows
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_record('workflow');
CREATE TRIGGER workflows_event_log_update AFTER UPDATE ON workflows
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_record('workflow');
CREATE TRIGGER workflows_event_log_delete AFTER DELETE ON workflows
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_record('workflow');
CREATE TRIGGER deployments_event_log_insert AFTER INSERT ON deployments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_record('deployment');
CREATE TRIGGER deployments_event_log_update AFTER UPDATE ON deployments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_record('deployment');
CREATE TRIGGER deployments_event_log_delete AFTER DELETE ON deployments
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_record('deployment');

-- Number the committed, unnumbered rows (at most ``batch``) and NOTIFY event_log with the
-- highest id; NULL when another sequencer holds the lock or nothing was waiting. Called in its
-- own (autocommit) transaction: the lock and the numbers are released/published at its commit.
-- SECURITY DEFINER: the sequencer numbers every project's rows.
CREATE FUNCTION sequence_event_log(batch integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    top bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock(7594736531064935) THEN  -- "event_log" sequencer
        RETURN NULL;
    END IF;
    -- A new statement, so its snapshot sees the previous batch's numbers.
    WITH todo AS (
        SELECT ctid FROM event_log WHERE seq IS NULL ORDER BY pos LIMIT batch
    ), numbered AS (
        UPDATE event_log e SET seq = nextval('event_log_seq')
        FROM todo WHERE e.ctid = todo.ctid
        RETURNING e.seq
    )
    SELECT max(seq) INTO top FROM numbered;
    IF top IS NOT NULL THEN
        PERFORM pg_notify('event_log', top::text);
    END IF;
    RETURN top;
END;
$$;

-- Retention (maintenance, EVENT_LOG_RETENTION_DAYS): delete older rows, remember the highest
-- deleted id (a resume from before it gets ``event: reset``). Returns the rows deleted.
CREATE FUNCTION purge_event_log(days integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    top bigint;
    n   bigint;
BEGIN
    IF days IS NULL OR days < 1 THEN
        RAISE EXCEPTION 'event log retention must be a positive number of days, got %', days
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    WITH gone AS (
        DELETE FROM event_log WHERE created_at < now() - make_interval(days => days)
        RETURNING seq
    )
    SELECT max(seq), count(*) INTO top, n FROM gone;
    UPDATE event_log_horizon SET purged_through = greatest(purged_through, top)
    WHERE top IS NOT NULL;
    RETURN n;
END;
$$;
GRANT EXECUTE ON FUNCTION sequence_event_log(integer), purge_event_log(integer) TO taskmaster_api;

-- migrate:down
DROP FUNCTION IF EXISTS purge_event_log(integer);
DROP FUNCTION IF EXISTS sequence_event_log(integer);
DROP TRIGGER IF EXISTS deployments_event_log_delete ON deployments;
DROP TRIGGER IF EXISTS deployments_event_log_update ON deployments;
DROP TRIGGER IF EXISTS deployments_event_log_insert ON deployments;
DROP TRIGGER IF EXISTS workflows_event_log_delete ON workflows;
DROP TRIGGER IF EXISTS workflows_event_log_update ON workflows;
DROP TRIGGER IF EXISTS workflows_event_log_insert ON workflows;
DROP TRIGGER IF EXISTS task_dependencies_event_log_delete ON task_dependencies;
DROP TRIGGER IF EXISTS task_dependencies_event_log_update ON task_dependencies;
DROP TRIGGER IF EXISTS task_dependencies_event_log_insert ON task_dependencies;
DROP TRIGGER IF EXISTS tasks_event_log_delete ON tasks;
DROP TRIGGER IF EXISTS tasks_event_log_update ON tasks;
DROP TRIGGER IF EXISTS tasks_event_log_insert ON tasks;
DROP FUNCTION IF EXISTS event_log_record();
DROP FUNCTION IF EXISTS event_log_project(text, jsonb);
DROP FUNCTION IF EXISTS event_log_update_type(text, jsonb, jsonb, text[]);
DROP FUNCTION IF EXISTS event_log_changed(jsonb, jsonb);
DROP TABLE IF EXISTS event_log_horizon;
DROP TABLE IF EXISTS event_log;
DROP SEQUENCE IF EXISTS event_log_seq;
