
--------------------------------------------------------------------------------------------------
-- Input that lies (issue 10, items 5 and 6): look-alike SKUs, warehouses in C
--------------------------------------------------------------------------------------------------

-- Why a SKU would be refused, without raising: h6's report of stored SKUs uses it.
CREATE FUNCTION inventory.inventory_sku_problem(sku text)
RETURNS text
LANGUAGE c STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_sku_problem';
COMMENT ON FUNCTION inventory.inventory_sku_problem(text) IS
  'NULL when the ledger accepts the SKU, else the reason it refuses it (IV009): empty or over '
  '255 characters, control, bidirectional or invisible characters, a space, separator or format '
  'character at either end, or not in Unicode normalization form NFC. 22004 for NULL.';
REVOKE ALL ON FUNCTION inventory.inventory_sku_problem(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION inventory.inventory_sku_problem(text) TO inventory_reader;

-- The warehouse functions, in C: 22023 for a bad code, name or country (0.3.0 let the table's
-- CHECK answer 23514), countries upper-cased in ASCII whatever the database's LC_CTYPE (upper()
-- follows it: under tr_TR 'it' became 'İT'), and no internal SQL as error CONTEXT. CREATE OR
-- REPLACE keeps their grants and comments; every attribute is restated.
CREATE OR REPLACE FUNCTION inventory.inventory_create_warehouse(
  code text, name text, country text, id integer DEFAULT NULL)
RETURNS integer
LANGUAGE c VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_create_warehouse';

CREATE OR REPLACE FUNCTION inventory.inventory_serve_country(
  warehouse_id integer, country text, priority integer DEFAULT 100)
RETURNS void
LANGUAGE c VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_serve_country';

CREATE OR REPLACE FUNCTION inventory.inventory_stop_serving_country(warehouse_id integer,
                                                                   country text)
RETURNS boolean
LANGUAGE c VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_stop_serving_country';
