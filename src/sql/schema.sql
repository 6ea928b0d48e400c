-- inventory: Helpers every feature uses: event ids (UUIDv7), the SKU problem reader, the session login.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE OR REPLACE FUNCTION inventory.inventory_login() RETURNS text
    LANGUAGE c STABLE
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
    AS 'MODULE_PATHNAME', 'inventory_uuidv7';

COMMENT ON FUNCTION inventory.inventory_uuidv7() IS 'A new time-ordered UUIDv7 (RFC 9562); ids from one session increase strictly.';

REVOKE ALL ON FUNCTION inventory.inventory_uuidv7() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_uuidv7() TO inventory_reader;
