-- Policy copies in the levels (issue 10, items 1 and 4): inventory_verify() compares them with
-- inventory_sku_policies and returns bigint sums and a problem per row; an empty level that no
-- event ever touched is consistent; inventory_rebuild_levels() repairs the copies;
-- inventory_create_levels() creates levels with their policy copies for the order code; the
-- SKU's advisory lock is taken when a level is created or a policy changes, never per event.
CREATE EXTENSION IF NOT EXISTS inventory;
SELECT inventory.inventory_create_warehouse('PL-A', 'Poznan', 'PL') AS a,
       inventory.inventory_create_warehouse('PL-B', 'Warsaw', 'PL') AS b \gset
SELECT inventory.inventory_serve_country(:a, 'PL', 1), inventory.inventory_serve_country(:b, 'PL', 2);

-- The result is bigint, as the levels are, with a problem column; the view follows.
SELECT pg_get_function_result('inventory.inventory_verify()'::regprocedure);
SELECT a.attname, format_type(a.atttypid, a.atttypmod)
  FROM pg_attribute a
 WHERE a.attrelid = 'inventory.inventory_reconciliation'::regclass AND a.attnum > 0
 ORDER BY a.attnum;
SELECT has_table_privilege('inventory_reader', 'inventory.inventory_reconciliation', 'SELECT'),
       has_function_privilege('inventory_reader', 'inventory.inventory_verify()', 'EXECUTE');

-- An order by country for a backorderable SKU that takes the units from the second warehouse
-- no longer creates a level in the first. 0.3.0's orders did: such an empty level (version 0,
-- no ledger rows; made here as they made it) is consistent, and a rebuild leaves it alone.
SELECT allow_backorder FROM inventory.inventory_set_sku_policy('PL-BO', allow_backorder => true);
SELECT (inventory.inventory_apply_event('PL-BO', :b, 'RECEIVE', 5)).on_hand;
SELECT warehouse_id = :b AS from_b, quantity
  FROM inventory.inventory_allocate_order('PL-ORDER-1', '[{"sku": "PL-BO", "quantity": 2}]',
                                          ship_to => 'PL');
SELECT count(*) AS levels_in_a FROM inventory.inventory_levels WHERE sku = 'PL-BO' AND warehouse_id = :a;
SELECT inventory.inventory_create_levels(ARRAY['PL-BO'], ARRAY[:a]);
SELECT warehouse_id = :a AS in_a, on_hand, reserved, version, allow_backorder
  FROM inventory.inventory_levels WHERE sku = 'PL-BO' ORDER BY warehouse_id;
SELECT * FROM inventory.inventory_verify();
SELECT inventory.inventory_rebuild_levels() AS changed;
SELECT count(*) AS levels FROM inventory.inventory_levels WHERE sku = 'PL-BO';

-- Policy copies that drifted (simulated by a superuser writing the levels directly):
-- S has no policy row (the defaults: no backorders) but its level allows backorders; T's safety
-- stock of 3 is missing from its level (and so from available_to_sell); U has no policy row, yet
-- its level has a backorder limit.
SELECT (inventory.inventory_apply_event('PL-S', :a, 'RECEIVE', 4)).on_hand,
       (inventory.inventory_set_sku_policy('PL-T', safety_stock => 3)).sku AS t_policy,
       (inventory.inventory_apply_event('PL-T', :a, 'RECEIVE', 4)).available_to_sell,
       (inventory.inventory_apply_event('PL-U', :a, 'RECEIVE', 4)).on_hand;
UPDATE inventory.inventory_level_stripes SET allow_backorder = true WHERE sku = 'PL-S';
UPDATE inventory.inventory_level_stripes SET safety_stock = 0, available_to_sell = 4 WHERE sku = 'PL-T';
UPDATE inventory.inventory_level_stripes SET allow_backorder = true, backorder_limit = 7 WHERE sku = 'PL-U';
-- An empty level with a stale copy is reported too (its problem is the copy, not the sums).
SELECT (inventory.inventory_set_sku_policy('PL-BO', allow_backorder => true, safety_stock => 1)).sku
       AS bo_policy;
UPDATE inventory.inventory_level_stripes SET safety_stock = 0 WHERE sku = 'PL-BO' AND warehouse_id = :a;
SELECT sku, warehouse_id = :a AS in_a, level_on_hand, ledger_on_hand, level_version, ledger_events,
       level_available_to_sell, expected_available_to_sell, problem
  FROM inventory.inventory_verify() ORDER BY sku, warehouse_id;
SELECT count(*) AS drifted FROM inventory.inventory_reconciliation;
SELECT inventory.inventory_rebuild_levels() AS changed;
SELECT * FROM inventory.inventory_verify();
SELECT inventory.inventory_rebuild_levels() AS changed_when_true;
SELECT sku, on_hand, available_to_sell, safety_stock, allow_backorder, backorder_limit
  FROM inventory.inventory_levels WHERE sku IN ('PL-S', 'PL-T', 'PL-U', 'PL-BO') ORDER BY 1, warehouse_id;
-- The repaired copies are enforced again: S allows no backorder.
SELECT replace(regress.error_of(format($$SELECT inventory.inventory_apply_event('PL-S', %s, 'ALLOCATE', 5)$$, :a)),
               'warehouse ' || :a, 'warehouse A') AS error;

SELECT regress.consistent();

