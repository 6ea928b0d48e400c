-- Issue 12: the engine writes its tables on the direct path (src/pg/direct_tables.hpp), as the
-- executor would: constraints are the tables' own and checked on every row (a CHECK added in
-- the middle of a transaction applies to the next event), stored generated columns are
-- computed, what a rolled-back savepoint wrote is forgotten, and the tables' cached state is
-- dropped on invalidation: DROP EXTENSION and CREATE EXTENSION work in the same session and in
-- the same transaction as events.
\set VERBOSITY terse
DROP EXTENSION IF EXISTS inventory;
CREATE EXTENSION inventory;
SELECT inventory.inventory_create_warehouse('DP-1', 'Direct', 'US');

-- Same session, then same transaction: the extension's tables are new relations each time.
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 5);
DROP EXTENSION inventory;
CREATE EXTENSION inventory;
SELECT inventory.inventory_create_warehouse('DP-1', 'Direct', 'US');
BEGIN;
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 6);
DROP EXTENSION inventory;
CREATE EXTENSION inventory;
SELECT inventory.inventory_create_warehouse('DP-1', 'Direct', 'US');
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 7);
SELECT ordinal, on_hand FROM inventory.inventory_apply_events(
  '[{"sku": "DP", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 1},
    {"sku": "DP2", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 2}]');
COMMIT;
SELECT sku, on_hand, version FROM inventory.inventory_levels ORDER BY sku;

-- A CHECK added in the middle of a transaction binds the engine's next write; dropped, it
-- no longer does. A savepoint rolled back undoes the event it wrote, and the level's next
-- event is computed from what remains.
BEGIN;
ALTER TABLE inventory.inventory_levels ADD CONSTRAINT dp_at_most_100 CHECK (on_hand <= 100);
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 10);
SAVEPOINT before_big;
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 100);
ROLLBACK TO before_big;
SAVEPOINT before_small;
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 2);
ROLLBACK TO before_small;
SELECT on_hand, version FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 3)
  CROSS JOIN (SELECT version FROM inventory.inventory_levels WHERE sku = 'DP') l;
ALTER TABLE inventory.inventory_levels DROP CONSTRAINT dp_at_most_100;
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 100);
COMMIT;

-- The stored generated column held follows every change of a reservation.
SELECT on_hand, reserved FROM inventory.inventory_apply_event('DP', 1, 'ALLOCATE', 5, 'DP-ORDER/1');
SELECT on_hand, reserved FROM inventory.inventory_apply_event('DP', 1, 'FULFILL', 2, 'DP-ORDER/1');
SELECT quantity, fulfilled, released, held, status
  FROM inventory.inventory_reservations WHERE reference_id = 'DP-ORDER/1';
SELECT on_hand, reserved FROM inventory.inventory_apply_event('DP', 1, 'DEALLOCATE', 3, 'DP-ORDER/1');
SELECT quantity, fulfilled, released, held, status
  FROM inventory.inventory_reservations WHERE reference_id = 'DP-ORDER/1';

-- Many events of one level in one transaction: each sees the last one's level.
BEGIN;
SELECT count(*) AS events, max(on_hand) AS last_on_hand
  FROM generate_series(1, 500) i,
       LATERAL inventory.inventory_apply_event('DP3', 1, 'RECEIVE', 1 + 0 * i) e;
COMMIT;
SELECT on_hand, version FROM inventory.inventory_levels WHERE sku = 'DP3';
SELECT count(*) AS problems FROM inventory.inventory_verify();
SELECT count(*) AS problems FROM inventory.inventory_verify_reservations();
