-- Orders, expiry and transfers hardened in 0.3.1 (issue 10): a bound on an order's lines, the
-- shortage report, levels created only where a backorder needs them, reserved idempotency keys
-- refused, and expiry that commits per batch.
SELECT inventory.inventory_create_warehouse('H4-LIS', 'Lisbon', 'PT', 60) AS lisbon,
       inventory.inventory_create_warehouse('H4-POR', 'Porto', 'PT', 61) AS porto;
SELECT inventory.inventory_serve_country(60, 'PT', 1), inventory.inventory_serve_country(61, 'PT', 2);

-- At most 1000 lines: above, 54000 before anything is read or locked.
SELECT on_hand FROM inventory.inventory_apply_event('H4-BULK', 60, 'RECEIVE', 2000);
SELECT regress.error_of(format($$SELECT inventory.inventory_allocate_order('H4-BIG', %L, ship_to => 'PT')$$,
       (SELECT jsonb_agg(jsonb_build_object('sku', 'H4-BULK', 'quantity', 1)) FROM generate_series(1, 1001))));
SELECT count(*) AS orders FROM inventory.inventory_orders WHERE order_ref = 'H4-BIG';
-- 1000 lines are one order, in line order.
SELECT count(*) AS rows, count(DISTINCT reference_id) AS reservations, sum(quantity) AS units,
       bool_and(line = n::text) AS in_line_order
  FROM (SELECT a.*, row_number() OVER () AS n
          FROM inventory.inventory_allocate_order('H4-BIG',
                 (SELECT jsonb_agg(jsonb_build_object('sku', 'H4-BULK', 'quantity', 2)) FROM generate_series(1, 1000)),
                 ship_to => 'PT') a) x;
SELECT on_hand, reserved, available_to_sell FROM inventory.inventory_levels WHERE sku = 'H4-BULK';
SELECT count(*) AS released FROM inventory.inventory_release_order('H4-BIG');

-- on_shortage: 'error' (the default) raises IV001; 'report' reserves nothing and returns the
-- figures of each short line.
SELECT on_hand FROM inventory.inventory_apply_event('H4-SOCK', 60, 'RECEIVE', 3);
SELECT on_hand FROM inventory.inventory_apply_event('H4-SOCK', 61, 'RECEIVE', 2);
SELECT on_hand FROM inventory.inventory_apply_event('H4-CAP', 61, 'RECEIVE', 10);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('H4-S1', '[{"sku": "H4-SOCK", "quantity": 4}]', ship_to => 'PT', on_shortage => 'ignore')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('H4-S1', '[{"sku": "H4-SOCK", "quantity": 4}]', ship_to => 'PT', on_shortage => NULL)$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('H4-S1', '[{"sku": "H4-SOCK", "quantity": 4}]', ship_to => 'PT')$$);
-- Without a split a line gets at most what one warehouse has (3); the cap line is not short.
SELECT line, sku, warehouse_id, quantity, reference_id, event_id, replayed, requested, available, shortage
  FROM inventory.inventory_allocate_order('H4-S1',
         '[{"sku": "H4-CAP", "quantity": 1}, {"sku": "H4-SOCK", "quantity": 4}, {"line": "x", "sku": "H4-SOCK", "quantity": 3}, {"sku": "H4-NONE", "quantity": 1}]',
         ship_to => 'PT', on_shortage => 'report');
-- Nothing was reserved, and the order_ref is still free.
SELECT (SELECT count(*) FROM inventory.inventory_orders WHERE order_ref = 'H4-S1') AS orders,
       (SELECT count(*) FROM inventory.inventory_reservations WHERE reference_id LIKE 'H4-S1/%') AS reservations,
       (SELECT sum(reserved) FROM inventory.inventory_levels WHERE sku IN ('H4-SOCK', 'H4-CAP')) AS reserved;
-- With a split, all candidate warehouses count (5); a line short after an earlier line of the
-- same SKU sees what that line left.
SELECT line, sku, quantity, requested, available, shortage
  FROM inventory.inventory_allocate_order('H4-S1',
         '[{"sku": "H4-SOCK", "quantity": 4}, {"sku": "H4-SOCK", "quantity": 2}]',
         ship_to => 'PT', allow_split => true, on_shortage => 'REPORT');
-- When everything fits, 'report' reserves as 'error' would: the figures are NULL.
SELECT line, sku, warehouse_id, quantity, reference_id, replayed, requested, available, shortage
  FROM inventory.inventory_allocate_order('H4-S1',
         '[{"sku": "H4-SOCK", "quantity": 4}, {"sku": "H4-CAP", "quantity": 1}]',
         ship_to => 'PT', allow_split => true, on_shortage => 'report')
 ORDER BY line, warehouse_id;
