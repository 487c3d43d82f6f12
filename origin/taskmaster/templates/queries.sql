-- Named statements for templates (loaded by taskmaster.db.sql.load_queries); reads and CRUD are
-- composed by the TEMPLATES table (service.py).

-- name: count_use
-- One render: usage_count and last_used_at (the row version moves with them).
UPDATE templates SET usage_count = usage_count + 1, last_used_at = now()
WHERE id = %(id)s
RETURNING version, usage_count;
