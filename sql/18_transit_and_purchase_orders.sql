-- Transfers with goods in transit, and purchase orders: units on their way are visible and never
-- sellable until they are booked in.
SELECT inventory.inventory_create_warehouse('TR-EAST', 'East', 'US', 30) AS east,
       inventory.inventory_create_warehouse('TR-WEST', 'West', 'US', 31) AS west;
SELECT on_hand FROM inventory.inventory_apply_event('BOX', 30, 'RECEIVE', 10);
SELECT reserved FROM inventory.inventory_apply_event('BOX', 30, 'ALLOCATE', 2, 'KEEP/1');

-- Dispatch: the units leave East now and are in neither warehouse's on_hand.
SELECT replayed, from_on_hand, from_available_to_sell, in_transit
  FROM inventory.inventory_dispatch_transfer('T-1', 'BOX', 30, 31, 6);
SELECT sku, warehouse_id, on_hand, reserved, available_to_sell, in_transit, incoming
  FROM inventory.inventory_stock_positions WHERE sku = 'BOX' ORDER BY warehouse_id;
SELECT inventory.inventory_ats('BOX', 31) AS west_sellable, inventory.inventory_ats('BOX', 'US') AS us_sellable;
SELECT (inventory.inventory_availability('BOX') ->> 'in_transit')::bigint AS in_transit;
SELECT transfer_ref, sku, from_warehouse_id, to_warehouse_id, quantity, received, in_transit, status
  FROM inventory.inventory_transfers;
-- A retried dispatch replays; the same reference with another route or quantity is refused.
SELECT replayed, from_on_hand, in_transit FROM inventory.inventory_dispatch_transfer('T-1', 'BOX', 30, 31, 6);
SELECT regress.error_of($$SELECT inventory.inventory_dispatch_transfer('T-1', 'BOX', 30, 31, 5)$$);
-- The dispatch's key is the extension's, derived as 0.3.x derived it in SQL, so that a dispatch
-- retried across the upgrade replays.
SELECT idempotency_key = 'inventory:dispatch:' || md5('T-1' || chr(31) || 'BOX' || chr(31) || '31') AS key_as_0_3
  FROM inventory.inventory_ledger WHERE reference_id = 'T-1' AND event_type = 'TRANSFER_OUT';
