-- migrate:up
-- Row-change history for the core tables, written by audit_row_change() with the acting key and
-- request id the origin sets per transaction (app.current_key_id / app.request_id).
-- audit_row_change() attached without arguments saw TG_ARGV as NULL, which nulled old/new data
-- (jsonb - NULL); treat "no arguments" as "leave nothing out".
CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_j jsonb;
    new_j jsonb;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_j := to_jsonb(OLD) - coalesce(TG_ARGV, '{}'::text[]);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        new_j := to_jsonb(NEW) - coalesce(TG_ARGV, '{}'::text[]);
    END IF;
    INSERT INTO audit_logs (table_name, row_id, action, old_data, new_data, actor_key_id, request_id)
    VALUES (TG_TABLE_NAME,
            coalesce(new_j, old_j) ->> 'id',
            TG_OP,
            old_j,
            new_j,
            NULLIF(current_setting('app.current_key_id', true), '')::uuid,
            NULLIF(current_setting('app.request_id', true), ''));
    RETURN NULL;
END;
$$;

CREATE TRIGGER projects_audit AFTER INSERT OR UPDATE OR DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();
CREATE TRIGGER tasks_audit AFTER INSERT OR UPDATE OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();
CREATE TRIGGER task_dependencies_audit AFTER INSERT OR UPDATE OR DELETE ON task_dependencies
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();

-- migrate:down
DROP TRIGGER IF EXISTS task_dependencies_audit ON task_dependencies;
DROP TRIGGER IF EXISTS tasks_audit ON tasks;
DROP TRIGGER IF EXISTS projects_audit ON projects;
CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_j jsonb;
    new_j jsonb;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_j := to_jsonb(OLD) - TG_ARGV;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        new_j := to_jsonb(NEW) - TG_ARGV;
    END IF;
    INSERT INTO audit_logs (table_name, row_id, action, old_data, new_data, actor_key_id, request_id)
    VALUES (TG_TABLE_NAME,
            coalesce(new_j, old_j) ->> 'id',
            TG_OP,
            old_j,
            new_j,
            NULLIF(current_setting('app.current_key_id', true), '')::uuid,
            NULLIF(current_setting('app.request_id', true), ''));
    RETURN NULL;
END;
$$;
