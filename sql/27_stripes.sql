-- Striped levels (issue 13): a SKU's policy splits each of its levels into stripes that are
-- locked independently. inventory_levels stays one row per SKU and warehouse (the sum); the
-- ledger records each stripe's own history and REBALANCE rows for stock moved between stripes.
-- Which stripe a sale takes depends on the session (its process id), so the figures shown per
-- stripe are those after a step that decides them: a RECEIVE, a slow path, a policy change.
CREATE EXTENSION IF NOT EXISTS inventory;
SELECT inventory.inventory_create_warehouse('ST-A', 'Striped', 'SE') AS a \gset

-- The argument and its bounds: 1..64, not NULL (22023, 22004); nothing changes on an error.
SELECT sku, stripes FROM inventory.inventory_set_sku_policy('ST-HOT', stripes => 4);
SELECT inventory.inventory_set_sku_policy('ST-HOT', stripes => 0);
SELECT inventory.inventory_set_sku_policy('ST-HOT', stripes => 65);
SELECT inventory.inventory_set_sku_policy('ST-HOT', stripes => NULL);
SELECT stripes FROM inventory.inventory_sku_policies WHERE sku = 'ST-HOT';

-- A RECEIVE locks every stripe, lands in stripe 0 and is spread evenly, recorded.
SELECT on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('ST-HOT', :a, 'RECEIVE', 10);
SELECT stripe, on_hand, reserved, version FROM inventory.inventory_level_stripes
 WHERE sku = 'ST-HOT' ORDER BY stripe;
SELECT event_type, stripe, quantity, on_hand_change, on_hand_after, level_version
  FROM inventory.inventory_ledger WHERE sku = 'ST-HOT' ORDER BY stripe, level_version;
SELECT sku, on_hand, reserved, available_to_sell, version, stripes
  FROM inventory.inventory_levels WHERE sku = 'ST-HOT';

-- A sale that one stripe can fill takes one stripe; the result is the level's total.
SELECT on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('ST-HOT', :a, 'ALLOCATE', 2, reference_id => 'ST-O1');
SELECT count(*) FILTER (WHERE reserved = 2) AS stripes_with_the_sale, sum(reserved) AS reserved
  FROM inventory.inventory_level_stripes WHERE sku = 'ST-HOT';
SELECT r.held, r.stripe = s.stripe AS on_that_stripe
  FROM inventory.inventory_reservations r
  JOIN inventory.inventory_level_stripes s
    ON s.sku = r.sku AND s.warehouse_id = r.warehouse_id AND s.reserved = 2
 WHERE r.reference_id = 'ST-O1';

-- A sale no single stripe can fill is decided on the total: 7 of the 8 free units, from
-- several stripes (REBALANCE rows), never refused while the level has them.
SELECT on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('ST-HOT', :a, 'ALLOCATE', 7, reference_id => 'ST-O2');
SELECT sum(on_hand) AS on_hand, sum(reserved) AS reserved,
       sum(on_hand) - sum(reserved) AS free
  FROM inventory.inventory_level_stripes WHERE sku = 'ST-HOT';
SELECT count(*) > 0 AS rebalanced, sum(on_hand_change) AS moved_in_total
  FROM inventory.inventory_ledger WHERE sku = 'ST-HOT' AND event_type = 'REBALANCE';
-- The last unit, then a refusal on the total (IV001), and nothing written by it.
SELECT available_to_sell FROM inventory.inventory_apply_event('ST-HOT', :a, 'ALLOCATE', 1);
SELECT count(*) AS ledger_rows FROM inventory.inventory_ledger WHERE sku = 'ST-HOT' \gset
SELECT inventory.inventory_apply_event('ST-HOT', :a, 'ALLOCATE', 1);
SELECT count(*) = :ledger_rows AS nothing_written FROM inventory.inventory_ledger WHERE sku = 'ST-HOT';

-- FULFILL and DEALLOCATE naming a reservation take from its stripe.
SELECT on_hand, reserved FROM inventory.inventory_apply_event('ST-HOT', :a, 'FULFILL', 2, reference_id => 'ST-O1');
SELECT on_hand, reserved FROM inventory.inventory_apply_event('ST-HOT', :a, 'DEALLOCATE', 3, reference_id => 'ST-O2');
SELECT reference_id, held, status FROM inventory.inventory_reservations
 WHERE sku = 'ST-HOT' ORDER BY reference_id;
-- An unnamed DEALLOCATE may only take the reserved units no reservation holds (the 1 above).
SELECT inventory.inventory_apply_event('ST-HOT', :a, 'DEALLOCATE', 2);
SELECT on_hand, reserved FROM inventory.inventory_apply_event('ST-HOT', :a, 'DEALLOCATE', 1);

