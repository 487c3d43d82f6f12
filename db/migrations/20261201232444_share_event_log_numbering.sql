-- migrate:up
-- One home for the rule "a transaction numbers at most 2^20 events" (docs/stream.md, "Ids"): the
-- statement-level trigger (inserts, deletes) and the row-level one (updates, since
-- log_updates_per_row) each wrote the check and the counter update themselves. The statement
-- trigger's UPDATE branch is gone too: no trigger has called it for an UPDATE since then.

-- How many events this transaction has numbered so far.
CREATE FUNCTION event_log_numbered() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(nullif(current_setting('taskmaster.event_log_n', true), ''), '0')::bigint;
$$;

-- After `done` events, this transaction numbered `wrote` more (event_log_id gave each id); past
-- 2^20 the ids would run into the next xid's, so the change is refused.
CREATE FUNCTION event_log_count(done bigint, wrote bigint) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF done + wrote > 1048576 THEN
        RAISE EXCEPTION 'more than 1048576 event-log events in one transaction'
            USING ERRCODE = 'program_limit_exceeded',
                  HINT = 'Split the change into several transactions (docs/stream.md, "Ids").';
    END IF;
    IF wrote > 0 THEN
        PERFORM set_config('taskmaster.event_log_n', (done + wrote)::text, true);
    END IF;
END;
$$;

CREATE OR REPLACE FUNCTION event_log_record() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    kind  text := TG_ARGV[0];
    base  bigint := event_log_base();
    done  bigint := event_log_numbered();
    wrote bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO event_log (id, project_id, type, resource_kind, resource_id, payload)
        SELECT event_log_id(base, done + x.i), event_log_project(kind, x.r), kind || '.created',
               kind, (x.r ->> 'id')::uuid, jsonb_build_object('data', x.r, 'changes', '[]'::jsonb)
        FROM (SELECT to_jsonb(r) AS r, row_number() OVER () - 1 AS i FROM new_rows r) x;
    ELSE
        INSERT INTO event_log (id, project_id, type, resource_kind, resource_id, payload)
        SELECT event_log_id(base, done + x.i), event_log_project(kind, x.r), kind || '.deleted',
               kind, (x.r ->> 'id')::uuid, jsonb_build_object('data', x.r, 'changes', '[]'::jsonb)
        FROM (SELECT to_jsonb(r) AS r, row_number() OVER () - 1 AS i FROM old_rows r) x;
    END IF;
    GET DIAGNOSTICS wrote = ROW_COUNT;
    PERFORM event_log_count(done, wrote);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION event_log_record_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    kind    text := TG_ARGV[0];
    done    bigint := event_log_numbered();
    o       jsonb := to_jsonb(OLD);
    n       jsonb := to_jsonb(NEW);
    changed text[] := event_log_changed(o, n);
BEGIN
    IF cardinality(changed) = 0 THEN
        RETURN NULL;  -- bookkeeping only (version, counters): no news
    END IF;
    INSERT INTO event_log (id, project_id, type, resource_kind, resource_id, payload)
    VALUES (event_log_id(event_log_base(), done), event_log_project(kind, n),
            event_log_update_type(kind, o, n, changed), kind, (n ->> 'id')::uuid,
            jsonb_build_object('data', n, 'changes', to_jsonb(changed)));
    PERFORM event_log_count(done, 1);
    RETURN NULL;
END;
$$;

-- migrate:down
CREATE OR REPLACE FUNCTION event_log_record_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    kind    text := TG_ARGV[0];
    done    bigint := coalesce(nullif(current_setting('taskmaster.event_log_n', true), ''), '0');
    o       jsonb := to_jsonb(OLD);
    n       jsonb := to_jsonb(NEW);
    changed text[] := event_log_changed(o, n);
BEGIN
    IF cardinality(changed) = 0 THEN
        RETURN NULL;  -- bookkeeping only (version, counters): no news
    END IF;
    IF done >= 1048576 THEN
        RAISE EXCEPTION 'more than 1048576 event-log events in one transaction'
            USING ERRCODE = 'program_limit_exceeded',
                  HINT = 'Split the change into several transactions (docs/stream.md, "Ids").';
    END IF;
    INSERT INTO event_log (id, project_id, type, resource_kind, resource_id, payload)
    VALUES (event_log_base() | done, event_log_project(kind, n),
            event_log_update_type(kind, o, n, changed), kind, (n ->> 'id')::uuid,
            jsonb_build_object('data', n, 'changes', to_jsonb(changed)));
    PERFORM set_config('taskmaster.event_log_n', (done + 1)::text, true);
    RETURN NULL;
END;
$$;

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

DROP FUNCTION event_log_count(bigint, bigint);
DROP FUNCTION event_log_numbered();
