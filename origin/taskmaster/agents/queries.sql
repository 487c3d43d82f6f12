-- Named statements for agent configurations (loaded by taskmaster.db.sql.load_queries).

-- fragment: agent_columns
-- The select list of an agent configuration; its order is the field order of schemas.Agent.
id, name, agent_type, description, model, configuration, capabilities, max_concurrent_tasks,
timeout_seconds, is_active, health_status, last_health_check_at, last_error, metadata, version,
created_at, updated_at

-- name: get_agent
SELECT {{agent_columns}} FROM agent_configurations WHERE id = %(id)s;

-- name: insert_agent
INSERT INTO agent_configurations (
    name, agent_type, description, model, configuration, capabilities, max_concurrent_tasks,
    timeout_seconds, is_active, health_status, last_health_check_at, last_error, metadata
) VALUES (
    %(name)s, %(agent_type)s, %(description)s, %(model)s, %(configuration)s, %(capabilities)s,
    %(max_concurrent_tasks)s, %(timeout_seconds)s, %(is_active)s, %(health_status)s,
    %(last_health_check_at)s, %(last_error)s, %(metadata)s
)
RETURNING {{agent_columns}};

-- name: replace_agent
UPDATE agent_configurations SET
    name = %(name)s,
    agent_type = %(agent_type)s,
    description = %(description)s,
    model = %(model)s,
    configuration = %(configuration)s,
    capabilities = %(capabilities)s,
    max_concurrent_tasks = %(max_concurrent_tasks)s,
    timeout_seconds = %(timeout_seconds)s,
    is_active = %(is_active)s,
    health_status = %(health_status)s,
    last_health_check_at = %(last_health_check_at)s,
    last_error = %(last_error)s,
    metadata = %(metadata)s
WHERE id = %(id)s AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING {{agent_columns}};

-- name: patch_agent
-- PATCH: only the columns named in %(fields)s change.
UPDATE agent_configurations SET
    name = CASE WHEN 'name' = ANY(%(fields)s) THEN %(name)s ELSE name END,
    agent_type = CASE WHEN 'agent_type' = ANY(%(fields)s) THEN %(agent_type)s ELSE agent_type END,
    description = CASE WHEN 'description' = ANY(%(fields)s) THEN %(description)s ELSE description END,
    model = CASE WHEN 'model' = ANY(%(fields)s) THEN %(model)s ELSE model END,
    configuration = CASE WHEN 'configuration' = ANY(%(fields)s) THEN %(configuration)s ELSE configuration END,
    capabilities = CASE WHEN 'capabilities' = ANY(%(fields)s) THEN %(capabilities)s ELSE capabilities END,
    max_concurrent_tasks = CASE WHEN 'max_concurrent_tasks' = ANY(%(fields)s) THEN %(max_concurrent_tasks)s ELSE max_concurrent_tasks END,
    timeout_seconds = CASE WHEN 'timeout_seconds' = ANY(%(fields)s) THEN %(timeout_seconds)s ELSE timeout_seconds END,
    is_active = CASE WHEN 'is_active' = ANY(%(fields)s) THEN %(is_active)s ELSE is_active END,
    health_status = CASE WHEN 'health_status' = ANY(%(fields)s) THEN %(health_status)s ELSE health_status END,
    last_health_check_at = CASE WHEN 'last_health_check_at' = ANY(%(fields)s) THEN %(last_health_check_at)s ELSE last_health_check_at END,
    last_error = CASE WHEN 'last_error' = ANY(%(fields)s) THEN %(last_error)s ELSE last_error END,
    metadata = CASE WHEN 'metadata' = ANY(%(fields)s) THEN %(metadata)s ELSE metadata END
WHERE id = %(id)s AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING {{agent_columns}};

-- name: delete_agent
DELETE FROM agent_configurations
WHERE id = %(id)s AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING id;
