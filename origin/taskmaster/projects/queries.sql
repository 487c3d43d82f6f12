-- Statements of the projects resource with rules of their own (the rest are composed by
-- taskmaster.db.table.Table; loaded by taskmaster.db.sql.load_queries).

-- fragment: project_columns
-- The select list of a project; its order is the field order of schemas.Project.
id, name, slug, description, repository_url, status, settings, metadata, version, created_at,
updated_at

-- name: replace_project
-- A PUT without slug keeps the current one.
UPDATE projects SET
    name = %(name)s, slug = COALESCE(%(slug)s, slug), description = %(description)s,
    repository_url = %(repository_url)s, status = %(status)s, settings = %(settings)s,
    metadata = %(metadata)s
WHERE id = %(id)s AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING {{project_columns}};

-- name: first_free_slug
-- The first of the candidate slugs (in order) no project uses yet; none when all are taken.
SELECT candidate
FROM unnest(%(candidates)s::text[]) WITH ORDINALITY AS c(candidate, n)
WHERE NOT EXISTS (SELECT 1 FROM projects WHERE slug = c.candidate)
ORDER BY n
LIMIT 1;
