-- Every event type and what it does to the level and the ledger.
\pset null '(null)'

-- RECEIVE adds to on_hand.
SELECT replayed, on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'RECEIVE', 20, 'PO-1');
-- ALLOCATE reserves.
SELECT replayed, on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'ALLOCATE', 5, 'ORDER-1');
-- DEALLOCATE releases a reservation.
SELECT replayed, on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'DEALLOCATE', 2, 'ORDER-1');
-- FULFILL ships reserved units: both on_hand and reserved drop.
SELECT replayed, on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'FULFILL', 3, 'ORDER-1');
-- RETURN restocks by default ...
SELECT replayed, on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'RETURN', 1, 'RMA-1');
-- ... and a DAMAGED return is recorded without adding sellable stock.
SELECT replayed, on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'return', 1, 'RMA-2', reason => 'damaged');
-- ADJUST is a signed change with a reason; inventory_adjust is its short form.
SELECT replayed, on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'ADJUST', -2, reason => 'SHRINKAGE');
SELECT replayed, on_hand, reserved, available_to_sell
  FROM inventory.inventory_adjust('TSHIRT-M', 4, 'FOUND', 1);
-- COUNT records the counted quantity; the ledger holds the computed delta.
SELECT replayed, on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'COUNT', 17, reason => 'cycle count A');
SELECT replayed, on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('TSHIRT-M', 1, 'COUNT', 17);
-- A count of zero is a valid count.
SELECT replayed, on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('SOCKS', 2, 'RECEIVE', 3);
SELECT replayed, on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('SOCKS', 2, 'COUNT', 0);

SELECT sku, warehouse_id, event_type, quantity, on_hand_change, reserved_change,
       on_hand_after, reserved_after, available_after, level_version, reference_id, reason,
       actor = current_user AS actor_is_me
  FROM inventory.inventory_ledger ORDER BY id;

SELECT sku, warehouse_id, on_hand, reserved, available_to_sell, version
  FROM inventory.inventory_levels ORDER BY sku, warehouse_id;

-- Ledger ids are UUIDv7 and increase in insertion order.
SELECT count(*) AS events,
       bool_and(substr(id::text, 15, 1) = '7') AS all_version_7,
       bool_and(substr(id::text, 20, 1) IN ('8', '9', 'a', 'b')) AS all_rfc_variant
  FROM inventory.inventory_ledger;
SELECT bool_and(prev < id) AS ids_increase
  FROM (SELECT id, lag(id) OVER (ORDER BY level_version, sku) AS prev
          FROM inventory.inventory_ledger WHERE sku = 'TSHIRT-M') s
 WHERE prev IS NOT NULL;
SELECT inventory.inventory_uuidv7() < inventory.inventory_uuidv7() AS uuidv7_increases;

-- Reading: per warehouse, over all warehouses, and as JSON.
SELECT inventory.inventory_ats('TSHIRT-M') AS all_warehouses,
       inventory.inventory_ats('TSHIRT-M', 1) AS nyc,
       inventory.inventory_ats('TSHIRT-M', 2) AS california_never_stocked,
       inventory.inventory_ats('NO-SUCH-SKU') AS unknown_sku;
SELECT jsonb_pretty(inventory.inventory_availability('TSHIRT-M'));
SELECT inventory.inventory_availability('NO-SUCH-SKU');

-- metadata is stored as given.
SELECT (inventory.inventory_apply_event('TSHIRT-M', 1, 'RECEIVE', 1,
          metadata => '{"supplier": "ACME", "pallet": 7}')).on_hand;
SELECT metadata FROM inventory.inventory_ledger WHERE metadata IS NOT NULL;

-- A direct INSERT into the ledger takes the same path as inventory_apply_event.
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity, reference_id)
VALUES ('TSHIRT-M', 1, 'allocate', 2, 'ORDER-2')
RETURNING event_type, on_hand_change, reserved_change, on_hand_after, reserved_after,
          available_after, level_version;
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity)
                          VALUES ('TSHIRT-M', 1, 'FULFILL', 99)$$);
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger
                            (sku, warehouse_id, event_type, quantity, on_hand_change)
                          VALUES ('TSHIRT-M', 1, 'RECEIVE', 1, 1000)$$);

SELECT regress.consistent();
