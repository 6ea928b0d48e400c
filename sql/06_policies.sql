-- Per-SKU policy: safety stock and backorders.

-- Safety stock holds units back from available_to_sell, never from on_hand.
SELECT available_to_sell FROM inventory.inventory_apply_event('CHAIR', 1, 'RECEIVE', 10);
SELECT sku, allow_backorder, backorder_limit, safety_stock
  FROM inventory.inventory_set_sku_policy('CHAIR', safety_stock => 3);
SELECT on_hand, reserved, available_to_sell FROM regress.level('CHAIR', 1);
SELECT inventory.inventory_ats('CHAIR');
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('CHAIR', 1, 'ALLOCATE', 8)$$);
SELECT available_to_sell FROM inventory.inventory_apply_event('CHAIR', 1, 'ALLOCATE', 7);
-- A level created after the policy gets it too.
SELECT available_to_sell FROM inventory.inventory_apply_event('CHAIR', 2, 'RECEIVE', 2);
-- Fewer units than the safety stock: nothing to sell, but stock is still received.
SELECT on_hand, available_to_sell FROM regress.level('CHAIR', 2);
-- Safety stock does not block moving or shipping what is there.
SELECT on_hand FROM inventory.inventory_apply_event('CHAIR', 1, 'FULFILL', 7);
SELECT regress.consistent();

-- Backorders: ALLOCATE may go below zero, down to the limit.
SELECT on_hand FROM inventory.inventory_apply_event('PREORDER', 1, 'RECEIVE', 2);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('PREORDER', 1, 'ALLOCATE', 3)$$);
SELECT allow_backorder, backorder_limit
  FROM inventory.inventory_set_sku_policy('PREORDER', allow_backorder => true, backorder_limit => 5);
SELECT on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('PREORDER', 1, 'ALLOCATE', 6);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('PREORDER', 1, 'ALLOCATE', 2)$$);
SELECT on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('PREORDER', 1, 'ALLOCATE', 1);
-- Only what is on hand can ship.
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('PREORDER', 1, 'FULFILL', 3)$$);
SELECT on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('PREORDER', 1, 'FULFILL', 2);
-- Backorders cannot be forbidden, nor the limit lowered, while units are backordered (IV011).
SELECT regress.error_of($$SELECT inventory.inventory_set_sku_policy('PREORDER', allow_backorder => false)$$);
SELECT regress.error_of($$SELECT inventory.inventory_set_sku_policy('PREORDER', allow_backorder => true, backorder_limit => 3)$$);
SELECT regress.error_of($$DELETE FROM inventory.inventory_sku_policies WHERE sku = 'PREORDER'$$);
-- Receiving covers the backorder; then the policy may change.
SELECT on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('PREORDER', 1, 'RECEIVE', 10);
SELECT allow_backorder FROM inventory.inventory_set_sku_policy('PREORDER', allow_backorder => false);
SELECT on_hand, reserved, available_to_sell FROM regress.level('PREORDER', 1);
SELECT sku, safety_stock, allow_backorder, backorder_limit FROM inventory.inventory_levels
 WHERE sku IN ('CHAIR', 'PREORDER') ORDER BY sku, warehouse_id;
-- Deleting a policy returns the SKU to the defaults.
DELETE FROM inventory.inventory_sku_policies WHERE sku = 'CHAIR';
SELECT warehouse_id, on_hand, reserved, available_to_sell, safety_stock
  FROM inventory.inventory_levels WHERE sku = 'CHAIR' ORDER BY warehouse_id;

-- A loss may not push a backordered SKU past its backorder_limit: IV001, not the CHECK.
SELECT backorder_limit FROM inventory.inventory_set_sku_policy('LIMITED', true, 0, 2);
SELECT on_hand FROM inventory.inventory_apply_event('LIMITED', 1, 'RECEIVE', 3);
SELECT on_hand, reserved, available_to_sell FROM inventory.inventory_apply_event('LIMITED', 1, 'ALLOCATE', 5);
SELECT regress.error_of($$SELECT inventory.inventory_adjust('LIMITED', -1, 'THEFT', 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LIMITED', 1, 'COUNT', 2)$$);
SELECT on_hand, reserved, available_to_sell FROM regress.level('LIMITED', 1);

-- Bad policies: 22023 from the core's rules (0.3.0 answered with the table's own CHECKs,
-- 23514), 22004, and a SKU the ledger refuses (IV009).
SELECT regress.error_of($$SELECT inventory.inventory_set_sku_policy('CHAIR', safety_stock => -1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_set_sku_policy('CHAIR', backorder_limit => 5)$$);
SELECT regress.error_of($$SELECT inventory.inventory_set_sku_policy(NULL)$$);
SELECT regress.error_of($$SELECT inventory.inventory_set_sku_policy('CHAIR', allow_backorder => NULL)$$);
SELECT regress.error_of($$SELECT inventory.inventory_set_sku_policy(E'CHAIR\u200b')$$);
SELECT count(*) AS policies_written FROM inventory.inventory_sku_policies WHERE sku LIKE 'CHAIR%';
SELECT regress.consistent();
