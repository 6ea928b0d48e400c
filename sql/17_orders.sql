-- Orders: every line reserved or none, in a fixed warehouse or among the warehouses that serve
-- the ship-to country (the source chapter's New York / California example).
SELECT inventory.inventory_create_warehouse('ORD-NY', 'New York', 'US', 20) AS ny,
       inventory.inventory_create_warehouse('ORD-CA', 'California', 'US', 21) AS ca,
       inventory.inventory_create_warehouse('ORD-BER', 'Berlin', 'DE', 22) AS berlin;
-- California also ships to Mexico; New York is preferred for the US.
SELECT inventory.inventory_serve_country(21, 'mx');
SELECT inventory.inventory_serve_country(20, 'US', 10);
SELECT warehouse_id, country, priority FROM inventory.inventory_warehouse_countries
 WHERE warehouse_id IN (20, 21, 22) ORDER BY 1, 2;
SELECT regress.error_of($$SELECT inventory.inventory_serve_country(99, 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_serve_country(20, 'USA')$$);
SELECT regress.error_of($$SELECT inventory.inventory_serve_country(20, 'US', -1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_serve_country(NULL, 'US')$$);

SELECT on_hand FROM inventory.inventory_apply_event('SHIRT', 20, 'RECEIVE', 5);
SELECT on_hand FROM inventory.inventory_apply_event('SHIRT', 21, 'RECEIVE', 10);
SELECT on_hand FROM inventory.inventory_apply_event('SHIRT', 22, 'RECEIVE', 7);
SELECT on_hand FROM inventory.inventory_apply_event('MUG', 20, 'RECEIVE', 3);

-- Availability per ship-to country counts only the warehouses that serve it.
SELECT inventory.inventory_ats('SHIRT') AS everywhere, inventory.inventory_ats('SHIRT', 'US') AS us,
       inventory.inventory_ats('SHIRT', 'mx') AS mx, inventory.inventory_ats('SHIRT', 'DE') AS de,
       inventory.inventory_ats('SHIRT', 'FR') AS nobody_ships_to_fr;
SELECT regress.error_of($$SELECT inventory.inventory_ats('SHIRT', 'USA')$$);
SELECT regress.error_of($$SELECT inventory.inventory_ats('SHIRT', NULL::text)$$);
-- Clients that send untyped parameters reach the text form; digits still mean a warehouse.
PREPARE untyped_ats AS SELECT inventory.inventory_ats($1, $2);
EXECUTE untyped_ats('SHIRT', '21');
EXECUTE untyped_ats('SHIRT', 'MX');
DEALLOCATE untyped_ats;
SELECT inventory.inventory_availability('SHIRT') -> 'countries' AS countries;
SELECT jsonb_pretty(inventory.inventory_availability('SHIRT', 'MX'));
SELECT regress.error_of($$SELECT inventory.inventory_availability('SHIRT', 'Mexico')$$);

-- A fixed warehouse.
SELECT line, sku, warehouse_id, quantity, reference_id, replayed
  FROM inventory.inventory_allocate_order('A-1', '[{"sku": "SHIRT", "quantity": 2}]',
                                          fixed_warehouse_id => 22);
-- By country, PRIORITY: New York first (priority 10); a line it cannot fill whole goes to the
-- next warehouse that can.
SELECT line, sku, warehouse_id, quantity, reference_id
  FROM inventory.inventory_allocate_order('A-2',
         '[{"line": "1", "sku": "SHIRT", "quantity": 3}, {"line": "2", "sku": "MUG", "quantity": 3},
           {"line": "3", "sku": "SHIRT", "quantity": 4}]', ship_to => 'US');
-- MOST_STOCK takes the warehouse with the most sellable units (California, 6 left).
SELECT line, sku, warehouse_id, quantity
  FROM inventory.inventory_allocate_order('A-3', '[{"sku": "SHIRT", "quantity": 1}]',
                                          ship_to => 'US', strategy => 'most_stock');
-- Left: New York 2, California 5. 7 fit only when split.
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('A-4', '[{"sku": "SHIRT", "quantity": 7}]', ship_to => 'US')$$);
SELECT line, sku, warehouse_id, quantity, reference_id
  FROM inventory.inventory_allocate_order('A-4', '[{"sku": "SHIRT", "quantity": 7}]',
                                          ship_to => 'US', allow_split => true);
SELECT reference_id, sku, warehouse_id, order_ref, held, status
  FROM inventory.inventory_reservations WHERE order_ref LIKE 'A-%' ORDER BY order_ref, 1, 3;

-- All or nothing: the second line cannot be had, so the first is not reserved either.
SELECT on_hand FROM inventory.inventory_apply_event('MUG', 21, 'RECEIVE', 4);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('A-5', '[{"sku": "MUG", "quantity": 2}, {"sku": "SHIRT", "quantity": 1}]', ship_to => 'US')$$);
SELECT count(*) AS nothing_reserved FROM inventory.inventory_reservations WHERE order_ref = 'A-5';
SELECT count(*) AS no_order FROM inventory.inventory_orders WHERE order_ref = 'A-5';
SELECT inventory.inventory_ats('MUG', 'US') AS mug_still_available;
-- A priority tie goes to the warehouse with more sellable units: warehouse 10 (1 mug) and
-- California (4 mugs) both serve the US at priority 100; New York (priority 10) has none left.
SELECT on_hand FROM inventory.inventory_apply_event('MUG', 10, 'RECEIVE', 1);
SELECT line, sku, warehouse_id, quantity
  FROM inventory.inventory_allocate_order('A-6', '[{"sku": "MUG", "quantity": 1}]', ship_to => 'US');

-- The order_ref makes the call idempotent: the same request replays, a different one is refused.
SELECT line, warehouse_id, quantity, replayed
  FROM inventory.inventory_allocate_order('A-2',
         '[{"line": "1", "sku": "SHIRT", "quantity": 3}, {"line": "2", "sku": "MUG", "quantity": 3},
           {"line": "3", "sku": "SHIRT", "quantity": 4}]', ship_to => 'US');
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('A-2', '[{"sku": "SHIRT", "quantity": 1}]', ship_to => 'US')$$);
SELECT count(*) AS allocations_of_a2 FROM inventory.inventory_ledger
 WHERE event_type = 'ALLOCATE' AND reference_id LIKE 'A-2/%';

