-- migrate:up
-- A timestamptz as the API writes date-times: RFC 3339 in UTC with 'Z', microseconds only when
-- non-zero. That is how msgspec encodes the same value, so JSON that PostgreSQL renders (the
-- single-task read, tasks/queries.sql get_task_json) and JSON the origin encodes agree exactly.
-- A plain SQL expression (inlined by the planner); harmless, so executable by every role.
CREATE FUNCTION api_timestamp(value timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT to_char(
        value AT TIME ZONE 'UTC',
        CASE WHEN date_trunc('second', value) = value
            THEN 'YYYY-MM-DD"T"HH24:MI:SS"Z"'
            ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
        END
    )
$$;

-- migrate:down
DROP FUNCTION api_timestamp(timestamptz);
