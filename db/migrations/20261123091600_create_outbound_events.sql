-- migrate:up
-- Events out (docs/events.md): subscribers registered through /api/v1/subscriptions receive
-- signed POSTs for task and deployment changes, at least once and in order per aggregate.
--
-- Events are recorded by statement-level triggers on tasks and deployments, so every write path
-- (API, webhooks, claims, ad-hoc SQL) records them. Hot-path cost: with no active subscription
-- the trigger is one probe of a tiny table per statement and records nothing; otherwise one
-- INSERT … SELECT per statement (set-based over the transition tables), never one per row.
-- Deliveries (one row per event and matching subscription) are written in the same statement.

CREATE TABLE event_subscriptions (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name              text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    url               text NOT NULL CHECK (url ~ '^https?://' AND char_length(url) <= 2048),
    -- The signing secret, Fernet-encrypted under TASKMASTER_CONFIG_KEY (it is needed in clear
    -- to sign, so it cannot be hashed); shown once at creation, only its prefix afterwards.
    secret_encrypted  bytea NOT NULL,
    secret_prefix     text NOT NULL CHECK (char_length(secret_prefix) BETWEEN 4 AND 32),
    -- Empty: every event type.
    event_types       text[] NOT NULL DEFAULT '{}' CHECK (event_types <@ ARRAY[
                          'task.created', 'task.updated', 'task.completed', 'task.failed',
                          'deployment.started', 'deployment.completed', 'deployment.failed']),
    active            boolean NOT NULL DEFAULT true,
    description       text CHECK (char_length(description) <= 2000),
    created_by_key_id uuid,
    metadata          jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    version           bigint NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER event_subscriptions_set_updated_at BEFORE UPDATE ON event_subscriptions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER event_subscriptions_bump_version BEFORE UPDATE ON event_subscriptions
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();
CREATE INDEX event_subscriptions_created_at_id_idx ON event_subscriptions (created_at, id);

-- One row per change. sequence numbers the events of one aggregate (a task or a deployment) from
-- 1; the aggregate's row lock serializes its writers, so max + 1 cannot race.
CREATE TABLE outbound_events (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_type     text NOT NULL CHECK (event_type IN (
                       'task.created', 'task.updated', 'task.completed', 'task.failed',
                       'deployment.started', 'deployment.completed', 'deployment.failed')),
    aggregate_type text NOT NULL CHECK (aggregate_type IN ('task', 'deployment')),
    aggregate_id   uuid NOT NULL,  -- no FK: the event outlives a deleted task
    sequence       bigint NOT NULL CHECK (sequence >= 1),
    payload        jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT outbound_events_aggregate_sequence_key UNIQUE (aggregate_id, sequence)
);
CREATE INDEX outbound_events_created_at_idx ON outbound_events (created_at);

-- One row per (subscription, event). status: pending → delivering (claimed; next_attempt_at is
-- the claim's lease) → delivered | failed (retried at next_attempt_at) | dead_letter.
CREATE TABLE event_deliveries (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    subscription_id  uuid NOT NULL REFERENCES event_subscriptions (id) ON DELETE CASCADE,
    event_id         uuid NOT NULL REFERENCES outbound_events (id) ON DELETE CASCADE,
    -- copied from the event: the ordering key (aggregate_id, sequence) and the type, for lists
    event_type       text NOT NULL,
    aggregate_id     uuid NOT NULL,
    sequence         bigint NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN (
                         'pending', 'delivering', 'delivered', 'failed', 'dead_letter')),
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_status_code integer CHECK (last_status_code BETWEEN 100 AND 599),
    last_error       text CHECK (char_length(last_error) <= 2000),
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT event_deliveries_subscription_event_key UNIQUE (subscription_id, event_id),
    CONSTRAINT event_deliveries_delivered_at_matches_status
        CHECK (delivered_at IS NULL OR status = 'delivered')
);
CREATE TRIGGER event_deliveries_set_updated_at BEFORE UPDATE ON event_deliveries
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE INDEX event_deliveries_event_id_idx ON event_deliveries (event_id);
-- the dispatcher's queue: only rows still to deliver are indexed
CREATE INDEX event_deliveries_due_idx ON event_deliveries (next_attempt_at)
    WHERE status IN ('pending', 'delivering', 'failed');
-- "is an earlier event of this aggregate still undelivered to this subscriber?"
CREATE INDEX event_deliveries_undelivered_idx ON event_deliveries (subscription_id, aggregate_id, sequence)
    WHERE status IN ('pending', 'delivering', 'failed');
CREATE INDEX event_deliveries_subscription_created_idx ON event_deliveries (subscription_id, created_at, id);

-- Insert ``events`` (a JSON array of {event_type, aggregate_type, aggregate_id, payload, ord}) with
-- their per-aggregate sequence, and a delivery for each matching active subscription.
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

-- Columns whose change alone is not news: versions and timestamps, subtask counters (kept by
-- their own trigger) and claim leases (renewed by workers).
CREATE FUNCTION tasks_record_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    events jsonb;
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
        WHERE to_jsonb(n) - ARRAY['version', 'updated_at', 'total_subtasks', 'completed_subtasks',
                                  'lease_owner', 'lease_expires_at']
              IS DISTINCT FROM
              to_jsonb(o) - ARRAY['version', 'updated_at', 'total_subtasks', 'completed_subtasks',
                                  'lease_owner', 'lease_expires_at'];
    END IF;
    IF events IS NOT NULL THEN
        PERFORM record_outbound_events(events);
    END IF;
    RETURN NULL;
END;
$$;

-- Deployments: only status changes into running / completed / failed are events.
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

-- Transition tables allow one event per trigger, hence two triggers per table.
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

-- migrate:down
DROP TRIGGER IF EXISTS deployments_record_events_update ON deployments;
DROP TRIGGER IF EXISTS deployments_record_events_insert ON deployments;
DROP TRIGGER IF EXISTS tasks_record_events_update ON tasks;
DROP TRIGGER IF EXISTS tasks_record_events_insert ON tasks;
DROP FUNCTION IF EXISTS deployments_record_events();
DROP FUNCTION IF EXISTS tasks_record_events();
DROP FUNCTION IF EXISTS record_outbound_events(jsonb);
DROP TABLE IF EXISTS event_deliveries;
DROP TABLE IF EXISTS outbound_events;
DROP TABLE IF EXISTS event_subscriptions;
