-- Dropping the extension removes all of it; creating it again starts empty.
SELECT count(*) > 0 AS had_events FROM inventory.inventory_ledger;
DROP EXTENSION inventory;
SELECT count(*) AS objects_left FROM pg_class WHERE relnamespace = 'inventory'::regnamespace;
SELECT count(*) AS functions_left FROM pg_proc WHERE pronamespace = 'inventory'::regnamespace;
CREATE EXTENSION inventory;
SELECT count(*) AS events FROM inventory.inventory_ledger;
SELECT inventory.inventory_create_warehouse('NYC-1', 'New York', 'US') AS warehouse;
SELECT on_hand FROM inventory.inventory_apply_event('AGAIN', 1, 'RECEIVE', 1);
SELECT regress.consistent();
DROP EXTENSION inventory;
CREATE EXTENSION inventory;
