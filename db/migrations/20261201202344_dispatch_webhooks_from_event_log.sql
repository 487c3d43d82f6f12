-- migrate:up
-- Outbound webhooks (docs/events.md) from the event log (issue 17): writers no longer record
-- outbound events (the four *_record_events triggers go); a dispatcher reads the event log after
-- a stored cursor, below the readable bound (docs/stream.md, "Ids": a gap-free prefix), and
-- turns each event with a webhook type into an outbound_events row and one delivery per matching
-- active subscription; the delivery, retry and signature machinery is unchanged. One dispatcher
-- at a time: the cursor row is locked FOR UPDATE SKIP LOCKED (a second caller returns at once).
--
-- The cursor starts at this migration's readable bound: what committed before it was recorded
-- by the old triggers. (A transaction still open across the migration that wrote tasks or
-- deployments before it could be recorded twice: at least once, never lost. The LOCK waits
-- for such writers, so it can only be one that finished while an older transaction was open.)

LOCK TABLE tasks, deployments IN SHARE ROW EXCLUSIVE MODE;

DROP TRIGGER tasks_record_events_insert ON tasks;
DROP TRIGGER tasks_record_events_update ON tasks;
DROP TRIGGER deployments_record_events_insert ON deployments;
DROP TRIGGER deployments_record_events_update ON deployments;
DROP FUNCTION tasks_record_events();
DROP FUNCTION deployments_record_events();
DROP FUNCTION record_outbound_events(jsonb);

