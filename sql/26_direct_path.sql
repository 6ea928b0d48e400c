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
ALTER TABLE inventory.inventory_level_stripes ADD CONSTRAINT dp_at_most_100 CHECK (on_hand <= 100);
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 10);
SAVEPOINT before_big;
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 100);
ROLLBACK TO before_big;
SAVEPOINT before_small;
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 2);
ROLLBACK TO before_small;
SELECT on_hand, version FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 3)
  CROSS JOIN (SELECT version FROM inventory.inventory_levels WHERE sku = 'DP') l;
ALTER TABLE inventory.inventory_level_stripes DROP CONSTRAINT dp_at_most_100;
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 100);
COMMIT;

-- The engine keeps the tables' CHECK constraints compiled from one transaction to the next:
-- a constraint replaced under the same name binds as the new one, and one that calls a user
-- function binds too (compiled per statement, as ExecConstraints does).
ALTER TABLE inventory.inventory_level_stripes ADD CONSTRAINT dp_cap CHECK (on_hand <= 1000);
SELECT on_hand FROM inventory.inventory_apply_event('DPC', 1, 'RECEIVE', 600);
SELECT on_hand FROM inventory.inventory_apply_event('DPC', 1, 'RECEIVE', 600);
ALTER TABLE inventory.inventory_level_stripes DROP CONSTRAINT dp_cap,
  ADD CONSTRAINT dp_cap CHECK (on_hand <= 2000);
SELECT on_hand FROM inventory.inventory_apply_event('DPC', 1, 'RECEIVE', 600);
CREATE FUNCTION public.dp_below_1500(bigint) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS 'SELECT $1 < 1500';
ALTER TABLE inventory.inventory_level_stripes DROP CONSTRAINT dp_cap,
  ADD CONSTRAINT dp_cap CHECK (public.dp_below_1500(on_hand));
SELECT on_hand FROM inventory.inventory_apply_event('DPC', 1, 'RECEIVE', 600);
SELECT on_hand FROM inventory.inventory_apply_event('DPC', 1, 'RECEIVE', 200);
ALTER TABLE inventory.inventory_level_stripes DROP CONSTRAINT dp_cap;
DROP FUNCTION public.dp_below_1500(bigint);
SELECT on_hand FROM inventory.inventory_apply_event('DPC', 1, 'RECEIVE', 600);
-- A whole-row reference and a domain are compiled per statement too: the row is read as it is
-- in every transaction, and a constraint added to the domain binds at once.
CREATE DOMAIN public.dp_stock AS bigint;
ALTER TABLE inventory.inventory_level_stripes ADD CONSTRAINT dp_cap
  CHECK (pg_catalog.row_to_json(inventory_level_stripes) IS NOT NULL AND (on_hand)::public.dp_stock >= 0);
SELECT on_hand FROM inventory.inventory_apply_event('DPC', 1, 'RECEIVE', 10);
SELECT on_hand FROM inventory.inventory_apply_event('DPC', 1, 'RECEIVE', 10);
ALTER DOMAIN public.dp_stock ADD CONSTRAINT dp_stock_cap CHECK (VALUE <= 2025);
SELECT on_hand FROM inventory.inventory_apply_event('DPC', 1, 'RECEIVE', 10);
SELECT on_hand FROM inventory.inventory_apply_event('DPC', 1, 'RECEIVE', 5);
ALTER TABLE inventory.inventory_level_stripes DROP CONSTRAINT dp_cap;
DROP DOMAIN public.dp_stock;

-- What the direct path would skip is refused, not skipped (0A000, naming it), and nothing is
-- written: a user's trigger on INSERT, a foreign key, a deferrable unique constraint, a column
-- of someone else's with a default. Without them the engine writes again.
CREATE FUNCTION pg_temp.audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER dp_audit AFTER INSERT ON inventory.inventory_ledger
  FOR EACH ROW EXECUTE FUNCTION pg_temp.audit();
\set VERBOSITY sqlstate
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 1);
\set VERBOSITY terse
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 1);
DROP TRIGGER dp_audit ON inventory.inventory_ledger;
CREATE TABLE dp_refs (reference_id text PRIMARY KEY);
ALTER TABLE inventory.inventory_ledger ADD CONSTRAINT dp_ref_fk FOREIGN KEY (reference_id)
  REFERENCES dp_refs NOT VALID;
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 1, 'PO-UNKNOWN');
ALTER TABLE inventory.inventory_ledger DROP CONSTRAINT dp_ref_fk;
ALTER TABLE inventory.inventory_reservations ADD CONSTRAINT dp_deferred
  UNIQUE (reference_id) DEFERRABLE INITIALLY DEFERRED;
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'ALLOCATE', 1, 'DP-DEFERRED');
ALTER TABLE inventory.inventory_reservations DROP CONSTRAINT dp_deferred;
ALTER TABLE inventory.inventory_ledger ADD COLUMN dp_note text DEFAULT 'x';
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 1);
ALTER TABLE inventory.inventory_ledger DROP COLUMN dp_note;
-- An update keeps what a column of someone else's holds (its default filled the existing rows).
ALTER TABLE inventory.inventory_level_stripes ADD COLUMN dp_note text DEFAULT 'x';
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 1);
SELECT dp_note FROM inventory.inventory_level_stripes WHERE sku = 'DP';
ALTER TABLE inventory.inventory_level_stripes DROP COLUMN dp_note;
-- A nullable column of one's own without a default stays NULL, as with SQL.
ALTER TABLE inventory.inventory_level_stripes ADD COLUMN dp_note text;
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 1);
SELECT dp_note IS NULL AS note_null, version FROM inventory.inventory_level_stripes WHERE sku = 'DP';
ALTER TABLE inventory.inventory_level_stripes DROP COLUMN dp_note;
-- A table referencing the levels does not stop the engine (it never changes a level's key).
CREATE TABLE dp_level_notes (sku text, warehouse_id integer, stripe smallint DEFAULT 0,
  FOREIGN KEY (sku, warehouse_id, stripe) REFERENCES inventory.inventory_level_stripes);
INSERT INTO dp_level_notes VALUES ('DP', 1);
SELECT on_hand FROM inventory.inventory_apply_event('DP', 1, 'RECEIVE', 1);
DROP TABLE dp_level_notes, dp_refs;

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
