-- inventory_verify() finds levels that drifted from the ledger; inventory_rebuild_levels()
-- puts them back. (Drift is simulated by a superuser bypassing the triggers' path.)
CREATE EXTENSION IF NOT EXISTS inventory;
SELECT inventory.inventory_create_warehouse('NYC-1', 'New York', 'US'),
       inventory.inventory_create_warehouse('CA-1', 'California', 'US');
SELECT (inventory.inventory_apply_event('A', 1, 'RECEIVE', 10)).on_hand,
       (inventory.inventory_apply_event('A', 1, 'ALLOCATE', 3)).reserved,
       (inventory.inventory_apply_event('B', 2, 'RECEIVE', 5)).on_hand,
       (inventory.inventory_apply_event('C', 2, 'RECEIVE', 7)).on_hand,
       (inventory.inventory_apply_event('A', 2, 'RECEIVE', 4)).on_hand;
SELECT inventory.inventory_rebuild_levels() AS changed_when_true;
SELECT * FROM inventory.inventory_verify();

UPDATE inventory.inventory_level_stripes SET on_hand = on_hand + 5, available_to_sell = available_to_sell + 5
 WHERE sku = 'A' AND warehouse_id = 1;
UPDATE inventory.inventory_level_stripes SET reserved = 1, available_to_sell = 4 WHERE sku = 'B';
UPDATE inventory.inventory_level_stripes SET available_to_sell = 1 WHERE sku = 'A' AND warehouse_id = 2;
DELETE FROM inventory.inventory_level_stripes WHERE sku = 'C';
INSERT INTO inventory.inventory_level_stripes (sku, warehouse_id, on_hand, available_to_sell)
VALUES ('GHOST', 1, 2, 2);
SELECT * FROM inventory.inventory_verify();
SELECT sku, problem FROM regress.inconsistencies() ORDER BY 1, 2;

SELECT inventory.inventory_rebuild_levels() AS changed;
SELECT * FROM inventory.inventory_verify();
SELECT regress.consistent();
SELECT sku, warehouse_id, on_hand, reserved, available_to_sell, version
  FROM inventory.inventory_levels ORDER BY 1, 2;
