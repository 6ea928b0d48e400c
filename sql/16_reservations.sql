-- Reservations per order line: ALLOCATE with a reference_id holds units for it; FULFILL and
-- DEALLOCATE naming it never take more than it holds; holds expire.
SELECT inventory.inventory_create_warehouse('RES-NYC', 'New York', 'US', 10) AS nyc;

SELECT on_hand FROM inventory.inventory_apply_event('LAMP', 10, 'RECEIVE', 20);
SELECT on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('LAMP', 10, 'ALLOCATE', 4, 'ORDER-1/1',
                                       expires_at => now() + interval '15 minutes');
SELECT reference_id, sku, warehouse_id, quantity, fulfilled, released, held, status,
       expires_at > now() AS expires_later
  FROM inventory.inventory_reservations WHERE sku = 'LAMP';
-- The ledger row carries the hold's end.
SELECT event_type, reference_id, expires_at IS NOT NULL AS has_expiry
  FROM inventory.inventory_ledger WHERE sku = 'LAMP' ORDER BY level_version;

-- Partial fulfillment and partial release, then the reservation closes.
SELECT on_hand, reserved FROM inventory.inventory_apply_event('LAMP', 10, 'FULFILL', 1, 'ORDER-1/1');
SELECT on_hand, reserved FROM inventory.inventory_apply_event('LAMP', 10, 'DEALLOCATE', 1, 'ORDER-1/1');
SELECT held, status FROM inventory.inventory_reservations WHERE reference_id = 'ORDER-1/1';
-- Releasing or fulfilling more than it holds is refused and changes nothing.
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LAMP', 10, 'DEALLOCATE', 3, 'ORDER-1/1')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LAMP', 10, 'FULFILL', 3, 'ORDER-1/1')$$);
SELECT on_hand, reserved FROM inventory.inventory_apply_event('LAMP', 10, 'FULFILL', 2, 'ORDER-1/1');
SELECT held, fulfilled, released, status FROM inventory.inventory_reservations WHERE reference_id = 'ORDER-1/1';
-- A closed reservation cannot be fulfilled, released or topped up again.
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LAMP', 10, 'FULFILL', 1, 'ORDER-1/1')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LAMP', 10, 'DEALLOCATE', 1, 'ORDER-1/1')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LAMP', 10, 'ALLOCATE', 1, 'ORDER-1/1')$$);
-- A released reservation: nothing shipped.
SELECT reserved FROM inventory.inventory_apply_event('LAMP', 10, 'ALLOCATE', 2, 'ORDER-2/1');
SELECT reserved FROM inventory.inventory_apply_event('LAMP', 10, 'DEALLOCATE', 2, 'ORDER-2/1');
SELECT status FROM inventory.inventory_reservations WHERE reference_id = 'ORDER-2/1';
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LAMP', 10, 'FULFILL', 1, 'ORDER-2/1')$$);
-- An unknown reference is not somebody else's reservation.
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LAMP', 10, 'FULFILL', 1, 'ORDER-9/1')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LAMP', 10, 'DEALLOCATE', 1, 'ORDER-9/1')$$);
SELECT * FROM regress.level('LAMP', 10);

-- ALLOCATE on an active reservation adds to it.
SELECT reserved FROM inventory.inventory_apply_event('LAMP', 10, 'ALLOCATE', 1, 'ORDER-3/1');
SELECT reserved FROM inventory.inventory_apply_event('LAMP', 10, 'ALLOCATE', 2, 'ORDER-3/1');
SELECT quantity, held FROM inventory.inventory_reservations WHERE reference_id = 'ORDER-3/1';

-- Without a reference_id, FULFILL and DEALLOCATE take only reserved units no reservation holds.
SELECT reserved FROM inventory.inventory_apply_event('LAMP', 10, 'ALLOCATE', 1);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LAMP', 10, 'FULFILL', 2)$$);
SELECT reserved FROM inventory.inventory_apply_event('LAMP', 10, 'FULFILL', 1);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LAMP', 10, 'DEALLOCATE', 1)$$);
SELECT held FROM inventory.inventory_reservations WHERE reference_id = 'ORDER-3/1';

-- expires_at: only on an ALLOCATE, only with a reference_id, only in the future.
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LAMP', 10, 'ALLOCATE', 1, expires_at => now() + interval '1 hour')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LAMP', 10, 'FULFILL', 1, 'ORDER-3/1', expires_at => now() + interval '1 hour')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LAMP', 10, 'ALLOCATE', 1, 'ORDER-4/1', expires_at => now() - interval '1 second')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_events('[{"sku": "LAMP", "warehouse_id": 10, "event_type": "ALLOCATE", "quantity": 1, "reference_id": "ORDER-4/1", "expires_at": "not a time"}]')$$);
SELECT count(*) AS no_reservation FROM inventory.inventory_reservations WHERE reference_id = 'ORDER-4/1';

