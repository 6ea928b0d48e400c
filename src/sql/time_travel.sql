-- inventory: Time travel: the levels as they were at a past time.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE OR REPLACE FUNCTION inventory.inventory_levels_at(at timestamp with time zone) RETURNS TABLE(sku text, warehouse_id integer, on_hand bigint, reserved bigint, available_to_sell bigint, level_version bigint, changed_at timestamp with time zone)
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  IF at IS NULL THEN
    RAISE EXCEPTION 'at must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  RETURN QUERY
    SELECT l.sku, l.warehouse_id, g.on_hand_after, g.reserved_after, g.available_after,
           g.level_version, g.created_at
      FROM inventory.inventory_levels l
     CROSS JOIN LATERAL (
           SELECT e.on_hand_after, e.reserved_after, e.available_after, e.level_version,
                  e.created_at
             FROM inventory.inventory_ledger e
            WHERE e.sku = l.sku AND e.warehouse_id = l.warehouse_id AND e.created_at <= at
            ORDER BY e.created_at DESC, e.level_version DESC
            LIMIT 1) g
     ORDER BY 1, 2;
END;
$$;

COMMENT ON FUNCTION inventory.inventory_levels_at(at timestamp with time zone) IS 'The levels of every SKU and warehouse as they were at a past time (one index probe per level, whatever the history''s length).';

REVOKE ALL ON FUNCTION inventory.inventory_levels_at(at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_levels_at(at timestamp with time zone) TO inventory_reader;

CREATE OR REPLACE FUNCTION inventory.inventory_levels_at(sku text, at timestamp with time zone) RETURNS TABLE(warehouse_id integer, on_hand bigint, reserved bigint, available_to_sell bigint, level_version bigint, changed_at timestamp with time zone)
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  IF sku IS NULL OR at IS NULL THEN
    RAISE EXCEPTION 'sku and at must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  RETURN QUERY
    SELECT l.warehouse_id, g.on_hand_after, g.reserved_after, g.available_after,
           g.level_version, g.created_at
      FROM inventory.inventory_levels l
     CROSS JOIN LATERAL (
           SELECT e.on_hand_after, e.reserved_after, e.available_after, e.level_version,
                  e.created_at
             FROM inventory.inventory_ledger e
            WHERE e.sku = l.sku AND e.warehouse_id = l.warehouse_id AND e.created_at <= at
            ORDER BY e.created_at DESC, e.level_version DESC
            LIMIT 1) g
     WHERE l.sku = inventory_levels_at.sku
     ORDER BY 1;
END;
$$;

COMMENT ON FUNCTION inventory.inventory_levels_at(sku text, at timestamp with time zone) IS 'The levels of a SKU per warehouse as they were at a past time, read from the after-values of the last event at or before it (one index probe per warehouse, whatever the history''s length). A warehouse without events by then has no row.';

REVOKE ALL ON FUNCTION inventory.inventory_levels_at(sku text, at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_levels_at(sku text, at timestamp with time zone) TO inventory_reader;
