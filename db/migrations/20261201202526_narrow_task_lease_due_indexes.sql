-- migrate:up
-- The lapsed-lease probe of next/claim reads these two indexes whatever the statistics say
-- (docs/task-graph.md "Claim queue"). With `WHERE status = 'in_progress'`, the probe had to state
-- `status = 'in_progress'`, which tasks_status_created_at_id_idx serves too: when the statistics
-- showed no in-progress task (right after a seed or a quiet night), PostgreSQL picked that index
-- and filtered every live lease of every project row by row, on every claim (O(leased tasks)).
-- Keyed and filtered by due time alone, the probe's `lease_expires_at <= now()` implies the
-- predicate, and the status is a row filter no status index can serve: one probe when nothing
-- lapsed. Leased tasks are in progress; a pending task with a lease (status moved back by hand)
-- is the one extra entry. The global index carries the always-true `lease_token >= 0` that only
-- the any-scope statements state (as tasks_claim_queue_idx does): a project's probe cannot pick
-- it and read other projects' lapsed leases.
DROP INDEX tasks_project_lease_due_idx;
DROP INDEX tasks_lease_due_idx;
CREATE INDEX tasks_project_lease_due_idx ON tasks (project_id, lease_expires_at)
    WHERE lease_expires_at IS NOT NULL;
CREATE INDEX tasks_lease_due_idx ON tasks (lease_expires_at)
    WHERE lease_expires_at IS NOT NULL AND lease_token >= 0;

-- migrate:down
DROP INDEX tasks_project_lease_due_idx;
DROP INDEX tasks_lease_due_idx;
CREATE INDEX tasks_project_lease_due_idx ON tasks (project_id, lease_expires_at)
    WHERE status = 'in_progress' AND lease_expires_at IS NOT NULL;
CREATE INDEX tasks_lease_due_idx ON tasks (lease_expires_at)
    WHERE status = 'in_progress' AND lease_expires_at IS NOT NULL;
