-- Source data for the dump/restore test: warehouses and the countries they serve, policies (one
-- SKU backordered, one with safety stock), transfers (one still in transit), an order with a
-- hold, a purchase order, idempotent events and a few thousand generated events.
CREATE EXTENSION inventory;
SELECT inventory.inventory_create_warehouse('NYC-1', 'New York', 'US'),
       inventory.inventory_create_warehouse('CA-1', 'California', 'US'),
       inventory.inventory_create_warehouse('BER-1', 'Berlin', 'DE');
SELECT inventory.inventory_set_sku_policy('PRE-ORDER', allow_backorder => true, backorder_limit => 50);
SELECT inventory.inventory_set_sku_policy('SAFE', safety_stock => 4);

SELECT (inventory.inventory_apply_event('PRE-ORDER', 1, 'RECEIVE', 3)).on_hand;
SELECT (inventory.inventory_apply_event('PRE-ORDER', 1, 'ALLOCATE', 10, 'ORDER-P1', 'order-p1')).available_to_sell;
SELECT (inventory.inventory_apply_event('SAFE', 2, 'RECEIVE', 10)).available_to_sell;
SELECT (inventory.inventory_transfer('SAFE', 2, 3, 3, 'T-1', 't-1')).to_on_hand;
SELECT inventory.inventory_serve_country(3, 'FR');
SELECT (inventory.inventory_dispatch_transfer('T-2', 'SAFE', 2, 1, 2)).in_transit;
SELECT count(*) FROM inventory.inventory_allocate_order('ORDER-H1', '[{"sku": "SAFE", "quantity": 1}]',
                                                        ship_to => 'US', expires_at => '2999-01-01 00:00+00');
SELECT (inventory.inventory_expect_purchase_order('PO-1', 'SAFE', 1, 40, '2030-01-01 00:00+00')).incoming;
SELECT (inventory.inventory_receive_purchase_order('PO-1', 'SAFE', 15)).incoming;

-- Generated events over 40 SKUs x 3 warehouses; refused ones are skipped.
-- Striped SKUs (0.5.0): their stripes, REBALANCE rows and reservations per stripe restore too.
SELECT count(*) FROM (SELECT inventory.inventory_set_sku_policy('SKU-' || n, stripes => 4)
                        FROM generate_series(0, 4) AS n) AS striped;
DO $$
DECLARE
  i integer;
  kinds text[] := ARRAY['RECEIVE', 'RECEIVE', 'ALLOCATE', 'ALLOCATE', 'DEALLOCATE', 'FULFILL',
                        'RETURN', 'ADJUST', 'COUNT'];
  kind text;
  quantity bigint;
BEGIN
  PERFORM setseed(0.42);
  FOR i IN 1..3000 LOOP
    kind := kinds[1 + floor(random() * array_length(kinds, 1))::int];
    quantity := 1 + floor(random() * 5)::int;
    IF kind = 'ADJUST' AND random() < 0.5 THEN quantity := -quantity; END IF;
    BEGIN
      PERFORM inventory.inventory_apply_event(
        'SKU-' || floor(random() * 40)::int, 1 + floor(random() * 3)::int, kind, quantity,
        CASE WHEN kind IN ('ALLOCATE', 'DEALLOCATE', 'FULFILL') AND random() < 0.7
             THEN 'CART-' || floor(random() * 300)::int END,
        'key-' || i, CASE kind WHEN 'ADJUST' THEN 'CORRECTION' END);
    EXCEPTION WHEN sqlstate 'IV001' OR sqlstate 'IV007' OR sqlstate 'IV013' OR sqlstate 'IV015' THEN
      NULL;
    END;
  END LOOP;
END;
$$;