-- A retried hold replays, also when the retry computed its expiry anew (now() + interval is
-- later on every try): the first call's hold stands. A different quantity is a conflict.
SELECT reserved, replayed FROM inventory.inventory_apply_event('LAMP', 10, 'ALLOCATE', 1, 'ORDER-5/1', 'hold-5', expires_at => '2999-01-01 00:00+00');
SELECT reserved, replayed FROM inventory.inventory_apply_event('LAMP', 10, 'ALLOCATE', 1, 'ORDER-5/1', 'hold-5', expires_at => '2999-01-02 00:00+00');
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LAMP', 10, 'ALLOCATE', 2, 'ORDER-5/1', 'hold-5', expires_at => '2999-01-01 00:00+00')$$);
SELECT quantity, expires_at = '2999-01-01 00:00+00' AS first_expiry_kept
  FROM inventory.inventory_reservations WHERE reference_id = 'ORDER-5/1';
-- A top-up lasts as long as the longest part: an earlier end does not shorten the hold.
SELECT reserved FROM inventory.inventory_apply_event('LAMP', 10, 'ALLOCATE', 1, 'ORDER-5/1', expires_at => now() + interval '1 hour');
SELECT quantity, expires_at = '2999-01-01 00:00+00' AS longest_end_kept
  FROM inventory.inventory_reservations WHERE reference_id = 'ORDER-5/1';
-- Idempotency keys starting with "inventory:" belong to the extension.
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LAMP', 10, 'RECEIVE', 1, idempotency_key => 'inventory:dispatch:x')$$);

-- Expiry: a hold that has ended cannot be shipped or topped up; inventory_expire_reservations()
-- releases it once, however often it runs.
SELECT reserved FROM inventory.inventory_apply_event('LAMP', 10, 'ALLOCATE', 2, 'ORDER-6/1', expires_at => clock_timestamp() + interval '50 milliseconds');
SELECT reserved FROM inventory.inventory_apply_event('LAMP', 10, 'ALLOCATE', 1, 'ORDER-7/1', expires_at => clock_timestamp() + interval '50 milliseconds');
SELECT pg_sleep(0.2);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LAMP', 10, 'FULFILL', 1, 'ORDER-6/1')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('LAMP', 10, 'ALLOCATE', 1, 'ORDER-6/1')$$);
SELECT regress.error_of($$SELECT inventory.inventory_expire_reservations(0)$$);
SELECT regress.error_of($$SELECT inventory.inventory_expire_reservations(NULL)$$);
SELECT reference_id, sku, warehouse_id, released FROM inventory.inventory_expire_reservations(1);
SELECT reference_id, sku, warehouse_id, released FROM inventory.inventory_expire_reservations();
SELECT count(*) AS second_run FROM inventory.inventory_expire_reservations();
SELECT reference_id, held, released, status FROM inventory.inventory_reservations
 WHERE reference_id IN ('ORDER-6/1', 'ORDER-7/1') ORDER BY 1;
SELECT event_type, quantity, reason FROM inventory.inventory_ledger
 WHERE reference_id = 'ORDER-6/1' ORDER BY level_version;
-- Holds that have not ended stay.
SELECT count(*) AS active_holds FROM inventory.inventory_reservations
 WHERE sku = 'LAMP' AND status = 'ACTIVE';

-- A batch that fulfills more than a reservation holds is refused as a whole.
SELECT regress.error_of($$SELECT inventory.inventory_apply_events('[
  {"sku": "LAMP", "warehouse_id": 10, "event_type": "ALLOCATE", "quantity": 1, "reference_id": "ORDER-8/1"},
  {"sku": "LAMP", "warehouse_id": 10, "event_type": "FULFILL", "quantity": 2, "reference_id": "ORDER-8/1"}]')$$);
SELECT count(*) AS nothing_kept FROM inventory.inventory_reservations WHERE reference_id = 'ORDER-8/1';
-- A batch may reserve and ship the same line.
SELECT ordinal, reserved FROM inventory.inventory_apply_events('[
  {"sku": "LAMP", "warehouse_id": 10, "event_type": "ALLOCATE", "quantity": 2, "reference_id": "ORDER-8/1", "expires_at": "2999-01-01T00:00:00Z"},
  {"sku": "LAMP", "warehouse_id": 10, "event_type": "FULFILL", "quantity": 1, "reference_id": "ORDER-8/1"}]');
SELECT quantity, fulfilled, held, expires_at = '2999-01-01T00:00:00Z' AS expiry_kept
  FROM inventory.inventory_reservations WHERE reference_id = 'ORDER-8/1';

-- Rows appended directly (the owner's path) follow the same reservation rules.
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity, reference_id)
VALUES ('LAMP', 10, 'FULFILL', 1, 'ORDER-8/1');
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity, reference_id)
                          VALUES ('LAMP', 10, 'FULFILL', 1, 'ORDER-8/1')$$);
SELECT status FROM inventory.inventory_reservations WHERE reference_id = 'ORDER-8/1';

SELECT * FROM regress.level('LAMP', 10);
SELECT * FROM inventory.inventory_verify_reservations();
SELECT regress.consistent();
