-- Time travel: the levels at a past time, from the ledger's running after-values (0.2.0).
CREATE TEMP TABLE moments (name text PRIMARY KEY, at timestamptz);
INSERT INTO moments VALUES ('before anything', clock_timestamp());
SELECT on_hand FROM inventory.inventory_apply_event('CLOCK', 1, 'RECEIVE', 10);
INSERT INTO moments VALUES ('after receive', clock_timestamp());
SELECT reserved FROM inventory.inventory_apply_event('CLOCK', 1, 'ALLOCATE', 4);
SELECT on_hand FROM inventory.inventory_apply_event('CLOCK', 2, 'RECEIVE', 3);
INSERT INTO moments VALUES ('after allocate', clock_timestamp());
-- Several events in one transaction: each has its own time, in order.
BEGIN;
SELECT on_hand FROM inventory.inventory_apply_event('CLOCK', 1, 'FULFILL', 4);
SELECT on_hand FROM inventory.inventory_apply_event('CLOCK', 1, 'RECEIVE', 1);
COMMIT;
INSERT INTO moments VALUES ('now', clock_timestamp());

SELECT m.name, t.warehouse_id, t.on_hand, t.reserved, t.available_to_sell, t.level_version
  FROM moments m CROSS JOIN LATERAL inventory.inventory_levels_at('CLOCK', m.at) t
 ORDER BY m.at, t.warehouse_id;
-- Every SKU at once agrees with the one-SKU form and, at the present, with the levels.
SELECT sku, warehouse_id, on_hand, reserved, available_to_sell
  FROM inventory.inventory_levels_at((SELECT at FROM moments WHERE name = 'after allocate'))
 WHERE sku = 'CLOCK';
SELECT count(*) AS differing_from_levels
  FROM inventory.inventory_levels l
  FULL JOIN inventory.inventory_levels_at(clock_timestamp()) t USING (sku, warehouse_id)
 WHERE (l.on_hand, l.reserved) IS DISTINCT FROM (t.on_hand, t.reserved);
-- The lookup is an index probe per stripe (one, stripe 0, for a SKU not striped), not a scan
-- of the history.
SET enable_seqscan = off;
EXPLAIN (COSTS OFF)
SELECT e.on_hand_after FROM inventory.inventory_ledger e
 WHERE e.sku = 'CLOCK' AND e.warehouse_id = 1 AND e.stripe = 0 AND e.created_at <= now()
 ORDER BY e.created_at DESC, e.level_version DESC LIMIT 1;
RESET enable_seqscan;
SELECT regress.error_of($$SELECT * FROM inventory.inventory_levels_at(NULL, now())$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_levels_at(NULL::timestamptz)$$);
