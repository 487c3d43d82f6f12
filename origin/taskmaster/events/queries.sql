-- Named statements for event subscriptions and deliveries (loaded by taskmaster.db.sql).

-- fragment: subscription_columns
-- The select list of a subscription; its order is the field order of schemas.Subscription.
id, name, url, secret_prefix, event_types, active, description, metadata, version, created_at,
updated_at

-- name: insert_subscription
INSERT INTO event_subscriptions (
    name, url, secret_encrypted, secret_prefix, event_types, active, description, metadata,
    created_by_key_id
) VALUES (
    %(name)s, %(url)s, %(secret_encrypted)s, %(secret_prefix)s, %(event_types)s, %(active)s,
    %(description)s, %(metadata)s, %(created_by_key_id)s
)
RETURNING {{subscription_columns}};

-- fragment: delivery_columns
-- The select list of a delivery; order = schemas.EventDelivery.
id, subscription_id, event_id, event_type, aggregate_id, sequence, status, attempts,
next_attempt_at, last_status_code, last_error, delivered_at, created_at

-- name: dispatch_event_log
-- Turn the event log's new readable events into outbound events and deliveries (migration
-- dispatch_webhooks_from_event_log; one process at a time); returns how many events it read.
SELECT dispatch_event_log(%(batch)s);

-- name: claim_due_deliveries
-- Due deliveries of active subscriptions whose earlier events (same subscriber, same aggregate)
-- are all delivered or dead-lettered: the per-task order. The claim is a lease: status
-- 'delivering' until next_attempt_at, after which a crashed worker's claim is due again. Rows
-- another worker is claiming are skipped; an earlier event it holds still blocks its successors
-- (the NOT EXISTS sees it undelivered), so at most one event per (subscriber, task) is in flight.
WITH due AS (
    SELECT d.id
    FROM event_deliveries d
    JOIN event_subscriptions s ON s.id = d.subscription_id AND s.active
    WHERE d.status IN ('pending', 'delivering', 'failed') AND d.next_attempt_at <= now()
      AND NOT EXISTS (
          SELECT 1 FROM event_deliveries e
          WHERE e.subscription_id = d.subscription_id AND e.aggregate_id = d.aggregate_id
            AND e.sequence < d.sequence AND e.status IN ('pending', 'delivering', 'failed'))
    ORDER BY d.next_attempt_at, d.sequence
    LIMIT %(limit)s
    FOR UPDATE OF d SKIP LOCKED
)
UPDATE event_deliveries d SET
    status = 'delivering',
    attempts = d.attempts + 1,
    next_attempt_at = now() + make_interval(secs => %(lease_s)s)
FROM due, outbound_events ev, event_subscriptions s
WHERE d.id = due.id AND ev.id = d.event_id AND s.id = d.subscription_id
RETURNING d.id, d.attempts, s.id, s.url, s.secret_encrypted, ev.id, ev.event_type,
          ev.aggregate_type, ev.aggregate_id, ev.sequence, ev.payload, ev.created_at;

-- name: delivery_succeeded
UPDATE event_deliveries SET
    status = 'delivered', delivered_at = now(), last_status_code = %(status_code)s
WHERE id = %(id)s AND status = 'delivering' AND attempts = %(attempts)s;

-- name: delivery_failed
UPDATE event_deliveries SET
    status = CASE WHEN attempts >= %(max_attempts)s THEN 'dead_letter' ELSE 'failed' END,
    next_attempt_at = now() + make_interval(secs => %(delay_s)s),
    last_status_code = %(status_code)s,
    last_error = %(error)s
WHERE id = %(id)s AND status = 'delivering' AND attempts = %(attempts)s
RETURNING status;
