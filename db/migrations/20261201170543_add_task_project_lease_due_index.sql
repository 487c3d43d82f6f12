-- migrate:up
-- The lapsed-lease probe of a project's next/claim (docs/task-graph.md "Claim queue"): with only
-- the global tasks_lease_due_idx, PostgreSQL picked tasks_project_status_idx (project_id, status)
-- whenever its statistics showed few in-progress tasks in the project (e.g. right after a seed),
-- then filtered every live lease of the project row by row: each claim cost O(leased tasks), and
-- a single agent slowed down as its leases accumulated. Leading with project_id and ordered by
-- due time, this index beats that plan under any statistics: one probe when nothing lapsed.
CREATE INDEX tasks_project_lease_due_idx ON tasks (project_id, lease_expires_at)
    WHERE status = 'in_progress' AND lease_expires_at IS NOT NULL;

-- migrate:down
DROP INDEX tasks_project_lease_due_idx;
