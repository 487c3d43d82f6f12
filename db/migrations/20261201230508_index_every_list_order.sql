-- migrate:up
-- Every documented sort of every list (`?sort=<field>` or `-<field>`, ties broken by id) is read
-- from an index in that order: without one, each page sorted the whole list (a cost that grows with
-- the table). One (field, id) btree serves both directions; a sub-collection's index leads with its
-- parent's column and serves its default order (its other sorts sort the parent's rows). tests/plans/test_list_orders.py checks every list against these.
-- Four indexes become their longer form (the old one is its prefix, so nothing else loses it).
DROP INDEX tasks_parent_task_id_idx;
CREATE INDEX tasks_parent_task_id_idx ON tasks (parent_task_id, created_at, id)
    WHERE parent_task_id IS NOT NULL;
DROP INDEX audit_logs_table_row_idx;
CREATE INDEX audit_logs_table_row_idx ON audit_logs (table_name, row_id, created_at, id);
DROP INDEX deployment_scripts_deployment_order_idx;
CREATE INDEX deployment_scripts_deployment_order_idx ON deployment_scripts
    (deployment_id, execution_order, id) WHERE deployment_id IS NOT NULL;
DROP INDEX integration_events_integration_created_at_idx;
CREATE INDEX integration_events_integration_created_at_idx ON integration_events
    (integration_id, created_at, id);

CREATE INDEX agent_configurations_name_id_idx ON agent_configurations (name, id);
CREATE INDEX agent_configurations_updated_at_id_idx ON agent_configurations (updated_at, id);
CREATE INDEX configuration_settings_key_id_idx ON configuration_settings (key, id);
CREATE INDEX configuration_settings_updated_at_id_idx ON configuration_settings (updated_at, id);
CREATE INDEX deployments_environment_id_idx ON deployments (environment, id);
CREATE INDEX deployments_status_id_idx ON deployments (status, id);
CREATE INDEX deployments_updated_at_id_idx ON deployments (updated_at, id);
CREATE INDEX error_logs_occurrence_count_id_idx ON error_logs (occurrence_count, id);
CREATE INDEX event_subscriptions_name_id_idx ON event_subscriptions (name, id);
CREATE INDEX integrations_name_id_idx ON integrations (name, id);
CREATE INDEX integrations_updated_at_id_idx ON integrations (updated_at, id);
CREATE INDEX projects_created_at_id_idx ON projects (created_at, id);
CREATE INDEX projects_name_id_idx ON projects (name, id);
CREATE INDEX projects_slug_id_idx ON projects (slug, id);
CREATE INDEX projects_updated_at_id_idx ON projects (updated_at, id);
CREATE INDEX pull_requests_pr_number_id_idx ON pull_requests (pr_number, id);
CREATE INDEX pull_requests_updated_at_id_idx ON pull_requests (updated_at, id);
CREATE INDEX task_contexts_task_id_created_at_id_idx ON task_contexts (task_id, created_at, id);
CREATE INDEX task_dependencies_task_id_created_at_id_idx ON task_dependencies
    (task_id, created_at, id);
CREATE INDEX tasks_status_id_idx ON tasks (status, id);
CREATE INDEX tasks_title_id_idx ON tasks (title, id);
CREATE INDEX templates_name_id_idx ON templates (name, id);
CREATE INDEX templates_updated_at_id_idx ON templates (updated_at, id);
CREATE INDEX templates_usage_count_id_idx ON templates (usage_count, id);
CREATE INDEX validation_results_updated_at_id_idx ON validation_results (updated_at, id);
CREATE INDEX workflow_stages_workflow_order_id_idx ON workflow_stages (workflow_id, stage_order, id);
CREATE INDEX workflows_name_id_idx ON workflows (name, id);
CREATE INDEX workflows_status_id_idx ON workflows (status, id);
CREATE INDEX workflows_updated_at_id_idx ON workflows (updated_at, id);

-- migrate:down
DROP INDEX agent_configurations_name_id_idx, agent_configurations_updated_at_id_idx,
    configuration_settings_key_id_idx, configuration_settings_updated_at_id_idx,
    deployments_environment_id_idx, deployments_status_id_idx, deployments_updated_at_id_idx,
    error_logs_occurrence_count_id_idx, event_subscriptions_name_id_idx, integrations_name_id_idx,
    integrations_updated_at_id_idx, projects_created_at_id_idx, projects_name_id_idx,
    projects_slug_id_idx, projects_updated_at_id_idx, pull_requests_pr_number_id_idx,
    pull_requests_updated_at_id_idx, task_contexts_task_id_created_at_id_idx,
    task_dependencies_task_id_created_at_id_idx, tasks_status_id_idx, tasks_title_id_idx,
    templates_name_id_idx, templates_updated_at_id_idx, templates_usage_count_id_idx,
    validation_results_updated_at_id_idx, workflow_stages_workflow_order_id_idx,
    workflows_name_id_idx, workflows_status_id_idx, workflows_updated_at_id_idx;
DROP INDEX tasks_parent_task_id_idx;
CREATE INDEX tasks_parent_task_id_idx ON tasks (parent_task_id) WHERE parent_task_id IS NOT NULL;
DROP INDEX audit_logs_table_row_idx;
CREATE INDEX audit_logs_table_row_idx ON audit_logs (table_name, row_id, created_at);
DROP INDEX deployment_scripts_deployment_order_idx;
CREATE INDEX deployment_scripts_deployment_order_idx ON deployment_scripts
    (deployment_id, execution_order) WHERE deployment_id IS NOT NULL;
DROP INDEX integration_events_integration_created_at_idx;
CREATE INDEX integration_events_integration_created_at_idx ON integration_events
    (integration_id, created_at);
