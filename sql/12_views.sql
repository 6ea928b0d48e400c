-- Ledger views for analysts (0.2.0).
DROP EXTENSION IF EXISTS inventory;
CREATE EXTENSION inventory;
SELECT inventory.inventory_create_warehouse('NYC-1', 'New York', 'US'),
       inventory.inventory_create_warehouse('CA-1', 'California', 'US');
SELECT count(*) FROM inventory.inventory_apply_events($$[
  {"sku": "LAMP", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 100, "reference_id": "PO-1"},
  {"sku": "LAMP", "warehouse_id": 1, "event_type": "ALLOCATE", "quantity": 10, "reference_id": "ORDER-1"},
  {"sku": "LAMP", "warehouse_id": 1, "event_type": "FULFILL", "quantity": 10, "reference_id": "ORDER-1"},
  {"sku": "LAMP", "warehouse_id": 1, "event_type": "ADJUST", "quantity": -5, "reason": "DAMAGED", "metadata": {"unit_cost": 12.5}},
  {"sku": "LAMP", "warehouse_id": 1, "event_type": "ADJUST", "quantity": -2, "reason": "THEFT"},
  {"sku": "LAMP", "warehouse_id": 1, "event_type": "ADJUST", "quantity": -20, "reason": "OFFLINE_SALE"},
  {"sku": "LAMP", "warehouse_id": 1, "event_type": "RETURN", "quantity": 1, "reason": "DAMAGED", "metadata": {"unit_cost": 12.5}},
  {"sku": "LAMP", "warehouse_id": 1, "event_type": "COUNT", "quantity": 60, "reason": "cycle count"},
  {"sku": "DESK", "warehouse_id": 2, "event_type": "RECEIVE", "quantity": 7}
]$$);

-- Movement history: why did LAMP's number change?
SELECT sku, warehouse_code, event_type, quantity, reason, reference_id,
       on_hand_before, on_hand_after, reserved_before, reserved_after, actor = current_user AS by_me
  FROM inventory.inventory_movements WHERE sku = 'LAMP' ORDER BY level_version;

-- Daily movements per SKU, warehouse and event type.
SELECT day = (now() AT TIME ZONE 'UTC')::date AS today, sku, warehouse_id, event_type, events,
       quantity, on_hand_change, reserved_change
  FROM inventory.inventory_daily_movements ORDER BY sku, warehouse_id, event_type;

-- Shrinkage and damage: offline sales are not losses; a count shortfall is.
SELECT sku, warehouse_id, reason, events, units, value FROM inventory.inventory_losses
 ORDER BY sku, reason;

-- Reconciliation: empty when consistent, one row per drifted level otherwise.
SELECT count(*) AS drifted FROM inventory.inventory_reconciliation;
UPDATE inventory.inventory_level_stripes SET on_hand = on_hand + 1, available_to_sell = available_to_sell + 1
 WHERE sku = 'DESK';
SELECT sku, warehouse_id, level_on_hand, ledger_on_hand FROM inventory.inventory_reconciliation;
SELECT inventory.inventory_rebuild_levels();
SELECT count(*) AS drifted FROM inventory.inventory_reconciliation;
