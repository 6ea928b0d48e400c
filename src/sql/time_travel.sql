-- inventory: Time travel: the levels as they were at a past time.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE OR REPLACE FUNCTION inventory.inventory_levels_at(at timestamp with time zone) RETURNS TABLE(sku text, warehouse_id integer, on_hand bigint, reserved bigint, available_to_sell bigint, level_version bigint, changed_at timestamp with time zone)
    LANGUAGE c STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_levels_at';

COMMENT ON FUNCTION inventory.inventory_levels_at(at timestamp with time zone) IS 'The levels of every SKU and warehouse as they were at a past time: per level, the sums of its stripes'' after-values of their last event at or before it (one index probe per stripe, whatever the history''s length); level_version is the level''s number of events by then, changed_at its last. available_to_sell is the one stripe''s own when only one stripe had events by then, else computed from the totals with the safety stock the stripes hold now (the one of that time is not recorded). A level without events by then has no row.';

REVOKE ALL ON FUNCTION inventory.inventory_levels_at(at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_levels_at(at timestamp with time zone) TO inventory_reader;

CREATE OR REPLACE FUNCTION inventory.inventory_levels_at(sku text, at timestamp with time zone) RETURNS TABLE(warehouse_id integer, on_hand bigint, reserved bigint, available_to_sell bigint, level_version bigint, changed_at timestamp with time zone)
    LANGUAGE c STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_sku_levels_at';

COMMENT ON FUNCTION inventory.inventory_levels_at(sku text, at timestamp with time zone) IS 'The levels of a SKU per warehouse as they were at a past time: the sums of its stripes'' after-values of their last event at or before it (one index probe per stripe, whatever the history''s length); level_version is the level''s number of events by then, changed_at its last. available_to_sell is the one stripe''s own when only one stripe had events by then, else computed from the totals with the safety stock the stripes hold now (the one of that time is not recorded). A warehouse without events by then has no row.';

REVOKE ALL ON FUNCTION inventory.inventory_levels_at(sku text, at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_levels_at(sku text, at timestamp with time zone) TO inventory_reader;
