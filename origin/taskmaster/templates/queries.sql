-- Named statements for templates (loaded by taskmaster.db.sql.load_queries).

-- fragment: template_columns
-- The select list of a template; its order is the field order of schemas.Template.
id, name, template_type, category, description, content, variables, tags, is_active, usage_count,
success_rate::float8, last_used_at, metadata, version, created_at, updated_at

-- name: get_template
SELECT {{template_columns}} FROM templates WHERE id = %(id)s;

-- name: insert_template
INSERT INTO templates (
    name, content, template_type, category, description, variables, tags, is_active, success_rate,
    metadata
) VALUES (
    %(name)s, %(content)s, %(template_type)s, %(category)s, %(description)s, %(variables)s,
    %(tags)s, %(is_active)s, %(success_rate)s, %(metadata)s
)
RETURNING {{template_columns}};

-- name: replace_template
UPDATE templates SET
    name = %(name)s,
    content = %(content)s,
    template_type = %(template_type)s,
    category = %(category)s,
    description = %(description)s,
    variables = %(variables)s,
    tags = %(tags)s,
    is_active = %(is_active)s,
    success_rate = %(success_rate)s,
    metadata = %(metadata)s
WHERE id = %(id)s AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING {{template_columns}};

-- name: patch_template
-- PATCH: only the columns named in %(fields)s change.
UPDATE templates SET
    name = CASE WHEN 'name' = ANY(%(fields)s) THEN %(name)s ELSE name END,
    content = CASE WHEN 'content' = ANY(%(fields)s) THEN %(content)s ELSE content END,
    template_type = CASE WHEN 'template_type' = ANY(%(fields)s) THEN %(template_type)s ELSE template_type END,
    category = CASE WHEN 'category' = ANY(%(fields)s) THEN %(category)s ELSE category END,
    description = CASE WHEN 'description' = ANY(%(fields)s) THEN %(description)s ELSE description END,
    variables = CASE WHEN 'variables' = ANY(%(fields)s) THEN %(variables)s ELSE variables END,
    tags = CASE WHEN 'tags' = ANY(%(fields)s) THEN %(tags)s ELSE tags END,
    is_active = CASE WHEN 'is_active' = ANY(%(fields)s) THEN %(is_active)s ELSE is_active END,
    success_rate = CASE WHEN 'success_rate' = ANY(%(fields)s) THEN %(success_rate)s ELSE success_rate END,
    metadata = CASE WHEN 'metadata' = ANY(%(fields)s) THEN %(metadata)s ELSE metadata END
WHERE id = %(id)s AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING {{template_columns}};

-- name: delete_template
DELETE FROM templates
WHERE id = %(id)s AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING id;

-- name: count_use
-- One render: usage_count and last_used_at (the row version moves with them).
UPDATE templates SET usage_count = usage_count + 1, last_used_at = now()
WHERE id = %(id)s
RETURNING version, usage_count;
