-- migrate:up
-- Cheaper work on every task update (issue 14: a claim's and a batch claim's database CPU; the
-- price list is in docs/task-graph.md, "Fourth pass"). Same rows written, same content.
--
-- tasks_sync_completion changes nothing for an unfinished task whose completed_at is already
-- NULL (a claim, a release, a heartbeat's status-less update): skip the call there.
DROP TRIGGER tasks_sync_completion ON tasks;
CREATE TRIGGER tasks_sync_completion BEFORE INSERT OR UPDATE OF status, completed_at ON tasks
    FOR EACH ROW
    WHEN (NEW.status IN ('completed', 'failed', 'cancelled') OR NEW.completed_at IS NOT NULL)
    EXECUTE FUNCTION tasks_sync_completion();

-- GIN indexes no statement reads. No API filter, sort or search touches tasks.title by
-- trigram or tasks.metadata by containment (the only GIN-served filter is ?tag=), yet a claim
-- is never a HOT update, so each added entries to both pending lists, and the backend that
-- overflowed one flushed it: measured on the bench's claims, the title list filled after ~18,000
-- claims and its flush took 150 ms (metadata: 13 ms per 17,200 claims), inside some claim.
DROP INDEX tasks_title_trgm_idx;
DROP INDEX tasks_metadata_gin_idx;
-- The tag index stays (tests/plans: the ?tag= list reads it). A smaller pending list bounds the
-- flush a write pays (~0.15 ms per pending page measured: 4 MB, 512 pages, ~75 ms; 512 kB, ~9 ms)
-- for the same total work.
ALTER INDEX tasks_tags_gin_idx SET (gin_pending_list_limit = 512);

-- Dead queue entries: a claimed task's entry stays in the claim queue index until VACUUM, and
-- each claim steps over the ones at the head. Measured (one backend, bench seed of 20,000 ready
-- tasks, autovacuum off): 1,011 µs per claim for the first 1,000 claims, 1,278 µs after 14,000,
-- 909 µs right after a VACUUM (228 ms). PostgreSQL's default waits for 20 % of the table to be
-- dead; vacuum tasks after 2 % (+1,000 rows) instead, so the head stays short. (Autovacuum still
-- looks at a database once per autovacuum_naptime, 1 min by default.)
ALTER TABLE tasks SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 1000);

-- migrate:down
ALTER TABLE tasks RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold);
ALTER INDEX tasks_tags_gin_idx RESET (gin_pending_list_limit);
CREATE INDEX tasks_metadata_gin_idx ON tasks USING gin (metadata jsonb_path_ops);
CREATE INDEX tasks_title_trgm_idx ON tasks USING gin (title gin_trgm_ops);

DROP TRIGGER tasks_sync_completion ON tasks;
CREATE TRIGGER tasks_sync_completion BEFORE INSERT OR UPDATE OF status, completed_at ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_sync_completion();
