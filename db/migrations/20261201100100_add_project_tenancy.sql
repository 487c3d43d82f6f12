-- migrate:up
-- Project tenancy (docs/security.md, "Projects"). The origin sets, per connection and request,
--   app.projects  '*'                 every project, and rows with no project (global principals,
--                                     and the origin's own background work outside requests);
--                 '{<uuid>,<uuid>}'   only rows of these projects;
--                 '' or unset         nothing (fail closed).
-- tenancy_allows() is the one predicate: the origin's queries call it (their filter, effective
-- whatever role the origin connects as) and the row-level security policies below call it for the
-- application role (defence in depth: a query that forgets the filter still sees nothing foreign).
-- Rows with no project belong to the installation: only '*' sees them.
CREATE FUNCTION tenancy_allows(p_project_id uuid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE coalesce(current_setting('app.projects', true), '')
               WHEN '*' THEN true
               WHEN '' THEN false
               ELSE coalesce(p_project_id = ANY (current_setting('app.projects', true)::uuid[]), false)
           END;
$$;

CREATE FUNCTION tenancy_all() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(current_setting('app.projects', true), '') = '*';
$$;

-- A row hanging off a task is visible with its task.
CREATE FUNCTION tenancy_task_visible(p_task_id uuid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT tenancy_all()
        OR EXISTS (SELECT 1 FROM tasks t WHERE t.id = p_task_id AND tenancy_allows(t.project_id));
$$;

-- Writes are checked for every role (the origin may connect as the table owner, which RLS does
-- not bind): a row may only be written into a project the caller may write to. ERRCODE 42501,
-- as an RLS refusal; the origin answers 404 (the project's existence is not revealed).
CREATE FUNCTION tenancy_check_write() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    allowed boolean;
BEGIN
    -- Never set: not the origin (which sets it on every connection it uses) but ops' own SQL or a
    -- migration, as the table owner. The application role is bound by RLS regardless.
    IF current_setting('app.projects', true) IS NULL THEN
        RETURN NEW;
    END IF;
    -- One statement per table shape: plpgsql resolves NEW.<column> only where it runs.
    IF TG_TABLE_NAME = 'projects' THEN
        allowed := tenancy_allows(NEW.id);
    ELSIF TG_TABLE_NAME IN ('tasks', 'workflows', 'deployments', 'pull_requests') THEN
        allowed := tenancy_allows(NEW.project_id);
    ELSIF TG_TABLE_NAME = 'task_dependencies' THEN
        allowed := tenancy_task_visible(NEW.task_id)
                   AND tenancy_task_visible(NEW.depends_on_task_id);
    ELSE  -- rows of a task: validation_results, error_logs, task_contexts
        allowed := tenancy_task_visible(NEW.task_id);
    END IF;
    IF NOT coalesce(allowed, false) THEN
        RAISE EXCEPTION 'the row belongs to a project that is not writable here'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER projects_tenancy_check BEFORE INSERT OR UPDATE ON projects
    FOR EACH ROW EXECUTE FUNCTION tenancy_check_write();
CREATE TRIGGER tasks_tenancy_check BEFORE INSERT OR UPDATE OF project_id ON tasks
    FOR EACH ROW EXECUTE FUNCTION tenancy_check_write();
CREATE TRIGGER workflows_tenancy_check BEFORE INSERT OR UPDATE OF project_id ON workflows
    FOR EACH ROW EXECUTE FUNCTION tenancy_check_write();
CREATE TRIGGER deployments_tenancy_check BEFORE INSERT OR UPDATE OF project_id ON deployments
    FOR EACH ROW EXECUTE FUNCTION tenancy_check_write();
CREATE TRIGGER pull_requests_tenancy_check BEFORE INSERT OR UPDATE OF project_id ON pull_requests
    FOR EACH ROW EXECUTE FUNCTION tenancy_check_write();
CREATE TRIGGER task_dependencies_tenancy_check BEFORE INSERT OR UPDATE ON task_dependencies
    FOR EACH ROW EXECUTE FUNCTION tenancy_check_write();
CREATE TRIGGER task_contexts_tenancy_check BEFORE INSERT OR UPDATE OF task_id ON task_contexts
    FOR EACH ROW EXECUTE FUNCTION tenancy_check_write();
CREATE TRIGGER validation_results_tenancy_check BEFORE INSERT OR UPDATE OF task_id ON validation_results
    FOR EACH ROW EXECUTE FUNCTION tenancy_check_write();
CREATE TRIGGER error_logs_tenancy_check BEFORE INSERT OR UPDATE OF task_id ON error_logs
    FOR EACH ROW EXECUTE FUNCTION tenancy_check_write();

-- The policies bind the application role and the read-only one alike (the origin's login role is
-- a member of both: the admin SQL console reads as taskmaster_readonly). Ops reading as a member
-- of taskmaster_readonly set app.projects to '*' first.
-- Tables with a project column.
CREATE POLICY projects_tenancy ON projects FOR ALL TO taskmaster_api, taskmaster_readonly
    USING (tenancy_allows(id)) WITH CHECK (tenancy_allows(id));
CREATE POLICY tasks_tenancy ON tasks FOR ALL TO taskmaster_api, taskmaster_readonly
    USING (tenancy_allows(project_id)) WITH CHECK (tenancy_allows(project_id));
CREATE POLICY workflows_tenancy ON workflows FOR ALL TO taskmaster_api, taskmaster_readonly
    USING (tenancy_allows(project_id)) WITH CHECK (tenancy_allows(project_id));
CREATE POLICY deployments_tenancy ON deployments FOR ALL TO taskmaster_api, taskmaster_readonly
    USING (tenancy_allows(project_id)) WITH CHECK (tenancy_allows(project_id));
CREATE POLICY pull_requests_tenancy ON pull_requests FOR ALL TO taskmaster_api, taskmaster_readonly
    USING (tenancy_allows(project_id)) WITH CHECK (tenancy_allows(project_id));

-- Tables hanging off a task or a workflow: visible with their parent. '*' short-circuits.
CREATE POLICY task_dependencies_tenancy ON task_dependencies FOR ALL TO taskmaster_api, taskmaster_readonly
    USING (tenancy_task_visible(task_id)) WITH CHECK (tenancy_task_visible(task_id));
CREATE POLICY task_contexts_tenancy ON task_contexts FOR ALL TO taskmaster_api, taskmaster_readonly
    USING (tenancy_task_visible(task_id)) WITH CHECK (tenancy_task_visible(task_id));
CREATE POLICY validation_results_tenancy ON validation_results FOR ALL TO taskmaster_api, taskmaster_readonly
    USING (tenancy_task_visible(task_id)) WITH CHECK (tenancy_task_visible(task_id));
CREATE POLICY error_logs_tenancy ON error_logs FOR ALL TO taskmaster_api, taskmaster_readonly
    USING (tenancy_task_visible(task_id)) WITH CHECK (tenancy_task_visible(task_id));
CREATE POLICY workflow_tasks_tenancy ON workflow_tasks FOR ALL TO taskmaster_api, taskmaster_readonly
    USING (tenancy_task_visible(task_id)) WITH CHECK (tenancy_task_visible(task_id));
CREATE POLICY workflow_stages_tenancy ON workflow_stages FOR ALL TO taskmaster_api, taskmaster_readonly
    USING (tenancy_all() OR EXISTS (SELECT 1 FROM workflows w WHERE w.id = workflow_id))
    WITH CHECK (tenancy_all() OR EXISTS (SELECT 1 FROM workflows w WHERE w.id = workflow_id));
CREATE POLICY deployment_scripts_tenancy ON deployment_scripts FOR ALL TO taskmaster_api, taskmaster_readonly
    USING (tenancy_all()
           OR (task_id IS NOT NULL AND tenancy_task_visible(task_id))
           OR EXISTS (SELECT 1 FROM deployments d WHERE d.id = deployment_id))
    WITH CHECK (tenancy_all()
                OR (task_id IS NOT NULL AND tenancy_task_visible(task_id))
                OR EXISTS (SELECT 1 FROM deployments d WHERE d.id = deployment_id));

ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflows ENABLE ROW LEVEL SECURITY;
ALTER TABLE deployments ENABLE ROW LEVEL SECURITY;
ALTER TABLE pull_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE task_dependencies ENABLE ROW LEVEL SECURITY;
ALTER TABLE task_contexts ENABLE ROW LEVEL SECURITY;
ALTER TABLE validation_results ENABLE ROW LEVEL SECURITY;
ALTER TABLE error_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_stages ENABLE ROW LEVEL SECURITY;
ALTER TABLE deployment_scripts ENABLE ROW LEVEL SECURITY;


-- migrate:down
DROP TRIGGER IF EXISTS error_logs_tenancy_check ON error_logs;
DROP TRIGGER IF EXISTS validation_results_tenancy_check ON validation_results;
DROP TRIGGER IF EXISTS task_contexts_tenancy_check ON task_contexts;
DROP TRIGGER IF EXISTS task_dependencies_tenancy_check ON task_dependencies;
DROP TRIGGER IF EXISTS pull_requests_tenancy_check ON pull_requests;
DROP TRIGGER IF EXISTS deployments_tenancy_check ON deployments;
DROP TRIGGER IF EXISTS workflows_tenancy_check ON workflows;
DROP TRIGGER IF EXISTS tasks_tenancy_check ON tasks;
DROP TRIGGER IF EXISTS projects_tenancy_check ON projects;
DROP FUNCTION IF EXISTS tenancy_check_write();
ALTER TABLE deployment_scripts DISABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_stages DISABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_tasks DISABLE ROW LEVEL SECURITY;
ALTER TABLE error_logs DISABLE ROW LEVEL SECURITY;
ALTER TABLE validation_results DISABLE ROW LEVEL SECURITY;
ALTER TABLE task_contexts DISABLE ROW LEVEL SECURITY;
ALTER TABLE task_dependencies DISABLE ROW LEVEL SECURITY;
ALTER TABLE pull_requests DISABLE ROW LEVEL SECURITY;
ALTER TABLE deployments DISABLE ROW LEVEL SECURITY;
ALTER TABLE workflows DISABLE ROW LEVEL SECURITY;
ALTER TABLE tasks DISABLE ROW LEVEL SECURITY;
ALTER TABLE projects DISABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS deployment_scripts_tenancy ON deployment_scripts;
DROP POLICY IF EXISTS workflow_stages_tenancy ON workflow_stages;
DROP POLICY IF EXISTS workflow_tasks_tenancy ON workflow_tasks;
DROP POLICY IF EXISTS error_logs_tenancy ON error_logs;
DROP POLICY IF EXISTS validation_results_tenancy ON validation_results;
DROP POLICY IF EXISTS task_contexts_tenancy ON task_contexts;
DROP POLICY IF EXISTS task_dependencies_tenancy ON task_dependencies;
DROP POLICY IF EXISTS pull_requests_tenancy ON pull_requests;
DROP POLICY IF EXISTS deployments_tenancy ON deployments;
DROP POLICY IF EXISTS workflows_tenancy ON workflows;
DROP POLICY IF EXISTS tasks_tenancy ON tasks;
DROP POLICY IF EXISTS projects_tenancy ON projects;
DROP FUNCTION IF EXISTS tenancy_task_visible(uuid);
DROP FUNCTION IF EXISTS tenancy_all();
DROP FUNCTION IF EXISTS tenancy_allows(uuid);
