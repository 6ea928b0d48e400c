
--------------------------------------------------------------------------------------------------
-- STUB (h4's testing only; the lead deletes this file when merging h1's C function of the same
-- signature): creates the missing levels (sku[i], warehouse_ids[i]) with their policy copies.
--------------------------------------------------------------------------------------------------

CREATE FUNCTION inventory.inventory_create_levels(skus text[], warehouse_ids integer[])
RETURNS void
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF EXISTS (SELECT FROM unnest(warehouse_ids) w
              WHERE NOT EXISTS (SELECT FROM inventory.inventory_warehouses x WHERE x.id = w)) THEN
    RAISE EXCEPTION 'unknown warehouse' USING ERRCODE = 'IV003';
  END IF;
  INSERT INTO inventory.inventory_levels AS l
         (sku, warehouse_id, safety_stock, allow_backorder, backorder_limit)
  SELECT u.sku, u.warehouse_id, coalesce(p.safety_stock, 0), coalesce(p.allow_backorder, false),
         p.backorder_limit
    FROM unnest(skus, warehouse_ids) AS u(sku, warehouse_id)
    LEFT JOIN inventory.inventory_sku_policies p ON p.sku = u.sku
   ORDER BY u.sku COLLATE "C", u.warehouse_id
  ON CONFLICT ON CONSTRAINT inventory_levels_pkey DO NOTHING;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_create_levels(text[], integer[]) IS
  'STUB of h1''s internal C function: creates the missing levels with their policy copies.';
REVOKE ALL ON FUNCTION inventory.inventory_create_levels(text[], integer[]) FROM PUBLIC;
