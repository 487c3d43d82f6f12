-- migrate:up
-- One row trigger writes both records of an UPDATE (issue 14): the audit row and the event-log
-- row. Tasks and dependency edges had two AFTER UPDATE row triggers, audit_row_change() and
-- event_log_record_update(), each turning OLD and NEW into jsonb and each a plpgsql call: a
-- claimed task paid four to_jsonb of its wide row and two trigger calls. log_row_update() makes
-- one jsonb of each version and writes both rows from them. TG_ARGV[0] is the event kind;
-- 'audited' as TG_ARGV[1] also writes the audit row (workflows and deployments have no audit
-- trail, and every table audited here hides no column from it: audit_row_change keeps doing
-- the tables that do, and every INSERT and DELETE).
--
-- Order: tasks_log_update fires where tasks_event_log_update did among the row triggers (after
-- tasks_count_subtasks_update, before tasks_move_dependencies and tasks_propagate_*), so the
-- event log is written in the same order as before; a task's audit row now follows the audit
-- rows of its parent's subtask counters instead of preceding them.

CREATE FUNCTION log_row_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    kind    text := TG_ARGV[0];
    o       jsonb := to_jsonb(OLD);
    n       jsonb := to_jsonb(NEW);
    changed text[];
    done    bigint;
BEGIN
    -- The audit row, as audit_row_change() writes it (app.erasing: an erasure leaves none).
    IF TG_NARGS > 1 AND TG_ARGV[1] = 'audited'
       AND current_setting('app.erasing', true) IS DISTINCT FROM 'on' THEN
        INSERT INTO audit_logs (table_name, row_id, action, old_data, new_data, actor_key_id,
                                actor_user_id, request_id)
        VALUES (TG_TABLE_NAME, n ->> 'id', 'UPDATE', o, n,
                NULLIF(current_setting('app.current_key_id', true), '')::uuid,
                NULLIF(current_setting('app.current_user_id', true), '')::uuid,
                NULLIF(current_setting('app.request_id', true), ''));
    END IF;
    changed := event_log_changed(o, n);
    IF cardinality(changed) = 0 THEN
        RETURN NULL;  -- bookkeeping only (version, counters): no news
    END IF;
    done := event_log_numbered();
    INSERT INTO event_log (id, project_id, type, resource_kind, resource_id, payload)
    VALUES (event_log_id(event_log_base(), done), event_log_project(kind, n),
            event_log_update_type(kind, o, n, changed), kind, (n ->> 'id')::uuid,
            jsonb_build_object('data', n, 'changes', to_jsonb(changed)));
    PERFORM event_log_count(done, 1);
    RETURN NULL;
END;
$$;

DROP TRIGGER tasks_audit ON tasks;
DROP TRIGGER tasks_event_log_update ON tasks;
CREATE TRIGGER tasks_audit AFTER INSERT OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();
CREATE TRIGGER tasks_log_update AFTER UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION log_row_update('task', 'audited');

DROP TRIGGER task_dependencies_audit ON task_dependencies;
DROP TRIGGER task_dependencies_event_log_update ON task_dependencies;
CREATE TRIGGER task_dependencies_audit AFTER INSERT OR DELETE ON task_dependencies
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();
CREATE TRIGGER task_dependencies_log_update AFTER UPDATE ON task_dependencies
    FOR EACH ROW EXECUTE FUNCTION log_row_update('dependency', 'audited');

DROP TRIGGER workflows_event_log_update ON workflows;
CREATE TRIGGER workflows_event_log_update AFTER UPDATE ON workflows
    FOR EACH ROW EXECUTE FUNCTION log_row_update('workflow');
DROP TRIGGER deployments_event_log_update ON deployments;
CREATE TRIGGER deployments_event_log_update AFTER UPDATE ON deployments
    FOR EACH ROW EXECUTE FUNCTION log_row_update('deployment');

DROP FUNCTION event_log_record_update();

-- migrate:down
CREATE FUNCTION event_log_record_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    kind    text := TG_ARGV[0];
    done    bigint := event_log_numbered();
    o       jsonb := to_jsonb(OLD);
    n       jsonb := to_jsonb(NEW);
    changed text[] := event_log_changed(o, n);
BEGIN
    IF cardinality(changed) = 0 THEN
        RETURN NULL;  -- bookkeeping only (version, counters): no news
    END IF;
    INSERT INTO event_log (id, project_id, type, resource_kind, resource_id, payload)
    VALUES (event_log_id(event_log_base(), done), event_log_project(kind, n),
            event_log_update_type(kind, o, n, changed), kind, (n ->> 'id')::uuid,
            jsonb_build_object('data', n, 'changes', to_jsonb(changed)));
    PERFORM event_log_count(done, 1);
    RETURN NULL;
END;
$$;

DROP TRIGGER deployments_event_log_update ON deployments;
CREATE TRIGGER deployments_event_log_update AFTER UPDATE ON deployments
    FOR EACH ROW EXECUTE FUNCTION event_log_record_update('deployment');
DROP TRIGGER workflows_event_log_update ON workflows;
CREATE TRIGGER workflows_event_log_update AFTER UPDATE ON workflows
    FOR EACH ROW EXECUTE FUNCTION event_log_record_update('workflow');

DROP TRIGGER task_dependencies_log_update ON task_dependencies;
DROP TRIGGER task_dependencies_audit ON task_dependencies;
CREATE TRIGGER task_dependencies_event_log_update AFTER UPDATE ON task_dependencies
    FOR EACH ROW EXECUTE FUNCTION event_log_record_update('dependency');
CREATE TRIGGER task_dependencies_audit AFTER INSERT OR DELETE OR UPDATE ON task_dependencies
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();

DROP TRIGGER tasks_log_update ON tasks;
DROP TRIGGER tasks_audit ON tasks;
CREATE TRIGGER tasks_event_log_update AFTER UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION event_log_record_update('task');
CREATE TRIGGER tasks_audit AFTER INSERT OR DELETE OR UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();

DROP FUNCTION log_row_update();
