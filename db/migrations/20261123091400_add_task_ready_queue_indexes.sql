-- migrate:up
-- The ready queue of GET /tasks/next and POST /tasks/next/claim (graph/queries.sql): tasks that
-- may be claimable, in the order the queue wants them (priority first, oldest first within it),
-- so the query reads them presorted and stops at the first priority level that has a ready task.
-- Partial: finished tasks, the bulk of a long-lived store, are not in these indexes at all.
CREATE INDEX tasks_ready_queue_idx ON tasks (priority DESC, created_at, id)
    WHERE status IN ('pending', 'in_progress');
CREATE INDEX tasks_project_ready_queue_idx ON tasks (project_id, priority DESC, created_at, id)
    WHERE status IN ('pending', 'in_progress');

-- migrate:down
DROP INDEX IF EXISTS tasks_project_ready_queue_idx;
DROP INDEX IF EXISTS tasks_ready_queue_idx;