-- task.claimed is new: a lease taken (the event log's type); everything else keeps its name.
ALTER TABLE event_subscriptions DROP CONSTRAINT event_subscriptions_event_types_check;
ALTER TABLE event_subscriptions ADD CONSTRAINT event_subscriptions_event_types_check
    CHECK (event_types <@ ARRAY['task.created', 'task.updated', 'task.completed', 'task.failed', 'task.claimed',
    'deployment.started', 'deployment.completed', 'deployment.failed']);
ALTER TABLE outbound_events DROP CONSTRAINT outbound_events_event_type_check;
ALTER TABLE outbound_events ADD CONSTRAINT outbound_events_event_type_check
    CHECK (event_type IN ('task.created', 'task.updated', 'task.completed', 'task.failed', 'task.claimed',
    'deployment.started', 'deployment.completed', 'deployment.failed'));

CREATE TABLE outbound_event_cursor (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last_id  bigint NOT NULL  -- every event_log id up to this one has been dispatched
);
INSERT INTO outbound_event_cursor (last_id) VALUES (event_log_readable_before() - 1);

-- The webhook type of an event-log event (docs/events.md, "Event types"); NULL: not a webhook
-- event (lease renewals and releases that changed nothing else, deletions, dependencies,
-- workflows, deployments created in another status than running/completed/failed).
CREATE FUNCTION webhook_event_type(type text, payload jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN type IN ('task.created', 'task.updated', 'task.completed', 'task.failed',
                      'task.claimed', 'deployment.started', 'deployment.completed',
                      'deployment.failed') THEN type
        WHEN type = 'task.ready' THEN 'task.updated'
        WHEN type = 'task.released' AND EXISTS (
                SELECT 1 FROM jsonb_array_elements_text(payload -> 'changes') c(name)
                WHERE c.name NOT IN ('lease_owner', 'lease_expires_at', 'lease_token'))
            THEN 'task.updated'
        WHEN type = 'deployment.created' AND payload #>> '{data,status}' = 'running'
            THEN 'deployment.started'
        WHEN type = 'deployment.created' AND payload #>> '{data,status}' IN ('completed', 'failed')
            THEN 'deployment.' || (payload #>> '{data,status}')
    END;
$$;

-- Dispatch up to ``batch`` events after the cursor; returns how many were read (0 also when
-- another process holds the cursor). An event goes to the active subscriptions created no later
-- than its transaction started (no backfill) whose event_types match; per-aggregate sequence =
-- max + 1, race-free as there is one dispatcher. SECURITY DEFINER: it reads every project's
-- events and writes the delivery tables whatever the caller's tenancy.
CREATE FUNCTION dispatch_event_log(batch integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    before bigint := event_log_readable_before();  -- a later snapshot sees all below it
    after  bigint;
    seen   integer;
    top    bigint;
BEGIN
    SELECT last_id INTO after FROM outbound_event_cursor FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    WITH page AS (
        SELECT e.id, e.resource_kind, e.resource_id, e.payload, e.created_at,
               webhook_event_type(e.type, e.payload) AS event_type
        FROM event_log e
        WHERE e.id > after AND e.id < before
        ORDER BY e.id
        LIMIT batch
    ), wanted AS (
        -- Per aggregate in change order: the row's version, then the id. (Ids follow xids: a
        -- transaction that took its xid first but changed the row after a later-xid one, having
        -- waited for its row lock, has the lower id and the higher version.)
        SELECT p.*, row_number() OVER (
                   PARTITION BY p.resource_id
                   ORDER BY (p.payload #>> '{data,version}')::bigint, p.id) AS nth
        FROM page p
        WHERE p.event_type IS NOT NULL
          AND EXISTS (SELECT 1 FROM event_subscriptions s
                      WHERE s.active AND s.created_at <= p.created_at)
    ), ev AS (
        INSERT INTO outbound_events
            (event_type, aggregate_type, aggregate_id, sequence, payload, created_at)
        SELECT w.event_type, w.resource_kind, w.resource_id,
               coalesce((SELECT max(o.sequence) FROM outbound_events o
                         WHERE o.aggregate_id = w.resource_id), 0) + w.nth,
               w.payload -> 'data', w.created_at
        FROM wanted w
        RETURNING id, event_type, aggregate_id, sequence, created_at
    ), delivered AS (
        -- created_at: the event's time (lists sort by it), not the dispatch's
        INSERT INTO event_deliveries
            (subscription_id, event_id, event_type, aggregate_id, sequence, created_at)
        SELECT s.id, ev.id, ev.event_type, ev.aggregate_id, ev.sequence, ev.created_at
        FROM ev JOIN event_subscriptions s
          ON s.active AND s.created_at <= ev.created_at
         AND (cardinality(s.event_types) = 0 OR ev.event_type = ANY (s.event_types))
    )
    SELECT count(*), max(id) INTO seen, top FROM page;
    -- A short page read everything below the bound: the cursor moves up to it.
    UPDATE outbound_event_cursor
    SET last_id = CASE WHEN seen < batch THEN greatest(after, before - 1) ELSE top END
    WHERE last_id IS DISTINCT FROM CASE WHEN seen < batch THEN greatest(after, before - 1) ELSE top END;
    RETURN seen;
END;
$$;

-- migrate:down
LOCK TABLE tasks, deployments IN SHARE ROW EXCLUSIVE MODE;
DROP FUNCTION dispatch_event_log(integer);
DROP FUNCTION webhook_event_type(text, jsonb);
DROP TABLE outbound_event_cursor;

DELETE FROM outbound_events WHERE event_type = 'task.claimed';  -- and their deliveries (cascade)
UPDATE event_subscriptions SET event_types = array_remove(event_types, 'task.claimed')
WHERE 'task.claimed' = ANY (event_types);
ALTER TABLE event_subscriptions DROP CONSTRAINT event_subscriptions_event_types_check;
ALTER TABLE event_subscriptions ADD CONSTRAINT event_subscriptions_event_types_check
    CHECK (event_types <@ ARRAY['task.created', 'task.updated', 'task.completed', 'task.failed',
    'deployment.started', 'deployment.completed', 'deployment.failed']);
ALTER TABLE outbound_events DROP CONSTRAINT outbound_events_event_type_check;
ALTER TABLE outbound_events ADD CONSTRAINT outbound_events_event_type_check
    CHECK (event_type IN ('task.created', 'task.updated', 'task.completed', 'task.failed',
    'deployment.started', 'deployment.completed', 'deployment.failed'));

CREATE FUNCTION record_outbound_events(events jsonb) RETURNS void
LANGUAGE sql AS $$
    WITH input AS (
        SELECT e.event_type, e.aggregate_type, e.aggregate_id, e.payload, e.ord
        FROM jsonb_to_recordset(events) AS e(
            event_type text, aggregate_type text, aggregate_id uuid, payload jsonb, ord integer)
    ), ev AS (
        INSERT INTO outbound_events (event_type, aggregate_type, aggregate_id, sequence, payload)
        SELECT i.event_type, i.aggregate_type, i.aggregate_id,
               coalesce((SELECT max(o.sequence) FROM outbound_events o
                         WHERE o.aggregate_id = i.aggregate_id), 0)
               + row_number() OVER (PARTITION BY i.aggregate_id ORDER BY i.ord),
               i.payload
        FROM input i
        RETURNING id, event_type, aggregate_id, sequence
    )
    INSERT INTO event_deliveries (subscription_id, event_id, event_type, aggregate_id, sequence)
    SELECT s.id, ev.id, ev.event_type, ev.aggregate_id, ev.sequence
    FROM ev JOIN event_subscriptions s
      ON s.active AND (cardinality(s.event_types) = 0 OR ev.event_type = ANY (s.event_types));
$$;

CREATE FUNCTION tasks_record_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    events jsonb;
    quiet text[] := ARRAY['version', 'updated_at', 'total_subtasks', 'completed_subtasks',
                          'lease_owner', 'lease_expires_at', 'lease_token', 'open_dependants',
                          'parent_active'];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM event_subscriptions WHERE active) THEN
        RETURN NULL;  -- nobody listens: record nothing
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(jsonb_build_object(
                   'event_type', 'task.created', 'aggregate_type', 'task',
                   'aggregate_id', n.id, 'payload', to_jsonb(n), 'ord', 0))
        INTO events FROM new_rows n;
    ELSE
        SELECT jsonb_agg(jsonb_build_object(
                   'event_type', CASE
                       WHEN n.status = 'completed' AND o.status <> 'completed' THEN 'task.completed'
                       WHEN n.status = 'failed' AND o.status <> 'failed' THEN 'task.failed'
                       ELSE 'task.updated' END,
                   'aggregate_type', 'task', 'aggregate_id', n.id, 'payload', to_jsonb(n),
                   'ord', 0))
        INTO events
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE to_jsonb(n) - quiet IS DISTINCT FROM to_jsonb(o) - quiet;
    END IF;
    IF events IS NOT NULL THEN
        PERFORM record_outbound_events(events);
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION deployments_record_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    events jsonb;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM event_subscriptions WHERE active) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(jsonb_build_object(
                   'event_type', CASE n.status WHEN 'running' THEN 'deployment.started'
                                 WHEN 'completed' THEN 'deployment.completed'
                                 ELSE 'deployment.failed' END,
                   'aggregate_type', 'deployment', 'aggregate_id', n.id,
                   'payload', to_jsonb(n), 'ord', 0))
        INTO events FROM new_rows n
        WHERE n.status IN ('running', 'completed', 'failed');
    ELSE
        SELECT jsonb_agg(jsonb_build_object(
                   'event_type', CASE n.status WHEN 'running' THEN 'deployment.started'
                                 WHEN 'completed' THEN 'deployment.completed'
                                 ELSE 'deployment.failed' END,
                   'aggregate_type', 'deployment', 'aggregate_id', n.id,
                   'payload', to_jsonb(n), 'ord', 0))
        INTO events
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.status IN ('running', 'completed', 'failed') AND n.status <> o.status;
    END IF;
    IF events IS NOT NULL THEN
        PERFORM record_outbound_events(events);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER tasks_record_events_insert AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tasks_record_events();
CREATE TRIGGER tasks_record_events_update AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tasks_record_events();
CREATE TRIGGER deployments_record_events_insert AFTER INSERT ON deployments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION deployments_record_events();
CREATE TRIGGER deployments_record_events_update AFTER UPDATE ON deployments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION deployments_record_events();
