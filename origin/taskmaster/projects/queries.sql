-- Named statements for the projects resource (loaded by taskmaster.db.sql.load_queries).

-- fragment: project_columns
-- The select list of a project; its order is the field order of schemas.Project.
id, name, slug, description, repository_url, status, settings, metadata, version, created_at,
updated_at

-- name: get_project
SELECT {{project_columns}} FROM projects WHERE id = %(id)s AND tenancy_allows(id);

-- name: insert_project
INSERT INTO projects (name, slug, description, repository_url, status, settings, metadata)
VALUES (%(name)s, %(slug)s, %(description)s, %(repository_url)s, %(status)s, %(settings)s,
        %(metadata)s)
RETURNING {{project_columns}};

-- name: replace_project
UPDATE projects SET
    name = %(name)s, slug = %(slug)s, description = %(description)s,
    repository_url = %(repository_url)s, status = %(status)s, settings = %(settings)s,
    metadata = %(metadata)s
WHERE id = %(id)s AND tenancy_allows(id) AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING {{project_columns}};

-- name: patch_project
-- PATCH: only the columns named in %(fields)s change.
UPDATE projects SET
    name = CASE WHEN 'name' = ANY(%(fields)s) THEN %(name)s ELSE name END,
    slug = CASE WHEN 'slug' = ANY(%(fields)s) THEN %(slug)s ELSE slug END,
    description = CASE WHEN 'description' = ANY(%(fields)s) THEN %(description)s ELSE description END,
    repository_url = CASE WHEN 'repository_url' = ANY(%(fields)s)
        THEN %(repository_url)s ELSE repository_url END,
    status = CASE WHEN 'status' = ANY(%(fields)s) THEN %(status)s ELSE status END,
    settings = CASE WHEN 'settings' = ANY(%(fields)s) THEN %(settings)s ELSE settings END,
    metadata = CASE WHEN 'metadata' = ANY(%(fields)s) THEN %(metadata)s ELSE metadata END
WHERE id = %(id)s AND tenancy_allows(id) AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING {{project_columns}};

-- name: delete_project
-- Refused by the tasks/workflows/deployments FKs (ON DELETE RESTRICT) while rows reference it.
DELETE FROM projects
WHERE id = %(id)s AND tenancy_allows(id) AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING id;