-- Ordering to a country no warehouse serves, and other bad requests, change nothing.
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"sku": "SHIRT", "quantity": 1}]', ship_to => 'FR')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"sku": "SHIRT", "quantity": 1}]')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"sku": "SHIRT", "quantity": 1}]', ship_to => 'US', fixed_warehouse_id => 20)$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"sku": "SHIRT", "quantity": 1}]', fixed_warehouse_id => 99)$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"sku": "SHIRT", "quantity": 1}]', ship_to => 'U1')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"sku": "SHIRT", "quantity": 1}]', ship_to => 'US', strategy => 'CHEAPEST')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order(NULL, '[{"sku": "SHIRT", "quantity": 1}]', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('', '[{"sku": "SHIRT", "quantity": 1}]', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', NULL, ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[]', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '{"sku": "SHIRT"}', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[42]', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"sku": "SHIRT", "qty": 1}]', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"quantity": 1}]', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"sku": "", "quantity": 1}]', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"sku": "SHIRT", "quantity": 0}]', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"sku": "SHIRT", "quantity": -1}]', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"sku": "SHIRT", "quantity": 1.5}]', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"sku": "SHIRT", "quantity": "1"}]', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"sku": "SHIRT", "quantity": 9223372036854775808}]', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"line": 1, "sku": "SHIRT", "quantity": 1}, {"line": "1", "sku": "MUG", "quantity": 1}]', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"line": "", "sku": "SHIRT", "quantity": 1}]', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"line": "1/2", "sku": "SHIRT", "quantity": 1}]', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"sku": 42, "quantity": 1}]', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"line": [1], "sku": "SHIRT", "quantity": 1}]', ship_to => 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"sku": "SHIRT", "quantity": 1}]', ship_to => 'US', metadata => '[1]')$$);
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-1', '[{"sku": "SHIRT", "quantity": 1}]', ship_to => 'US', expires_at => now() - interval '1 minute')$$);
SELECT count(*) AS no_b1 FROM inventory.inventory_orders WHERE order_ref = 'B-1';
-- A whole number written as a decimal is a whole number.
SELECT line, sku, warehouse_id, quantity
  FROM inventory.inventory_allocate_order('B-2', '[{"sku": "SHIRT", "quantity": 1.0}]', fixed_warehouse_id => 22);
