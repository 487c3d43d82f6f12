-- migrate:up
-- The event log's UPDATE triggers become row-level (docs/stream.md, "Ids").
--
-- The statement-level UPDATE trigger paired old and new rows by joining the two transition
-- tables on a jsonb expression: a nested loop, so a statement updating n rows cost n² jsonb
-- comparisons (5,000 rows: minutes), and even one row paid for two tuplestores and a join plan
-- (single-row update, the claim's shape: ~450 µs with the trigger against ~200 µs without it;
-- ~310 µs with this row trigger). INSERT and DELETE keep their statement-level triggers, which
-- have no join and write a batch in one INSERT.
--
-- Order: an AFTER ROW trigger runs before the nested changes of triggers sorted after it
-- (tasks_propagate_*), so a prerequisite's task.completed is now written before its dependant's
-- task.ready (before: after it, as a statement trigger runs last).

CREATE FUNCTION event_log_record_update() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kind    text := TG_ARGV[0];
    done    bigint := coalesce(nullif(current_setting('taskmaster.event_log_n', true), ''), '0');
    o       jsonb := to_jsonb(OLD);
    n       jsonb := to_jsonb(NEW);
    changed text[] := event_log_changed(o, n);
BEGIN
    IF cardinality(changed) = 0 THEN
        RETURN NULL;  -- bookkeeping only (version, counters): no news
    END IF;
    IF done >= 1048576 THEN
        RAISE EXCEPTION 'more than 1048576 event-log events in one transaction'
            USING ERRCODE = 'program_limit_exceeded',
                  HINT = 'Split the change into several transactions (docs/stream.md, "Ids").';
    END IF;
    INSERT INTO event_log (id, project_id, type, resource_kind, resource_id, payload)
    VALUES (event_log_base() | done, event_log_project(kind, n),
            event_log_update_type(kind, o, n, changed), kind, (n ->> 'id')::uuid,
            jsonb_build_object('data', n, 'changes', to_jsonb(changed)));
    PERFORM set_config('taskmaster.event_log_n', (done + 1)::text, true);
    RETURN NULL;
END;
$$;

DROP TRIGGER tasks_event_log_update ON tasks;
DROP TRIGGER task_dependencies_event_log_update ON task_dependencies;
DROP TRIGGER workflows_event_log_update ON workflows;
DROP TRIGGER deployments_event_log_update ON deployments;
CREATE TRIGGER tasks_event_log_update AFTER UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION event_log_record_update('task');
CREATE TRIGGER task_dependencies_event_log_update AFTER UPDATE ON task_dependencies
    FOR EACH ROW EXECUTE FUNCTION event_log_record_update('dependency');
CREATE TRIGGER workflows_event_log_update AFTER UPDATE ON workflows
    FOR EACH ROW EXECUTE FUNCTION event_log_record_update('workflow');
CREATE TRIGGER deployments_event_log_update AFTER UPDATE ON deployments
    FOR EACH ROW EXECUTE FUNCTION event_log_record_update('deployment');

-- migrate:down
DROP TRIGGER tasks_event_log_update ON tasks;
DROP TRIGGER task_dependencies_event_log_update ON task_dependencies;
DROP TRIGGER workflows_event_log_update ON workflows;
DROP TRIGGER deployments_event_log_update ON deployments;
CREATE TRIGGER tasks_event_log_update AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_record('task');
CREATE TRIGGER task_dependencies_event_log_update AFTER UPDATE ON task_dependencies
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_record('dependency');
CREATE TRIGGER workflows_event_log_update AFTER UPDATE ON workflows
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_record('workflow');
CREATE TRIGGER deployments_event_log_update AFTER UPDATE ON deployments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_record('deployment');
DROP FUNCTION IF EXISTS event_log_record_update();
