-- inventory: Helpers every feature uses: event ids (UUIDv7), the SKU and idempotency-key validators, the session login.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE OR REPLACE FUNCTION inventory.inventory_login() RETURNS text
    LANGUAGE c STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_login';

COMMENT ON FUNCTION inventory.inventory_login() IS 'The session''s authenticated login, as inventory_ledger.login records it; internal (the default of inventory_orders.login).';

REVOKE ALL ON FUNCTION inventory.inventory_login() FROM PUBLIC;

CREATE OR REPLACE FUNCTION inventory.inventory_sku_problem(sku text) RETURNS text
    LANGUAGE c STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_sku_problem';

COMMENT ON FUNCTION inventory.inventory_sku_problem(sku text) IS 'NULL when the ledger accepts the SKU, else the reason it refuses it (IV009): empty or over 255 characters, control, bidirectional or invisible characters, a space, separator or format character at either end, or not in Unicode normalization form NFC. 22004 for NULL.';

REVOKE ALL ON FUNCTION inventory.inventory_sku_problem(sku text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_sku_problem(sku text) TO inventory_reader;

CREATE OR REPLACE FUNCTION inventory.inventory_uuidv7() RETURNS uuid
    LANGUAGE c PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_uuidv7';

COMMENT ON FUNCTION inventory.inventory_uuidv7() IS 'A new time-ordered UUIDv7 (RFC 9562); ids from one session increase strictly.';

REVOKE ALL ON FUNCTION inventory.inventory_uuidv7() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_uuidv7() TO inventory_reader;

CREATE OR REPLACE FUNCTION inventory.inventory_validate_idempotency_key(idempotency_key text) RETURNS void
    LANGUAGE c IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_validate_idempotency_key';

COMMENT ON FUNCTION inventory.inventory_validate_idempotency_key(idempotency_key text) IS 'Raises IV010 for an idempotency key a caller may not use (too long, control characters, or the prefix reserved for the extension); NULL passes. Internal.';

REVOKE ALL ON FUNCTION inventory.inventory_validate_idempotency_key(idempotency_key text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION inventory.inventory_validate_sku(sku text) RETURNS void
    LANGUAGE c IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_validate_sku';

COMMENT ON FUNCTION inventory.inventory_validate_sku(sku text) IS 'Raises 22004 for a NULL SKU and IV009 for one the ledger would refuse; internal.';

REVOKE ALL ON FUNCTION inventory.inventory_validate_sku(sku text) FROM PUBLIC;