-- inventory_create_levels(): internal, for the order code; nobody may call it but its owner.
SELECT r AS role, has_function_privilege(r, 'inventory.inventory_create_levels(text[], integer[])', 'EXECUTE')
  FROM unnest(ARRAY['public', 'inventory_reader', 'inventory_app', 'inventory_warehouse',
                    'inventory_admin']) AS r;
SELECT obj_description('inventory.inventory_create_levels(text[], integer[])'::regprocedure) IS NOT NULL
       AS documented;
SELECT (inventory.inventory_set_sku_policy('PL-C', allow_backorder => true, safety_stock => 2,
                                          backorder_limit => 4)).sku AS c_policy;
SELECT inventory.inventory_create_levels(ARRAY['PL-C', 'PL-C', 'PL-D'], ARRAY[:a, :b, :a]);
SELECT sku, warehouse_id = :a AS in_a, on_hand, reserved, available_to_sell, safety_stock,
       allow_backorder, backorder_limit, version
  FROM inventory.inventory_levels WHERE sku IN ('PL-C', 'PL-D') ORDER BY 1, 2 DESC;
-- Existing levels are left as they are; an unknown warehouse creates nothing.
SELECT (inventory.inventory_apply_event('PL-D', :a, 'RECEIVE', 3)).on_hand;
SELECT inventory.inventory_create_levels(ARRAY['PL-D', 'PL-E'], ARRAY[:a, :a]);
SELECT regress.error_of(format($$SELECT inventory.inventory_create_levels(ARRAY['PL-F', 'PL-F'], ARRAY[%s, 999999])$$, :a));
SELECT regress.error_of($$SELECT inventory.inventory_create_levels(ARRAY['PL-F'], ARRAY[1, 2])$$);
SELECT regress.error_of($$SELECT inventory.inventory_create_levels(ARRAY['PL-F', NULL], ARRAY[1, 2])$$);
SELECT regress.error_of($$SELECT inventory.inventory_create_levels(NULL, ARRAY[1])$$);
SELECT sku, on_hand, version FROM inventory.inventory_levels WHERE sku LIKE 'PL-_' AND sku >= 'PL-D' ORDER BY 1;
SELECT regress.consistent();

-- The SKU's advisory lock: taken when a level is created and when a policy changes, never for
-- an event on an existing level (the policy must not become the next hot row).
-- (pg_locks: classid 1229870672, "INVP", objsubid 2, the two-integer form.)
CREATE VIEW regress.my_advisory_locks AS
  SELECT count(*) AS advisory_locks,
         bool_and(classid = 1229870672 AND objsubid = 2) AS inventory_keys
    FROM pg_locks
   WHERE locktype = 'advisory' AND pid = pg_backend_pid();
BEGIN;
SELECT (inventory.inventory_apply_event('PL-D', :a, 'RECEIVE', 1)).on_hand;
SELECT * FROM regress.my_advisory_locks;
SELECT (inventory.inventory_apply_event('PL-NEW', :a, 'RECEIVE', 1)).on_hand;
SELECT * FROM regress.my_advisory_locks;
SELECT (inventory.inventory_apply_event('PL-NEW', :a, 'RECEIVE', 1)).on_hand;
SELECT * FROM regress.my_advisory_locks;
COMMIT;
BEGIN;
SELECT safety_stock FROM inventory.inventory_set_sku_policy('PL-D', safety_stock => 1);
SELECT * FROM regress.my_advisory_locks;
ROLLBACK;
BEGIN;
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity)
VALUES ('PL-NEW2', :a, 'RECEIVE', 1);
SELECT * FROM regress.my_advisory_locks;
ROLLBACK;
-- Creators take the lock in SHARE mode (they never wait for each other), a policy change in
-- EXCLUSIVE mode; the SKUs hash into 256 keys, so one transaction holds at most 256 of these
-- locks however many levels it creates (PostgreSQL's lock table is small).
BEGIN;
SELECT count(*) AS events FROM inventory.inventory_apply_events(
  (SELECT jsonb_agg(jsonb_build_object('sku', 'PL-BULK-' || i, 'warehouse_id', :a,
                                       'event_type', 'RECEIVE', 'quantity', 1))
     FROM generate_series(1, 2000) i));
SELECT count(*) <= 256 AS bounded, count(*) > 200 AS spread,
       bool_and(mode = 'ShareLock' AND classid = 1229870672 AND objid < 256) AS shared
  FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();
SELECT safety_stock FROM inventory.inventory_set_sku_policy('PL-BULK-1', safety_stock => 1);
SELECT mode, count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
 GROUP BY 1 ORDER BY 1;
ROLLBACK;
DROP VIEW regress.my_advisory_locks;

-- Under REPEATABLE READ a transaction's own changes are no concurrent change: it may set a
-- policy and then create a level of the SKU, or create a level and then change the policy.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT safety_stock FROM inventory.inventory_set_sku_policy('PL-RR1', safety_stock => 2);
SELECT (inventory.inventory_apply_event('PL-RR1', :a, 'RECEIVE', 5)).available_to_sell;
SELECT (inventory.inventory_apply_event('PL-RR2', :a, 'RECEIVE', 5)).available_to_sell;
SELECT safety_stock FROM inventory.inventory_set_sku_policy('PL-RR2', safety_stock => 3);
SELECT sku, available_to_sell, safety_stock FROM inventory.inventory_levels
 WHERE sku IN ('PL-RR1', 'PL-RR2') ORDER BY 1;
COMMIT;
SELECT regress.consistent();