-- A COUNT sets the level's total; an ADJUST and a RETURN change it.
SELECT on_hand, reserved, available_to_sell FROM inventory.inventory_apply_event('ST-HOT', :a, 'COUNT', 20);
SELECT on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('ST-HOT', :a, 'ADJUST', -6, reason => 'DAMAGED');
SELECT on_hand FROM inventory.inventory_apply_event('ST-HOT', :a, 'RETURN', 1);
SELECT stripe, on_hand, reserved FROM inventory.inventory_level_stripes
 WHERE sku = 'ST-HOT' ORDER BY stripe;

-- Fewer stripes: the ones beyond drain into the others (their reservations stay), totals kept.
SELECT stripes FROM inventory.inventory_set_sku_policy('ST-HOT', stripes => 2);
SELECT stripe, on_hand, reserved FROM inventory.inventory_level_stripes
 WHERE sku = 'ST-HOT' ORDER BY stripe;
SELECT on_hand, reserved, available_to_sell, stripes FROM inventory.inventory_levels WHERE sku = 'ST-HOT';
-- More stripes: new rows, the free units spread again.
SELECT stripes FROM inventory.inventory_set_sku_policy('ST-HOT', stripes => 3);
SELECT stripe, on_hand, reserved FROM inventory.inventory_level_stripes
 WHERE sku = 'ST-HOT' ORDER BY stripe;
-- Safety stock applies to the level's total: every sale locks all stripes and decides on it,
-- taking units from several stripes (11 free, 4 held back: 7 to sell).
SELECT safety_stock FROM inventory.inventory_set_sku_policy('ST-HOT', safety_stock => 4, stripes => 3);
SELECT stripe, on_hand, reserved FROM inventory.inventory_level_stripes
 WHERE sku = 'ST-HOT' ORDER BY stripe;
SELECT on_hand, reserved, available_to_sell FROM inventory.inventory_levels WHERE sku = 'ST-HOT';
SELECT inventory.inventory_apply_event('ST-HOT', :a, 'ALLOCATE', 11);
SELECT available_to_sell FROM inventory.inventory_apply_event('ST-HOT', :a, 'ALLOCATE', 7);
SELECT sum(on_hand) - sum(reserved) AS free FROM inventory.inventory_level_stripes WHERE sku = 'ST-HOT';
SELECT on_hand FROM inventory.inventory_apply_event('ST-HOT', :a, 'RECEIVE', 6);
SELECT safety_stock FROM inventory.inventory_set_sku_policy('ST-HOT', stripes => 3);

-- A new level of a striped SKU gets all its stripes; an order and a transfer work on it.
SELECT inventory.inventory_create_warehouse('ST-B', 'Second', 'SE') AS b \gset
SELECT inventory.inventory_serve_country(:a, 'SE', 1), inventory.inventory_serve_country(:b, 'SE', 2);
SELECT count(*) AS transferred FROM inventory.inventory_transfer('ST-HOT', :a, :b, 3);
SELECT warehouse_id = :b AS b, count(*) AS stripes, sum(on_hand) AS on_hand
  FROM inventory.inventory_level_stripes WHERE sku = 'ST-HOT' GROUP BY warehouse_id ORDER BY 1;
SELECT warehouse_id = :a AS from_a, quantity
  FROM inventory.inventory_allocate_order('ST-ORDER', '[{"sku": "ST-HOT", "quantity": 2}]', ship_to => 'SE');
SELECT sum(released) AS released FROM inventory.inventory_release_order('ST-ORDER');

-- REBALANCE is the engine's: not an event a caller applies or inserts.
SELECT inventory.inventory_apply_event('ST-HOT', :a, 'REBALANCE', 1);
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity)
VALUES ('ST-HOT', :a, 'REBALANCE', 1);
-- A row inserted directly applies to the stripe it names (0 by default), decided there.
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity, stripe)
VALUES ('ST-HOT', :a, 'RECEIVE', 2, 1);
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity, stripe)
VALUES ('ST-HOT', :a, 'RECEIVE', 2, 9);

-- Levels equal the ledger per stripe and in total; a rebuild finds nothing to change, and
-- time travel sums the stripes.
SELECT * FROM inventory.inventory_verify();
SELECT * FROM inventory.inventory_verify_reservations();
SELECT inventory.inventory_rebuild_levels() AS changed;
SELECT l.on_hand = t.on_hand AND l.reserved = t.reserved AS time_travel_now_is_the_level
  FROM inventory.inventory_levels l
  JOIN inventory.inventory_levels_at('ST-HOT', now() + interval '1 day') t
    ON t.warehouse_id = l.warehouse_id
 WHERE l.sku = 'ST-HOT' AND l.warehouse_id = :a;