-- A retry replays (also with on_shortage => 'report'), and old column lists still work.
SELECT line, sku, warehouse_id, quantity, replayed
  FROM inventory.inventory_allocate_order('H4-S1',
         '[{"sku": "H4-SOCK", "quantity": 4}, {"sku": "H4-CAP", "quantity": 1}]',
         ship_to => 'PT', allow_split => true)
 ORDER BY line, warehouse_id;
SELECT count(*) AS released FROM inventory.inventory_release_order('H4-S1');

-- A SKU that allows backorders gets a level in the first warehouse only when its backorder
-- needs one: an order filled in Porto leaves Lisbon without an empty level.
SELECT allow_backorder FROM inventory.inventory_set_sku_policy('H4-PRE', allow_backorder => true, backorder_limit => 20);
SELECT on_hand FROM inventory.inventory_apply_event('H4-PRE', 61, 'RECEIVE', 5);
SELECT line, warehouse_id, quantity FROM inventory.inventory_allocate_order('H4-P1', '[{"sku": "H4-PRE", "quantity": 2}]', ship_to => 'PT');
SELECT warehouse_id, on_hand, reserved FROM inventory.inventory_levels WHERE sku = 'H4-PRE' ORDER BY 1;
SELECT count(*) AS differences FROM inventory.inventory_verify();
-- More than is there: the rest is backordered in Lisbon, whose level now exists with the policy.
SELECT line, warehouse_id, quantity FROM inventory.inventory_allocate_order('H4-P2', '[{"sku": "H4-PRE", "quantity": 10}]', ship_to => 'PT');
SELECT warehouse_id, on_hand, reserved, available_to_sell, allow_backorder, backorder_limit
  FROM inventory.inventory_levels WHERE sku = 'H4-PRE' ORDER BY 1;
SELECT count(*) AS released FROM inventory.inventory_release_order('H4-P1');
SELECT count(*) AS released FROM inventory.inventory_release_order('H4-P2');
-- A backorder stays within the SKU's backorder_limit, and what is beyond it is a shortage the
-- report gives as figures (it raised the engine's IV001 before): 1 on hand in Lisbon, a limit
-- of 2, so a line can get 3.
SELECT allow_backorder FROM inventory.inventory_set_sku_policy('H4-LIM', allow_backorder => true, backorder_limit => 2);
SELECT on_hand FROM inventory.inventory_apply_event('H4-LIM', 60, 'RECEIVE', 1);
SELECT line, sku, quantity, requested, available, shortage
  FROM inventory.inventory_allocate_order('H4-L1', '[{"sku": "H4-LIM", "quantity": 10}]',
                                          fixed_warehouse_id => 60, on_shortage => 'report');
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('H4-L1', '[{"sku": "H4-LIM", "quantity": 10}]', fixed_warehouse_id => 60)$$);
-- Two lines of the SKU share the allowance: the first takes 2 (1 on hand, 1 backordered), the
-- second is short of 1 of its 2.
SELECT line, sku, quantity, requested, available, shortage
  FROM inventory.inventory_allocate_order('H4-L1', '[{"sku": "H4-LIM", "quantity": 2}, {"sku": "H4-LIM", "quantity": 2}]',
                                          fixed_warehouse_id => 60, on_shortage => 'report');
SELECT line, warehouse_id, quantity, requested
  FROM inventory.inventory_allocate_order('H4-L1', '[{"sku": "H4-LIM", "quantity": 3}]',
                                          fixed_warehouse_id => 60, on_shortage => 'report');
SELECT on_hand, reserved, available_to_sell FROM inventory.inventory_levels WHERE sku = 'H4-LIM';
SELECT count(*) AS released FROM inventory.inventory_release_order('H4-L1');

-- 0.4.0: an order's errors name its line, not the event the engine writes for it; the order's
-- metadata is checked before anything is locked; each reservation records its order.
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('H4-E1', '[{"sku": "H4-CAP", "quantity": 1}]', fixed_warehouse_id => 61, expires_at => now() - interval '1 minute')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('H4-E1', '[{"sku": "H4-CAP", "quantity": 1}]', fixed_warehouse_id => 61, metadata => '{"unit_cost": -1}')$$);
SELECT count(*) AS orders FROM inventory.inventory_orders WHERE order_ref = 'H4-E1';
SELECT reference_id FROM inventory.inventory_allocate_order('H4-E2', '[{"line": "a", "sku": "H4-CAP", "quantity": 2}]', fixed_warehouse_id => 61);
SELECT reference_id, order_ref, held FROM inventory.inventory_reservations WHERE reference_id = 'H4-E2/a';
SELECT reference_id, released FROM inventory.inventory_release_order('H4-E2', reason => NULL);
SELECT reason FROM inventory.inventory_ledger WHERE reference_id = 'H4-E2/a' AND event_type = 'DEALLOCATE';

