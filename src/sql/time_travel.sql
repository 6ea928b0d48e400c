-- inventory: Time travel: the levels as they were at a past time.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE OR REPLACE FUNCTION inventory.inventory_levels_at(at timestamp with time zone) RETURNS TABLE(sku text, warehouse_id integer, on_hand bigint, reserved bigint, available_to_sell bigint, level_version bigint, changed_at timestamp with time zone)
    LANGUAGE c STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_levels_at';

COMMENT ON FUNCTION inventory.inventory_levels_at(at timestamp with time zone) IS 'The levels of every SKU and warehouse as they were at a past time (one index probe per level, whatever the history''s length).';

REVOKE ALL ON FUNCTION inventory.inventory_levels_at(at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_levels_at(at timestamp with time zone) TO inventory_reader;

CREATE OR REPLACE FUNCTION inventory.inventory_levels_at(sku text, at timestamp with time zone) RETURNS TABLE(warehouse_id integer, on_hand bigint, reserved bigint, available_to_sell bigint, level_version bigint, changed_at timestamp with time zone)
    LANGUAGE c STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_sku_levels_at';

COMMENT ON FUNCTION inventory.inventory_levels_at(sku text, at timestamp with time zone) IS 'The levels of a SKU per warehouse as they were at a past time, read from the after-values of the last event at or before it (one index probe per warehouse, whatever the history''s length). A warehouse without events by then has no row.';

REVOKE ALL ON FUNCTION inventory.inventory_levels_at(sku text, at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_levels_at(sku text, at timestamp with time zone) TO inventory_reader;
