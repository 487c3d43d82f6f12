-- name: task_status_counts
-- Tasks by status for taskmaster_tasks{status}; cached between scrapes (facts.py), since on a
-- large table a full count is not free.
SELECT status, count(*) AS n FROM tasks GROUP BY status;

-- name: wal_archiver
-- WAL archiving as PostgreSQL reports it (pg_stat_archiver is readable by every role).
SELECT current_setting('archive_mode') <> 'off' AS enabled,
       archived_count,
       failed_count,
       extract(epoch FROM last_archived_time)::float8 AS last_archived,
       extract(epoch FROM last_failed_time)::float8 AS last_failed
  FROM pg_stat_archiver;
