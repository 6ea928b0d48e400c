-- inventory: API keys for services in front of the extension (the HTTP API of issue 15). A key
-- acts as one database role; the database checks what that role may do, as for any caller.
-- Only each key's SHA-256 is stored. README.md, API keys.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE TABLE IF NOT EXISTS inventory.inventory_api_keys (
    key_id uuid DEFAULT inventory.inventory_uuidv7() NOT NULL,
    label text NOT NULL,
    role_name name NOT NULL,
    key_sha256 bytea NOT NULL,
    shown_prefix text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by name NOT NULL,
    revoked_at timestamp with time zone,
    CONSTRAINT inventory_api_keys_label_check CHECK (((char_length(label) >= 1) AND (char_length(label) <= 200))),
    CONSTRAINT inventory_api_keys_key_sha256_check CHECK ((octet_length(key_sha256) = 32)),
    CONSTRAINT inventory_api_keys_key_sha256_key UNIQUE (key_sha256),
    CONSTRAINT inventory_api_keys_pkey PRIMARY KEY (key_id)
);

COMMENT ON TABLE inventory.inventory_api_keys IS 'API keys: each acts as one database role. Written only by inventory_create_api_key and inventory_revoke_api_key; the keys themselves are never stored. Read through inventory_api_key_list.';

COMMENT ON COLUMN inventory.inventory_api_keys.key_id IS 'The key''s id, for inventory_revoke_api_key.';

COMMENT ON COLUMN inventory.inventory_api_keys.label IS 'What the key is for, 1 to 200 characters.';

COMMENT ON COLUMN inventory.inventory_api_keys.role_name IS 'The role a request with this key runs as (SET LOCAL ROLE in its transaction).';

COMMENT ON COLUMN inventory.inventory_api_keys.key_sha256 IS 'SHA-256 of the key''s UTF-8 text: what a lookup compares.';

COMMENT ON COLUMN inventory.inventory_api_keys.shown_prefix IS 'The key''s first 12 characters ("ivk_" and 8 hex digits), to tell keys apart in listings.';

COMMENT ON COLUMN inventory.inventory_api_keys.created_at IS 'When the key was created.';

COMMENT ON COLUMN inventory.inventory_api_keys.created_by IS 'The role whose code created the key (as the ledger''s actor).';

COMMENT ON COLUMN inventory.inventory_api_keys.revoked_at IS 'When the key was revoked; a revoked key is refused from then on.';

REVOKE ALL ON TABLE inventory.inventory_api_keys FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_api_keys', '');

CREATE OR REPLACE VIEW inventory.inventory_api_key_list AS
 SELECT k.key_id,
    k.label,
    k.role_name,
    k.shown_prefix,
    k.created_at,
    k.created_by,
    k.revoked_at
   FROM inventory.inventory_api_keys k;

COMMENT ON VIEW inventory.inventory_api_key_list IS 'Every API key without its hash: id, label, role, the first characters of the key, when and by whom it was created, when it was revoked.';

REVOKE ALL ON TABLE inventory.inventory_api_key_list FROM PUBLIC;
GRANT SELECT ON TABLE inventory.inventory_api_key_list TO inventory_admin;

CREATE OR REPLACE FUNCTION inventory.inventory_create_api_key(role_name text, label text, OUT key_id uuid, OUT api_key text) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_create_api_key';

COMMENT ON FUNCTION inventory.inventory_create_api_key(role_name text, label text, OUT key_id uuid, OUT api_key text) IS 'Creates an API key that acts as role_name (an existing role, of which the caller is a member, with at least inventory_reader''s rights and no right beyond the extension''s checks: README, API keys) and returns it: the only time the key is shown; the database keeps its SHA-256.';

REVOKE ALL ON FUNCTION inventory.inventory_create_api_key(role_name text, label text, OUT key_id uuid, OUT api_key text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_create_api_key(role_name text, label text, OUT key_id uuid, OUT api_key text) TO inventory_admin;

CREATE OR REPLACE FUNCTION inventory.inventory_revoke_api_key(key_id uuid) RETURNS boolean
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_revoke_api_key';

COMMENT ON FUNCTION inventory.inventory_revoke_api_key(key_id uuid) IS 'Revokes an API key: it is refused from the next lookup on. True when revoked now, false when it already was; IV013 for an unknown key_id.';

REVOKE ALL ON FUNCTION inventory.inventory_revoke_api_key(key_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_revoke_api_key(key_id uuid) TO inventory_admin;

CREATE OR REPLACE FUNCTION inventory.inventory_api_key_role(key_sha256 bytea) RETURNS name
    LANGUAGE c STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_api_key_role';

COMMENT ON FUNCTION inventory.inventory_api_key_role(key_sha256 bytea) IS 'The role of the API key whose SHA-256 this is, for a service that authenticates requests: NULL for an unknown or revoked key, or one whose role no longer exists or may no longer stand behind a key. A service hashes the key itself, so that the key never reaches the database''s logs.';

REVOKE ALL ON FUNCTION inventory.inventory_api_key_role(key_sha256 bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_api_key_role(key_sha256 bytea) TO inventory_reader;
