-- inventory: Available-to-sell: per SKU, per warehouse, per ship-to country.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE OR REPLACE FUNCTION inventory.inventory_ats(sku text) RETURNS bigint
    LANGUAGE c STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_ats';

COMMENT ON FUNCTION inventory.inventory_ats(sku text) IS 'Units of a SKU available to sell over all warehouses (a backordered warehouse counts 0); 0 for a SKU never seen. Read it for checkout decisions, never a cache.';

REVOKE ALL ON FUNCTION inventory.inventory_ats(sku text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_ats(sku text) TO inventory_reader;

CREATE OR REPLACE FUNCTION inventory.inventory_ats(sku text, warehouse_id integer) RETURNS bigint
    LANGUAGE c STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_ats_in_warehouse';

COMMENT ON FUNCTION inventory.inventory_ats(sku text, warehouse_id integer) IS 'Units of a SKU available to sell in one warehouse (negative when backordered).';

REVOKE ALL ON FUNCTION inventory.inventory_ats(sku text, warehouse_id integer) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_ats(sku text, warehouse_id integer) TO inventory_reader;

CREATE OR REPLACE FUNCTION inventory.inventory_ats(sku text, ship_to text) RETURNS bigint
    LANGUAGE c STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_ats_for_ship_to';

COMMENT ON FUNCTION inventory.inventory_ats(sku text, ship_to text) IS 'Units of a SKU available to sell to a ship-to country: the sum over the warehouses that serve it (0 when none does). A ship_to of digits is a warehouse id, as in inventory_ats(text, integer), for clients that send untyped parameters.';

REVOKE ALL ON FUNCTION inventory.inventory_ats(sku text, ship_to text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_ats(sku text, ship_to text) TO inventory_reader;

CREATE OR REPLACE FUNCTION inventory.inventory_availability(sku text) RETURNS jsonb
    LANGUAGE c STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_availability';

COMMENT ON FUNCTION inventory.inventory_availability(sku text) IS 'The source chapter''s availability(sku) as JSON: {"sku", "available_to_sell", "on_hand", "reserved", "in_transit", "incoming", "countries": {country: available_to_sell}, "warehouses": [per-warehouse figures]}. Only available_to_sell can be sold.';

REVOKE ALL ON FUNCTION inventory.inventory_availability(sku text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_availability(sku text) TO inventory_reader;

CREATE OR REPLACE FUNCTION inventory.inventory_availability(sku text, ship_to text) RETURNS jsonb
    LANGUAGE c STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_availability';

COMMENT ON FUNCTION inventory.inventory_availability(sku text, ship_to text) IS 'inventory_availability(sku) for one ship-to country: only the warehouses that serve it (ship_to NULL: every warehouse).';

REVOKE ALL ON FUNCTION inventory.inventory_availability(sku text, ship_to text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_availability(sku text, ship_to text) TO inventory_reader;