-- An order never takes over a reservation made under one of its references by a plain ALLOCATE.
SELECT reserved FROM inventory.inventory_apply_event('SHIRT', 22, 'ALLOCATE', 1, 'B-4/1');
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('B-4', '[{"sku": "SHIRT", "quantity": 1}]', fixed_warehouse_id => 22)$$);
SELECT quantity, order_ref FROM inventory.inventory_reservations WHERE reference_id = 'B-4/1';
-- A retry computes its hold anew; it replays, and the first hold stands.
SELECT line, warehouse_id, replayed FROM inventory.inventory_allocate_order('B-5', '[{"sku": "SHIRT", "quantity": 1}]', fixed_warehouse_id => 22, expires_at => now() + interval '15 minutes');
SELECT line, warehouse_id, replayed FROM inventory.inventory_allocate_order('B-5', '[{"sku": "SHIRT", "quantity": 1}]', fixed_warehouse_id => 22, expires_at => now() + interval '16 minutes');
SELECT count(*) AS one_hold FROM inventory.inventory_ledger WHERE reference_id = 'B-5/1';

-- Backorders: a SKU that allows them is reserved in the first warehouse even without stock, up
-- to its backorder limit.
SELECT sku FROM inventory.inventory_set_sku_policy('PREORDER', allow_backorder => true, backorder_limit => 5);
SELECT line, sku, warehouse_id, quantity
  FROM inventory.inventory_allocate_order('C-1', '[{"sku": "PREORDER", "quantity": 3}]', ship_to => 'US');
SELECT regress.error_of($$SELECT inventory.inventory_allocate_order('C-2', '[{"sku": "PREORDER", "quantity": 3}]', ship_to => 'US')$$);
SELECT on_hand, reserved, available_to_sell FROM regress.level('PREORDER', 20);

-- The worked example: reserve at checkout with a 15-minute hold, pay, ship part, release the rest.
SELECT on_hand FROM inventory.inventory_apply_event('SOCKS', 20, 'RECEIVE', 10);
SELECT line, sku, warehouse_id, quantity, reference_id
  FROM inventory.inventory_allocate_order('W-1001',
         '[{"line": "1", "sku": "SOCKS", "quantity": 4}, {"line": "2", "sku": "MUG", "quantity": 1}]',
         ship_to => 'US', expires_at => now() + interval '15 minutes');
SELECT inventory.inventory_ats('SOCKS', 'US') AS socks_left;
-- Paid: ship 3 socks and the mug.
SELECT on_hand, reserved FROM inventory.inventory_apply_event('SOCKS', 20, 'FULFILL', 3, 'W-1001/1');
SELECT on_hand, reserved FROM inventory.inventory_apply_event('MUG', 21, 'FULFILL', 1, 'W-1001/2');
-- The customer drops the fourth pair: release what the order still holds.
SELECT reference_id, sku, warehouse_id, released FROM inventory.inventory_release_order('W-1001');
SELECT count(*) AS second_release FROM inventory.inventory_release_order('W-1001');
SELECT reference_id, quantity, fulfilled, released, status
  FROM inventory.inventory_reservations WHERE order_ref = 'W-1001' ORDER BY 1;
SELECT regress.error_of($$SELECT inventory.inventory_release_order('NO-SUCH-ORDER')$$);
SELECT regress.error_of($$SELECT inventory.inventory_release_order(NULL)$$);
SELECT event_type, quantity, reason, reference_id FROM inventory.inventory_ledger
 WHERE reference_id LIKE 'W-1001/%' ORDER BY created_at, level_version;
SELECT inventory.inventory_ats('SOCKS', 'US') AS socks_after;

-- Roles: an application allocates orders; it may not change which countries a warehouse serves.
SET ROLE inventory_app;
SELECT line, warehouse_id, quantity
  FROM inventory.inventory_allocate_order('R-1', '[{"sku": "SOCKS", "quantity": 1}]', ship_to => 'US');
SELECT inventory.inventory_serve_country(21, 'CA');
RESET ROLE;
SELECT g.actor AS ledger_actor, o.actor AS order_actor
  FROM inventory.inventory_ledger g JOIN inventory.inventory_orders o ON o.order_ref = 'R-1'
 WHERE g.reference_id = 'R-1/1';

SELECT * FROM inventory.inventory_verify();
SELECT regress.consistent();
