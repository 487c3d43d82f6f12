-- Named statements for configuration settings (loaded by taskmaster.db.sql.load_queries).
-- encrypted_value is written here and never selected.

-- fragment: setting_columns
-- The select list of a setting; its order is the field order of schemas.Setting.
id, key, value, value_type, is_sensitive, description, updated_by, version, created_at, updated_at

-- name: get_setting
SELECT {{setting_columns}} FROM configuration_settings WHERE key = %(key)s;

-- name: upsert_setting
-- PUT without If-Match: create, or replace whatever is there. The last column says which.
INSERT INTO configuration_settings (key, value, value_type, is_sensitive, encrypted_value,
                                    description, updated_by)
VALUES (%(key)s, %(value)s, %(value_type)s, %(is_sensitive)s, %(encrypted_value)s,
        %(description)s, %(updated_by)s)
ON CONFLICT ON CONSTRAINT configuration_settings_key_key DO UPDATE SET
    value = EXCLUDED.value, value_type = EXCLUDED.value_type,
    is_sensitive = EXCLUDED.is_sensitive, encrypted_value = EXCLUDED.encrypted_value,
    description = EXCLUDED.description, updated_by = EXCLUDED.updated_by
RETURNING {{setting_columns}}, (xmax = 0) AS inserted;

-- name: replace_setting
-- PUT with If-Match: only an existing setting, at that version (any version for "If-Match: *").
UPDATE configuration_settings SET
    value = %(value)s, value_type = %(value_type)s, is_sensitive = %(is_sensitive)s,
    encrypted_value = %(encrypted_value)s, description = %(description)s,
    updated_by = %(updated_by)s
WHERE key = %(key)s AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING {{setting_columns}}, false;

-- name: delete_setting
DELETE FROM configuration_settings
WHERE key = %(key)s AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING id;

-- name: setting_version
SELECT version FROM configuration_settings WHERE key = %(key)s;

-- name: get_secret
-- For the application's own use (never an HTTP response): the ciphertext of a sensitive setting.
SELECT encrypted_value FROM configuration_settings WHERE key = %(key)s AND is_sensitive;
