-- The walk-through run by scripts/demo.sh: one SKU through its whole life, then an order with
-- a hold, goods in transit and a purchase order.
\set ON_ERROR_STOP on
\pset footer off
CREATE EXTENSION inventory;

\echo '\n### Two warehouses'
SELECT inventory.inventory_create_warehouse('NYC-1', 'New York', 'US') AS new_york,
       inventory.inventory_create_warehouse('CA-1', 'California', 'US') AS california;

\echo '\n### RECEIVE 50 units of TSHIRT-M at New York (purchase order PO-1001)'
SELECT * FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'RECEIVE', 50, 'PO-1001', 'po-1001-1');

\echo '\n### ALLOCATE: customer A buys 2, customer B buys 1'
SELECT * FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'ALLOCATE', 2, 'ORDER-A', 'order-a-1');
SELECT * FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'ALLOCATE', 1, 'ORDER-B', 'order-b-1');

\echo '\n### The shop retries order A (a network timeout): same idempotency key, nothing counted twice'
SELECT * FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'ALLOCATE', 2, 'ORDER-A', 'order-a-1');

\echo '\n### FULFILL: order A ships'
SELECT * FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'FULFILL', 2, 'ORDER-A');

\echo '\n### DEALLOCATE: customer B cancels before shipping'
SELECT * FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'DEALLOCATE', 1, 'ORDER-B', reason => 'CANCELLED');

\echo '\n### RETURN: A sends back one shirt to restock and one damaged'
SELECT * FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'RETURN', 1, 'RMA-A-1');
SELECT * FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'RETURN', 1, 'RMA-A-2', reason => 'DAMAGED');

\echo '\n### ADJUST: 3 sold at the pop-up store'
SELECT * FROM inventory.inventory_adjust('TSHIRT-M', -3, 'OFFLINE_SALE', 1, 'POPUP-DAY-1');

\echo '\n### COUNT: the cycle count finds 45 on the shelf'
SELECT * FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'COUNT', 45, reason => 'cycle count');

\echo '\n### TRANSFER 10 to California'
SELECT * FROM inventory.inventory_transfer('TSHIRT-M', 1, 2, 10, 'TR-1');

\echo '\n### Overselling is refused (SQLSTATE IV001) and changes nothing'
\set ON_ERROR_STOP off
\set VERBOSITY verbose
\set SHOW_CONTEXT never
SELECT * FROM inventory.inventory_apply_event('TSHIRT-M', 2, 'ALLOCATE', 11, 'ORDER-C');
\set VERBOSITY default
\set ON_ERROR_STOP on

\echo '\n### An order: California also ships to Mexico; checkout holds 2 shirts for 15 minutes'
SELECT inventory.inventory_serve_country(2, 'MX');
SELECT line, sku, warehouse_id, quantity, reference_id
  FROM inventory.inventory_allocate_order('ORDER-D', '[{"line": "1", "sku": "TSHIRT-M", "quantity": 2}]',
                                          ship_to => 'MX', expires_at => now() + interval '15 minutes');

\echo '\n### Paid: one shirt ships, the customer drops the other; the rest of the order is released'
SELECT * FROM inventory.inventory_apply_event('TSHIRT-M', 2, 'FULFILL', 1, 'ORDER-D/1');
SELECT reference_id, released FROM inventory.inventory_release_order('ORDER-D');
SELECT reference_id, warehouse_id, quantity, fulfilled, released, held, status
  FROM inventory.inventory_reservations ORDER BY reference_id;

\echo '\n### 5 shirts leave New York for California (in transit, not sellable); 20 more are on order'
SELECT * FROM inventory.inventory_dispatch_transfer('TR-2', 'TSHIRT-M', 1, 2, 5);
SELECT po_ref, warehouse_id, ordered, incoming, expected_at
  FROM inventory.inventory_expect_purchase_order('PO-1002', 'TSHIRT-M', 1, 20, now() + interval '7 days');
SELECT sku, warehouse_id, on_hand, reserved, available_to_sell, in_transit, incoming
  FROM inventory.inventory_stock_positions ORDER BY sku, warehouse_id;

\echo '\n### The ledger'
SELECT level_version AS v, warehouse_id AS wh, event_type, quantity, on_hand_change AS on_hand_chg,
       reserved_change AS reserved_chg, on_hand_after, reserved_after, available_after,
       reference_id, reason
  FROM inventory.inventory_ledger ORDER BY id;

\echo '\n### The levels'
SELECT sku, warehouse_id, on_hand, reserved, available_to_sell, version
  FROM inventory.inventory_levels ORDER BY sku, warehouse_id;

\echo '\n### Availability for checkout'
SELECT inventory.inventory_ats('TSHIRT-M') AS ats_all, inventory.inventory_ats('TSHIRT-M', 2) AS ats_california,
       inventory.inventory_ats('TSHIRT-M', 'MX') AS ats_ship_to_mexico;
SELECT jsonb_pretty(inventory.inventory_availability('TSHIRT-M')) AS availability;

\echo '\n### Levels equal the ledger (inventory_verify() lists differences; none expected)'
SELECT (SELECT count(*) FROM inventory.inventory_verify()) AS level_differences,
       (SELECT count(*) FROM inventory.inventory_verify_reservations()) AS reservation_differences;
