-- migrate:up
-- The webhook dispatcher with no active subscription (issue 14): it read a page of up to `batch`
-- events (payloads and webhook types) only to match them against no subscription: 11.5 ms a
-- call, ~7 calls a second, while agents claimed in the claims bench, which has no subscriber
-- (pg_stat_statements; docs/task-graph.md, "Sixth pass"). Now it moves the cursor to the
-- readable bound at once. The same events are delivered as before: an event goes to the
-- subscriptions that are active when it is dispatched, so with none, to nobody.

CREATE OR REPLACE FUNCTION dispatch_event_log(batch integer) RETURNS integer
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
    IF NOT EXISTS (SELECT 1 FROM event_subscriptions s WHERE s.active) THEN
        -- Nobody to deliver to: everything below the bound is dispatched (to no one).
        UPDATE outbound_event_cursor SET last_id = before - 1 WHERE last_id < before - 1;
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
CREATE OR REPLACE FUNCTION dispatch_event_log(batch integer) RETURNS integer
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