-- Idempotency keys starting with "inventory:" are the extension's on every public entry point.
SELECT on_hand FROM inventory.inventory_apply_event('H4-TR', 60, 'RECEIVE', 5);
SELECT in_transit FROM inventory.inventory_dispatch_transfer('H4-T1', 'H4-TR', 60, 61, 3);
SELECT regress.error_of($$SELECT inventory.inventory_receive_transfer('H4-T1', 'H4-TR', 1, idempotency_key => 'inventory:dispatch:x')$$);
SELECT regress.error_of($$SELECT inventory.inventory_receive_transfer('H4-T1', 'H4-TR', 1, idempotency_key => repeat('k', 300))$$);
SELECT in_transit FROM inventory.inventory_transfers WHERE transfer_ref = 'H4-T1';
SELECT in_transit, replayed FROM inventory.inventory_receive_transfer('H4-T1', 'H4-TR', 1, idempotency_key => 'h4-in-1');
SELECT ordered FROM inventory.inventory_expect_purchase_order('H4-PO', 'H4-TR', 60, 4);
SELECT regress.error_of($$SELECT inventory.inventory_receive_purchase_order('H4-PO', 'H4-TR', 1, idempotency_key => 'inventory:po')$$);
SELECT inventory.inventory_cancel_purchase_order('H4-PO');
-- The key of a dispatch (made by the extension) does not pass as a retry of a cancelled line.
SELECT regress.error_of(format($$SELECT inventory.inventory_receive_purchase_order('H4-PO', 'H4-TR', 1, idempotency_key => %L)$$,
       (SELECT idempotency_key FROM inventory.inventory_ledger WHERE reference_id = 'H4-T1' AND event_type = 'TRANSFER_OUT')));

-- Expiry: the function takes skip_locked; the procedure commits per batch and so cannot run
-- inside a transaction block.
SELECT on_hand FROM inventory.inventory_apply_event('H4-EXP', 60, 'RECEIVE', 10);
SELECT e.reserved
  FROM generate_series(1, 5) n,
       LATERAL inventory.inventory_apply_event('H4-EXP', 60, 'ALLOCATE', 1, 'H4-CART-' || n || '/1',
                                               expires_at => clock_timestamp() + interval '1 second') e
 ORDER BY 1;
SELECT pg_sleep(1.1);
SELECT reference_id, released FROM inventory.inventory_expire_reservations(2, skip_locked => true) ORDER BY 1;
SELECT regress.error_of($$SELECT inventory.inventory_expire_reservations(2, skip_locked => NULL)$$);
SELECT regress.error_of($$CALL inventory.inventory_expire_reservations_in_batches(0)$$);
SELECT regress.error_of($$CALL inventory.inventory_expire_reservations_in_batches(2)$$);
SELECT count(*) FILTER (WHERE status = 'ACTIVE') AS active, count(*) FILTER (WHERE status = 'EXPIRED') AS expired
  FROM inventory.inventory_reservations WHERE sku = 'H4-EXP';
-- Called as the application's role, with a search_path that would shadow unqualified names.
CREATE ROLE regress_h4_app LOGIN IN ROLE inventory_app;
CREATE SCHEMA regress_h4_shadow AUTHORIZATION regress_h4_app;
SET ROLE regress_h4_app;
CREATE FUNCTION regress_h4_shadow.zero(bigint) RETURNS bigint LANGUAGE sql AS 'SELECT 0::bigint';
CREATE AGGREGATE regress_h4_shadow.count(*) (sfunc = regress_h4_shadow.zero, stype = bigint, initcond = '0');
CREATE FUNCTION regress_h4_shadow.always(integer, integer) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR regress_h4_shadow.< (leftarg = integer, rightarg = integer, function = regress_h4_shadow.always);
CREATE OPERATOR regress_h4_shadow.>= (leftarg = integer, rightarg = integer, function = regress_h4_shadow.always);
SET search_path = regress_h4_shadow, pg_catalog, public;
CALL inventory.inventory_expire_reservations_in_batches(2);
RESET search_path;
RESET ROLE;
SELECT count(*) FILTER (WHERE status = 'ACTIVE') AS active, count(*) FILTER (WHERE status = 'EXPIRED') AS expired,
       (SELECT reserved FROM inventory.inventory_levels WHERE sku = 'H4-EXP' AND warehouse_id = 60) AS reserved
  FROM inventory.inventory_reservations WHERE sku = 'H4-EXP';
DROP SCHEMA regress_h4_shadow CASCADE;
DROP ROLE regress_h4_app;

SELECT count(*) AS differences FROM inventory.inventory_verify();
SELECT count(*) AS differences FROM inventory.inventory_verify_reservations();
SELECT * FROM regress.inconsistencies();
