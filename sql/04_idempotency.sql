-- Idempotency keys: a retried request never counts twice; a reused key with another payload is
-- refused (IV002).
SELECT replayed, on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('MUG', 1, 'RECEIVE', 10, 'PO-7', 'po-7-line-1',
                                       metadata => '{"dock": 3}');
CREATE TEMP TABLE first_event AS
  SELECT id FROM inventory.inventory_ledger WHERE idempotency_key = 'po-7-line-1';

-- The same request again: the original event, replayed, nothing applied.
SELECT event_id = (SELECT id FROM first_event) AS same_event, replayed, on_hand, reserved,
       available_to_sell
  FROM inventory.inventory_apply_event('MUG', 1, 'RECEIVE', 10, 'PO-7', 'po-7-line-1',
                                       metadata => '{"dock": 3}');
SELECT on_hand, version FROM regress.level('MUG', 1);

-- Later events do not change what a replay returns: the level after the original event.
SELECT (inventory.inventory_apply_event('MUG', 1, 'ALLOCATE', 4, 'ORDER-9', 'order-9-line-1')).available_to_sell;
SELECT replayed, on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('MUG', 1, 'RECEIVE', 10, 'PO-7', 'po-7-line-1',
                                       metadata => '{"dock": 3}');
-- Event types are matched case-insensitively, so this is the same payload too.
SELECT replayed FROM inventory.inventory_apply_event('MUG', 1, 'allocate', 4, 'ORDER-9', 'order-9-line-1');

-- The same key with any field different is a conflict, and nothing changes.
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('MUG', 1, 'RECEIVE', 11, 'PO-7', 'po-7-line-1', metadata => '{"dock": 3}')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('MUG-2', 1, 'RECEIVE', 10, 'PO-7', 'po-7-line-1', metadata => '{"dock": 3}')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('MUG', 2, 'RECEIVE', 10, 'PO-7', 'po-7-line-1', metadata => '{"dock": 3}')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('MUG', 1, 'RETURN', 10, 'PO-7', 'po-7-line-1', metadata => '{"dock": 3}')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('MUG', 1, 'RECEIVE', 10, 'PO-8', 'po-7-line-1', metadata => '{"dock": 3}')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('MUG', 1, 'RECEIVE', 10, NULL, 'po-7-line-1', metadata => '{"dock": 3}')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('MUG', 1, 'RECEIVE', 10, 'PO-7', 'po-7-line-1', reason => 'early', metadata => '{"dock": 3}')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('MUG', 1, 'RECEIVE', 10, 'PO-7', 'po-7-line-1', metadata => '{"dock": 4}')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('MUG', 1, 'RECEIVE', 10, 'PO-7', 'po-7-line-1')$$);
SELECT regress.error_of($$SELECT inventory.inventory_adjust('MUG', 10, 'FOUND', 1, 'PO-7', 'po-7-line-1')$$);
SELECT regress.error_of($$SELECT inventory.inventory_transfer('MUG', 1, 2, 10, 'PO-7', 'po-7-line-1')$$);
-- jsonb equality, not text equality: key order and spacing do not matter.
SELECT replayed FROM inventory.inventory_apply_event('MUG', 1, 'RECEIVE', 10, 'PO-7', 'po-7-line-1', metadata => '{ "dock" :3 }');

-- A failed request leaves its key unused: the retry with a valid payload applies.
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('MUG', 1, 'ALLOCATE', 500, 'ORDER-10', 'order-10')$$);
SELECT replayed, reserved FROM inventory.inventory_apply_event('MUG', 1, 'ALLOCATE', 5, 'ORDER-10', 'order-10');
SELECT replayed, reserved FROM inventory.inventory_apply_event('MUG', 1, 'ALLOCATE', 5, 'ORDER-10', 'order-10');

-- Without a key there is no deduplication.
SELECT replayed, on_hand FROM inventory.inventory_apply_event('MUG', 1, 'RECEIVE', 1);
SELECT replayed, on_hand FROM inventory.inventory_apply_event('MUG', 1, 'RECEIVE', 1);

-- The unique index also guards the direct INSERT path.
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity, idempotency_key) VALUES ('MUG', 1, 'RECEIVE', 10, 'po-7-line-1')$$);

SELECT count(*) AS events_with_the_key FROM inventory.inventory_ledger WHERE idempotency_key = 'po-7-line-1';
SELECT on_hand, reserved, available_to_sell, version FROM regress.level('MUG', 1);
SELECT regress.consistent();