-- Reserved units cannot leave; bad requests change nothing.
SELECT regress.error_of($$SELECT inventory.inventory_dispatch_transfer('T-2', 'BOX', 30, 31, 3)$$);
SELECT regress.error_of($$SELECT inventory.inventory_dispatch_transfer('T-2', 'BOX', 30, 30, 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_dispatch_transfer('T-2', 'BOX', 30, 99, 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_dispatch_transfer('T-2', 'BOX', 99, 31, 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_dispatch_transfer('T-2', 'BOX', 30, 31, 0)$$);
SELECT regress.error_of($$SELECT inventory.inventory_dispatch_transfer('T-2', 'BOX', 30, 31, NULL)$$);
SELECT regress.error_of($$SELECT inventory.inventory_dispatch_transfer('T-2', '', 30, 31, 1)$$);
SELECT count(*) AS only_t1 FROM inventory.inventory_transfers;

-- Receive in parts: never more than is in transit, never twice.
SELECT replayed, to_on_hand, to_available_to_sell, in_transit
  FROM inventory.inventory_receive_transfer('T-1', 'BOX', 4, 'recv-t1-a');
SELECT replayed, to_on_hand, in_transit
  FROM inventory.inventory_receive_transfer('T-1', 'BOX', 4, 'recv-t1-a');
SELECT regress.error_of($$SELECT inventory.inventory_receive_transfer('T-1', 'BOX', 3)$$);
SELECT regress.error_of($$SELECT inventory.inventory_receive_transfer('T-1', 'BOX', 0)$$);
SELECT regress.error_of($$SELECT inventory.inventory_receive_transfer('T-9', 'BOX')$$);
SELECT regress.error_of($$SELECT inventory.inventory_receive_transfer(NULL, 'BOX')$$);
-- A retried dispatch still replays after part of it arrived.
SELECT replayed, in_transit FROM inventory.inventory_dispatch_transfer('T-1', 'BOX', 30, 31, 6);
SELECT regress.error_of($$SELECT inventory.inventory_dispatch_transfer('T-1', 'BOX', 31, 30, 6)$$);
SELECT replayed, to_on_hand, in_transit FROM inventory.inventory_receive_transfer('T-1', 'BOX');
SELECT regress.error_of($$SELECT inventory.inventory_receive_transfer('T-1', 'BOX', 1)$$);
SELECT received, in_transit, status, received_at IS NOT NULL AS received_at_set
  FROM inventory.inventory_transfers WHERE transfer_ref = 'T-1';
SELECT event_type, warehouse_id, quantity, reference_id,
       related_event_id IS NOT DISTINCT FROM (SELECT out_event_id FROM inventory.inventory_transfers
                                               WHERE transfer_ref = 'T-1') AS names_dispatch
  FROM inventory.inventory_ledger WHERE reference_id = 'T-1' ORDER BY created_at;

-- Purchase orders: incoming is visible, not sellable.
SELECT po_ref, sku, warehouse_id, ordered, received, incoming, status
  FROM inventory.inventory_expect_purchase_order('PO-7', 'BOX', 31, 20, '2030-01-15 09:00+00');
SELECT inventory.inventory_ats('BOX', 31) AS west_sellable,
       (inventory.inventory_availability('BOX') ->> 'incoming')::bigint AS incoming;
SELECT warehouse_id, incoming, next_expected_at FROM inventory.inventory_stock_positions
 WHERE sku = 'BOX' AND incoming > 0;
-- The order grows to 25 before anything arrives.
SELECT po_ref, ordered, incoming FROM inventory.inventory_expect_purchase_order('PO-7', 'BOX', 31, 25);
SELECT regress.error_of($$SELECT inventory.inventory_expect_purchase_order('PO-7', 'BOX', 30, 25)$$);
SELECT regress.error_of($$SELECT inventory.inventory_expect_purchase_order('PO-8', 'BOX', 31, 0)$$);
SELECT regress.error_of($$SELECT inventory.inventory_expect_purchase_order('PO-8', 'BOX', 99, 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_expect_purchase_order('PO-8', ' BOX', 31, 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_expect_purchase_order('PO-8', NULL, 31, 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_expect_purchase_order('', 'BOX', 31, 1)$$);

-- Receiving turns incoming into on_hand.
SELECT replayed, on_hand, available_to_sell, incoming
  FROM inventory.inventory_receive_purchase_order('PO-7', 'BOX', 15, 'po7-a');
SELECT replayed, on_hand, incoming
  FROM inventory.inventory_receive_purchase_order('PO-7', 'BOX', 15, 'po7-a');
SELECT regress.error_of($$SELECT inventory.inventory_receive_purchase_order('PO-7', 'BOX', 16, 'po7-a')$$);
SELECT regress.error_of($$SELECT inventory.inventory_expect_purchase_order('PO-7', 'BOX', 31, 10)$$);
SELECT regress.error_of($$SELECT inventory.inventory_receive_purchase_order('PO-7', 'BOX', -1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_receive_purchase_order('PO-9', 'BOX', 1)$$);
-- The supplier sends 2 more than ordered: recorded, and the line is complete.
SELECT on_hand, incoming FROM inventory.inventory_receive_purchase_order('PO-7', 'BOX', 12);
SELECT ordered, received, incoming, status FROM inventory.inventory_purchase_orders WHERE po_ref = 'PO-7';

-- Cancelling stops the rest from counting as incoming.
SELECT incoming FROM inventory.inventory_expect_purchase_order('PO-8', 'BOX', 30, 5);
SELECT inventory.inventory_cancel_purchase_order('PO-8');
SELECT inventory.inventory_cancel_purchase_order('PO-8') AS nothing_left_to_cancel;
SELECT status, incoming FROM inventory.inventory_purchase_orders WHERE po_ref = 'PO-8';
SELECT regress.error_of($$SELECT inventory.inventory_receive_purchase_order('PO-8', 'BOX', 1)$$);
-- A delivery booked before the cancellation still replays when retried after it.
SELECT incoming FROM inventory.inventory_expect_purchase_order('PO-11', 'BOX', 30, 5);
SELECT on_hand, incoming FROM inventory.inventory_receive_purchase_order('PO-11', 'BOX', 2, 'po11-a');
SELECT inventory.inventory_cancel_purchase_order('PO-11');
SELECT replayed, incoming FROM inventory.inventory_receive_purchase_order('PO-11', 'BOX', 2, 'po11-a');
SELECT regress.error_of($$SELECT inventory.inventory_cancel_purchase_order('PO-404')$$);

-- A warehouse that only expects goods still has stock records.
SELECT inventory.inventory_create_warehouse('TR-NEW', 'New', 'US', 32);
SELECT incoming FROM inventory.inventory_expect_purchase_order('PO-10', 'BOX', 32, 1);
SELECT regress.error_of($$DELETE FROM inventory.inventory_warehouses WHERE id = 32$$);
-- One without any goes, and the countries it served with it.
SELECT inventory.inventory_create_warehouse('TR-GONE', 'Gone', 'FR', 33);
DELETE FROM inventory.inventory_warehouses WHERE id = 33;
SELECT count(*) AS countries_left FROM inventory.inventory_warehouse_countries WHERE warehouse_id = 33;

-- Roles: warehouse systems move and receive goods; shop applications do not.
SET ROLE inventory_app;
SELECT inventory.inventory_dispatch_transfer('T-3', 'BOX', 30, 31, 1);
RESET ROLE;
SET ROLE inventory_warehouse;
SELECT replayed, in_transit FROM inventory.inventory_dispatch_transfer('T-3', 'BOX', 30, 31, 1);
SELECT replayed, in_transit FROM inventory.inventory_receive_transfer('T-3', 'BOX');
RESET ROLE;

SELECT * FROM regress.level('BOX', 30);
SELECT * FROM regress.level('BOX', 31);
SELECT * FROM inventory.inventory_verify();
SELECT regress.consistent();
