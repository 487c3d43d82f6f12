-- migrate:up
-- Event ids known at INSERT, gap-free for readers by an xid watermark (docs/stream.md, "Ids").
--
-- The first event log numbered rows after commit (sequence_event_log: one UPDATE per event, a
-- second heap tuple and two index writes, plus a polling loop under an advisory lock in every
-- process). Now the writer's trigger gives each event its id:
--
--     id = (top-level xid << 20) | n      n = the event's index within its transaction
--
-- so ids order events by transaction, then by the order they were written. Transactions commit
-- in another order than their xids, so a reader must not read ids it could later see filled in
-- below: it reads only ids below event_log_readable_before() = (its snapshot's xmin << 20).
-- Every transaction with an xid below the snapshot's xmin has ended, and xids are handed out in
-- increasing order, so no row can ever appear below that bound: what a reader sees is a
-- gap-free prefix (ids of rolled-back transactions never appear). The price: an event becomes
-- readable when every transaction that got its xid before the event's own has ended, so a
-- long-open writing transaction holds the stream back until it ends.
--
-- Limits: at most 2^20 (1,048,576) events per transaction (past it the trigger raises
-- program_limit_exceeded); ids stay below 2^53 (JavaScript's safe integers) while the
-- cluster's xid8 is below 2^33, i.e. while its xid epoch is 0 or 1.

LOCK TABLE event_log IN ACCESS EXCLUSIVE MODE;  -- no writer between the check and the swap

-- The events of one transaction (also a check of the layout's limits). Inlined by the planner.
-- An index past the limit gets a negative id, which can collide with nobody's real id, so the
-- trigger's own check (after its INSERT) reports the overflow rather than a unique violation.
CREATE FUNCTION event_log_id(base bigint, i bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN i < 1048576 THEN base | i ELSE -i END;
$$;

-- The first id of the current transaction's events (assigning it an xid if it has none yet).
-- STABLE, as the xid is fixed once assigned: an index can compare ids with it.
CREATE FUNCTION event_log_base() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT pg_current_xact_id()::text::bigint << 20;
$$;

-- Readers read only ids below this (see above). STABLE: one value per statement, that of the
-- statement's snapshot.
CREATE FUNCTION event_log_readable_before() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 20;
$$;

DO $$
DECLARE
    base   bigint := event_log_base();
    oldest bigint;
    todo   bigint;
BEGIN
    -- Existing ids stay: they must sort before every id a transaction can be given from now.
    SELECT max(seq) INTO oldest FROM event_log;
    IF oldest >= base THEN
        RAISE EXCEPTION 'event_log id % is not below this transaction''s first id %', oldest, base;
    END IF;
    -- Committed rows the sequencer had not numbered yet become this transaction's events.
    SELECT count(*) INTO todo FROM event_log WHERE seq IS NULL;
    IF todo >= 1048576 THEN
        RAISE EXCEPTION '% unnumbered event_log rows: more than one transaction''s ids', todo
            USING ERRCODE = 'program_limit_exceeded';
    END IF;
    UPDATE event_log e SET seq = base | u.i
    FROM (SELECT ctid, row_number() OVER (ORDER BY pos) - 1 AS i
          FROM event_log WHERE seq IS NULL) u
    WHERE e.ctid = u.ctid;
    PERFORM set_config('taskmaster.event_log_n', todo::text, true);
END;
$$;

DROP FUNCTION sequence_event_log(integer);
DROP INDEX event_log_unsequenced_idx;
DROP INDEX event_log_seq_key;
ALTER TABLE event_log DROP COLUMN pos;
ALTER TABLE event_log RENAME COLUMN seq TO id;
ALTER TABLE event_log ADD PRIMARY KEY (id);
COMMENT ON COLUMN event_log.id IS
    'the public id (SSE id:, Last-Event-ID): (xid << 20) | index in its transaction';
DROP SEQUENCE event_log_seq;

-- A dependency belongs to the project of its dependent task. When that task's deletion
-- cascades to its dependencies, their statement trigger runs after the task is gone (and after
-- its task.deleted event was written, in this transaction): the project is that event's.
CREATE OR REPLACE FUNCTION event_log_project(kind text, r jsonb) RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN kind = 'dependency'
                THEN coalesce(
                    (SELECT t.project_id FROM tasks t WHERE t.id = (r ->> 'task_id')::uuid),
                    (SELECT e.project_id FROM event_log e
                     WHERE e.id >= event_log_base() AND e.id < event_log_base() + 1048576
                       AND e.resource_id = (r ->> 'task_id')::uuid AND e.type = 'task.deleted'))
                ELSE (r ->> 'project_id')::uuid END;
$$;

-- One trigger function for every logged table; TG_ARGV[0] is the resource kind. Each call
-- numbers its rows after those of the transaction's earlier calls (the transaction-local
-- setting taskmaster.event_log_n counts them; a savepoint's rollback rolls it back too).
CREATE OR REPLACE FUNCTION event_log_record() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kind  text := TG_ARGV[0];
    base  bigint := event_log_base();
    done  bigint := coalesce(nullif(current_setting('taskmaster.event_log_n', true), ''), '0');
    wrote bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO event_log (id, project_id, type, resource_kind, resource_id, payload)
        SELECT event_log_id(base, done + x.i), event_log_project(kind, x.r), kind || '.created',
               kind, (x.r ->> 'id')::uuid, jsonb_build_object('data', x.r, 'changes', '[]'::jsonb)
        FROM (SELECT to_jsonb(r) AS r, row_number() OVER () - 1 AS i FROM new_rows r) x;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO event_log (id, project_id, type, resource_kind, resource_id, payload)
        SELECT event_log_id(base, done + x.i), event_log_project(kind, x.r), kind || '.deleted',
               kind, (x.r ->> 'id')::uuid, jsonb_build_object('data', x.r, 'changes', '[]'::jsonb)
        FROM (SELECT to_jsonb(r) AS r, row_number() OVER () - 1 AS i FROM old_rows r) x;
    ELSE
        INSERT INTO event_log (id, project_id, type, resource_kind, resource_id, payload)
        SELECT event_log_id(base, done + row_number() OVER () - 1), event_log_project(kind, c.n),
               event_log_update_type(kind, c.o, c.n, c.changed), kind, (c.n ->> 'id')::uuid,
               jsonb_build_object('data', c.n, 'changes', to_jsonb(c.changed))
        FROM (
            SELECT n.r AS n, o.r AS o, event_log_changed(o.r, n.r) AS changed
            FROM (SELECT to_jsonb(n) AS r FROM new_rows n) n
            JOIN (SELECT to_jsonb(o) AS r FROM old_rows o) o ON o.r -> 'id' = n.r -> 'id'
        ) c
        WHERE cardinality(c.changed) > 0;
    END IF;
    GET DIAGNOSTICS wrote = ROW_COUNT;
    IF done + wrote > 1048576 THEN
        RAISE EXCEPTION 'more than 1048576 event-log events in one transaction'
            USING ERRCODE = 'program_limit_exceeded',
                  HINT = 'Split the change into several transactions (docs/stream.md, "Ids").';
    END IF;
    IF wrote > 0 THEN
        PERFORM set_config('taskmaster.event_log_n', (done + wrote)::text, true);
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION purge_event_log(days integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    top bigint;
    n   bigint;
BEGIN
    IF days IS NULL OR days < 1 THEN
        RAISE EXCEPTION 'event log retention must be a positive number of days, got %', days
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    WITH gone AS (
        DELETE FROM event_log WHERE created_at < now() - make_interval(days => days)
        RETURNING id
    )
    SELECT max(id), count(*) INTO top, n FROM gone;
    UPDATE event_log_horizon SET purged_through = greatest(purged_through, top)
    WHERE top IS NOT NULL;
    RETURN n;
END;
$$;

-- migrate:down
-- Back to numbering after commit: every row keeps its id as its seq; the sequence goes on
-- above the highest, so ids still only increase.
LOCK TABLE event_log IN ACCESS EXCLUSIVE MODE;
CREATE OR REPLACE FUNCTION event_log_record() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kind text := TG_ARGV[0];
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO event_log (project_id, type, resource_kind, resource_id, payload)
        SELECT event_log_project(kind, r), kind || '.created', kind, (r ->> 'id')::uuid,
               jsonb_build_object('data', r, 'changes', '[]'::jsonb)
        FROM (SELECT to_jsonb(n) AS r FROM new_rows n) x;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO event_log (project_id, type, resource_kind, resource_id, payload)
        SELECT event_log_project(kind, r), kind || '.deleted', kind, (r ->> 'id')::uuid,
               jsonb_build_object('data', r, 'changes', '[]'::jsonb)
        FROM (SELECT to_jsonb(o) AS r FROM old_rows o) x;
    ELSE
        INSERT INTO event_log (project_id, type, resource_kind, resource_id, payload)
        SELECT event_log_project(kind, c.n), event_log_update_type(kind, c.o, c.n, c.changed),
               kind, (c.n ->> 'id')::uuid,
               jsonb_build_object('data', c.n, 'changes', to_jsonb(c.changed))
        FROM (
            SELECT n.r AS n, o.r AS o, event_log_changed(o.r, n.r) AS changed
            FROM (SELECT to_jsonb(n) AS r FROM new_rows n) n
            JOIN (SELECT to_jsonb(o) AS r FROM old_rows o) o ON o.r -> 'id' = n.r -> 'id'
        ) c
        WHERE cardinality(c.changed) > 0;
    END IF;
    RETURN NULL;
END;
$$;
CREATE OR REPLACE FUNCTION event_log_project(kind text, r jsonb) RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN kind = 'dependency'
                THEN (SELECT t.project_id FROM tasks t WHERE t.id = (r ->> 'task_id')::uuid)
                ELSE (r ->> 'project_id')::uuid END;
$$;

ALTER TABLE event_log DROP CONSTRAINT event_log_pkey;
ALTER TABLE event_log RENAME COLUMN id TO seq;
ALTER TABLE event_log ALTER COLUMN seq DROP NOT NULL;
COMMENT ON COLUMN event_log.seq IS NULL;
ALTER TABLE event_log ADD COLUMN pos bigint GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX event_log_seq_key ON event_log (seq) WHERE seq IS NOT NULL;
CREATE INDEX event_log_unsequenced_idx ON event_log (pos) WHERE seq IS NULL;
CREATE SEQUENCE event_log_seq;
SELECT setval('event_log_seq', max(seq)) FROM event_log HAVING max(seq) IS NOT NULL;

CREATE FUNCTION sequence_event_log(batch integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    top bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock(7594736531064935) THEN  -- "event_log" sequencer
        RETURN NULL;
    END IF;
    -- A new statement, so its snapshot sees the previous batch's numbers.
    WITH todo AS (
        SELECT ctid FROM event_log WHERE seq IS NULL ORDER BY pos LIMIT batch
    ), numbered AS (
        UPDATE event_log e SET seq = nextval('event_log_seq')
        FROM todo WHERE e.ctid = todo.ctid
        RETURNING e.seq
    )
    SELECT max(seq) INTO top FROM numbered;
    IF top IS NOT NULL THEN
        PERFORM pg_notify('event_log', top::text);
    END IF;
    RETURN top;
END;
$$;
GRANT EXECUTE ON FUNCTION sequence_event_log(integer) TO taskmaster_api;

CREATE OR REPLACE FUNCTION purge_event_log(days integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    top bigint;
    n   bigint;
BEGIN
    IF days IS NULL OR days < 1 THEN
        RAISE EXCEPTION 'event log retention must be a positive number of days, got %', days
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    WITH gone AS (
        DELETE FROM event_log WHERE created_at < now() - make_interval(days => days)
        RETURNING seq
    )
    SELECT max(seq), count(*) INTO top, n FROM gone;
    UPDATE event_log_horizon SET purged_through = greatest(purged_through, top)
    WHERE top IS NOT NULL;
    RETURN n;
END;
$$;
DROP FUNCTION event_log_readable_before();
DROP FUNCTION event_log_base();
DROP FUNCTION event_log_id(bigint, bigint);
