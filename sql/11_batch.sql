-- inventory_apply_events: many events in one call, all or nothing, one result row per event.
CREATE EXTENSION IF NOT EXISTS inventory;
SELECT inventory.inventory_create_warehouse('NYC-1', 'New York', 'US'),
       inventory.inventory_create_warehouse('CA-1', 'California', 'US');

SELECT ordinal, replayed, on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_events($$[
    {"sku": "PEN", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 100, "reference_id": "PO-1", "idempotency_key": "po-1-pen"},
    {"sku": "INK", "warehouse_id": 2, "event_type": "RECEIVE", "quantity": 40},
    {"sku": "PEN", "warehouse_id": 1, "event_type": "allocate", "quantity": 30, "reference_id": "ORDER-1", "metadata": {"channel": "web"}},
    {"sku": "PEN", "warehouse_id": 1, "event_type": "FULFILL", "quantity": 10, "reference_id": "ORDER-1"},
    {"sku": "INK", "warehouse_id": 2, "event_type": "ADJUST", "quantity": -4, "reason": "damaged"},
    {"sku": "PEN", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 100, "reference_id": "PO-1", "idempotency_key": "po-1-pen"}
  ]$$);
SELECT sku, event_type, quantity, on_hand_after, reserved_after, level_version, reason, metadata
  FROM inventory.inventory_ledger ORDER BY id;

-- Replaying the same batch replays every keyed event; the unkeyed ones apply again.
SELECT ordinal, replayed, on_hand
  FROM inventory.inventory_apply_events('[{"sku": "PEN", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 100, "reference_id": "PO-1", "idempotency_key": "po-1-pen"}]');
SELECT ordinal, replayed FROM inventory.inventory_apply_events('[]');

-- All or nothing: one refused event, and none of the batch is applied.
CREATE TEMP TABLE before_batch AS SELECT count(*) AS events FROM inventory.inventory_ledger;
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events('[
    {"sku": "PEN", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 5},
    {"sku": "PEN", "warehouse_id": 1, "event_type": "ALLOCATE", "quantity": 500}]')$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events('[
    {"sku": "PEN", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 5},
    {"sku": "PEN", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 6, "idempotency_key": "po-1-pen"}]')$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events('[
    {"sku": "PEN", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 5},
    {"sku": "PEN", "warehouse_id": 9, "event_type": "RECEIVE", "quantity": 5}]')$$);
-- Bad input names the element.
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events(NULL)$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events('{"sku": "PEN"}')$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events('[{"sku": "PEN", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 1}, 7]')$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events('[{"sku": "PEN", "warehouse_id": 1, "event_type": "RECEIVE", "qty": 1}]')$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events('[{"sku": "PEN", "warehouse_id": 1, "event_type": "RECEIVE"}]')$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events('[{"sku": "PEN", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": "many"}]')$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events('[{"sku": "PEN", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 1}, {"sku": "", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 1}]')$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events('[{"sku": "PEN", "warehouse_id": 1, "event_type": "TRANSFER_OUT", "quantity": 1}]')$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events('[{"sku": "PEN", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 1, "metadata": [1]}]')$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events('[{"sku": "PEN", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 0}]')$$);
SELECT (SELECT count(*) FROM inventory.inventory_ledger) - events AS new_events FROM before_batch;
SELECT regress.consistent();

-- Idempotency keys take no lock of their own: 10,000 keyed events in one transaction fit
-- (with one advisory lock per key they overflowed the shared lock table).
SELECT count(*) AS applied, bool_and(NOT replayed) AS all_new
  FROM inventory.inventory_apply_events(
         (SELECT jsonb_agg(jsonb_build_object('sku', 'BULK-' || (g % 100), 'warehouse_id', 1 + g % 2,
                 'event_type', 'RECEIVE', 'quantity', 1, 'idempotency_key', 'bulk-' || g))
            FROM generate_series(1, 10000) AS g));
SELECT count(*) AS replayed
  FROM inventory.inventory_apply_events(
         (SELECT jsonb_agg(jsonb_build_object('sku', 'BULK-' || (g % 100), 'warehouse_id', 1 + g % 2,
                 'event_type', 'RECEIVE', 'quantity', 1, 'idempotency_key', 'bulk-' || g))
            FROM generate_series(1, 10000) AS g))
 WHERE replayed;
SELECT sum(on_hand) AS bulk_on_hand FROM inventory.inventory_levels WHERE sku LIKE 'BULK-%';
SELECT regress.consistent();
