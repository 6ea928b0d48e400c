--------------------------------------------------------------------------------------------------
-- Views that tell the truth, and data that needs a person (issue 10, item 4)
--------------------------------------------------------------------------------------------------

-- inventory_losses: readable whatever an old row's metadata holds (only a unit_cost that is a
-- non-negative JSON number is valued; 0.3.1 refuses any other on write), and every COUNT
-- shortfall is a loss whatever its free-text reason (only ADJUST's reason codes say that a
-- decrease is no loss). Same columns and types, so CREATE OR REPLACE keeps grants and users'
-- dependent views.
CREATE OR REPLACE VIEW inventory.inventory_losses AS
WITH losses AS (
  SELECT g.created_at, g.sku, g.warehouse_id,
         CASE WHEN g.event_type = 'COUNT' THEN 'COUNT_SHORTFALL'
              WHEN g.event_type = 'RETURN' THEN 'DAMAGED_RETURN'
              ELSE g.reason END AS reason,
         CASE WHEN g.event_type = 'RETURN' THEN g.quantity ELSE -g.on_hand_change END AS units,
         CASE WHEN jsonb_typeof(g.metadata -> 'unit_cost') = 'number' THEN
           CASE WHEN (g.metadata ->> 'unit_cost')::numeric >= 0
                THEN (g.metadata ->> 'unit_cost')::numeric END
         END AS unit_cost
    FROM inventory.inventory_ledger g
   WHERE (g.event_type = 'COUNT' AND g.on_hand_change < 0)
      OR (g.event_type = 'ADJUST' AND g.on_hand_change < 0
          AND coalesce(g.reason, '') NOT IN ('OFFLINE_SALE', 'SAMPLE', 'CORRECTION'))
      OR (g.event_type = 'RETURN' AND g.reason = 'DAMAGED'))
SELECT l.sku, l.warehouse_id, l.reason, count(*) AS events, sum(l.units) AS units,
       sum(l.units * l.unit_cost) AS value, min(l.created_at) AS first_at,
       max(l.created_at) AS last_at
  FROM losses l
 GROUP BY 1, 2, 3;
COMMENT ON VIEW inventory.inventory_losses IS
  'Shrinkage and damage per SKU, warehouse and reason: ADJUST losses (DAMAGED, SHRINKAGE, '
  'THEFT, EXPIRED, OTHER), every COUNT shortfall (whatever its reason) and damaged returns. '
  'value sums units times the event''s metadata unit_cost where that is a non-negative number '
  '(rows written before 0.3.1 may hold another; inventory_verify_data() lists them).';

-- What 0.3.0 accepted and 0.3.1 refuses. The update keeps such rows (the ledger is append-only
-- and history stays as it was); this lists them for a person to correct with compensating
-- events. Empty when nothing needs attention.
CREATE FUNCTION inventory.inventory_verify_data()
RETURNS TABLE (kind text, sku text, warehouse_id integer, event_id uuid, problem text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  WITH skus AS (
    SELECT g.sku, g.warehouse_id FROM inventory.inventory_ledger g
    UNION SELECT l.sku, l.warehouse_id FROM inventory.inventory_levels l
    UNION SELECT o.sku, o.warehouse_id FROM inventory.inventory_purchase_orders o
    UNION SELECT p.sku, NULL::integer FROM inventory.inventory_sku_policies p
  )
  SELECT 'sku'::text, s.sku, s.warehouse_id, NULL::uuid, inventory.inventory_sku_problem(s.sku)
    FROM skus s
   WHERE inventory.inventory_sku_problem(s.sku) IS NOT NULL
  UNION ALL
  SELECT 'unit_cost', g.sku, g.warehouse_id, g.id,
         'metadata unit_cost is ' || (g.metadata -> 'unit_cost')::text
         || ', not a non-negative number: inventory_losses leaves it out of value'
    FROM inventory.inventory_ledger g
   WHERE g.metadata ? 'unit_cost'
     AND CASE WHEN jsonb_typeof(g.metadata -> 'unit_cost') = 'number'
              THEN (g.metadata ->> 'unit_cost')::numeric < 0 ELSE true END
  ORDER BY 1, 2, 3, 4
$$;
COMMENT ON FUNCTION inventory.inventory_verify_data() IS
  'Data written before 0.3.1 that 0.3.1 refuses: SKUs its validation rejects (kind sku, per '
  'stock record, SKU policy or purchase order) and ledger rows whose metadata unit_cost is not '
  'a non-negative number (kind unit_cost); empty when nothing needs a person''s attention.';
REVOKE ALL ON FUNCTION inventory.inventory_verify_data() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION inventory.inventory_verify_data() TO inventory_reader;
