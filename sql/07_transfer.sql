-- TRANSFER: out of one warehouse into another, two ledger events in one call and transaction.
SELECT on_hand FROM inventory.inventory_apply_event('DESK', 1, 'RECEIVE', 12);
SELECT reserved FROM inventory.inventory_apply_event('DESK', 1, 'ALLOCATE', 4, 'ORDER-D');

SELECT replayed, from_on_hand, from_available_to_sell, to_on_hand, to_available_to_sell
  FROM inventory.inventory_transfer('DESK', 1, 3, 5, 'TR-1', 'tr-1', 'rebalance');
SELECT event_type, warehouse_id, quantity, on_hand_change, on_hand_after, reference_id, reason,
       related_event_id IS NOT NULL AS linked, idempotency_key
  FROM inventory.inventory_ledger WHERE sku = 'DESK' AND event_type LIKE 'TRANSFER%' ORDER BY id;
SELECT bool_and(i.related_event_id = o.id) AS in_points_to_out
  FROM inventory.inventory_ledger o JOIN inventory.inventory_ledger i ON i.related_event_id = o.id
 WHERE o.sku = 'DESK';

-- Replay and conflict.
SELECT replayed, from_on_hand, to_on_hand
  FROM inventory.inventory_transfer('DESK', 1, 3, 5, 'TR-1', 'tr-1', 'rebalance');
SELECT regress.error_of($$SELECT inventory.inventory_transfer('DESK', 1, 2, 5, 'TR-1', 'tr-1', 'rebalance')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('DESK', 1, 'RECEIVE', 5, 'TR-1', 'tr-1')$$);

-- Reserved units stay: only 3 unreserved units are left in NYC.
SELECT regress.error_of($$SELECT inventory.inventory_transfer('DESK', 1, 2, 4)$$);
SELECT from_on_hand, to_on_hand FROM inventory.inventory_transfer('DESK', 1, 2, 3);
-- Back the other way (the lower warehouse id is locked first either way).
SELECT from_on_hand, to_on_hand FROM inventory.inventory_transfer('DESK', 3, 1, 5);
SELECT warehouse_id, on_hand, reserved, available_to_sell FROM inventory.inventory_levels
 WHERE sku = 'DESK' ORDER BY warehouse_id;
SELECT inventory.inventory_ats('DESK');
SELECT regress.consistent();
