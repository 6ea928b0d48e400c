-- The change feed (0.3.1): inventory_level_changes(position) returns the levels changed since a
-- position, whatever changed them (events, SKU policies, rebuilds, deleted levels), and refuses
-- positions that are not this database's. Isolation specs change_feed*.spec cover the races.
SELECT inventory.inventory_create_warehouse('FEED-1', 'Feed one', 'US', 40) AS one,
       inventory.inventory_create_warehouse('FEED-2', 'Feed two', 'US', 41) AS two;

-- A consumer's loop, as README shows it: keep next_position, apply the rows with a SKU. (Only
-- this test's SKUs are shown: the database holds the other tests' levels too.)
CREATE TABLE regress.feed (position text);
INSERT INTO regress.feed VALUES (NULL);
CREATE FUNCTION regress.poll(only_feed boolean DEFAULT true)
RETURNS TABLE (sku text, warehouse_id integer, on_hand bigint, reserved bigint,
               available_to_sell bigint, version bigint)
LANGUAGE sql AS $$
  WITH changes AS MATERIALIZED (
         SELECT * FROM inventory.inventory_level_changes((SELECT position FROM regress.feed))),
       moved AS (UPDATE regress.feed SET position = (SELECT next_position FROM changes LIMIT 1))
  SELECT c.sku, c.warehouse_id, c.on_hand, c.reserved, c.available_to_sell, c.version
    FROM changes c WHERE c.sku LIKE CASE WHEN only_feed THEN 'FEED-%' ELSE '%' END ORDER BY 1, 2
$$;

-- NULL: the full state; every row carries the same position.
SELECT count(*) FILTER (WHERE sku LIKE 'FEED-%') AS feed_levels,
       count(DISTINCT next_position) AS positions
  FROM inventory.inventory_level_changes();
SELECT * FROM regress.poll();
SELECT (inventory.inventory_apply_event('FEED-A', 40, 'RECEIVE', 10)).on_hand,
       (inventory.inventory_apply_event('FEED-A', 41, 'RECEIVE', 4)).on_hand,
       (inventory.inventory_apply_event('FEED-B', 40, 'RECEIVE', 3)).on_hand;
SELECT * FROM regress.poll();
SELECT * FROM regress.poll();  -- nothing new
-- Every event path appends ledger rows: a batch, a transfer, an order, a plain INSERT.
SELECT count(*) FROM inventory.inventory_apply_events(
  '[{"sku": "FEED-B", "warehouse_id": 41, "event_type": "RECEIVE", "quantity": 2}]');
SELECT from_on_hand, to_on_hand FROM inventory.inventory_transfer('FEED-A', 40, 41, 1);
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity)
VALUES ('FEED-C', 40, 'RECEIVE', 1);
SELECT * FROM regress.poll();
-- transaction_id names the transaction that appended the row here, whatever the INSERT gave
-- (a copied id, as a logical-replication subscriber receives, would hide the row).
BEGIN;
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity, transaction_id)
VALUES ('FEED-C', 40, 'RECEIVE', 1, '5');
SELECT transaction_id = pg_current_xact_id() AS stamped_by_this_transaction
  FROM inventory.inventory_ledger WHERE sku = 'FEED-C' ORDER BY id DESC LIMIT 1;
COMMIT;
SELECT * FROM regress.poll();

-- A policy change moves available_to_sell without a ledger row: every level of the SKU, through
-- inventory_set_sku_policy() or a direct write of the policy table; deleting it too.
SELECT safety_stock FROM inventory.inventory_set_sku_policy('FEED-A', false, 2);
SELECT * FROM regress.poll();
UPDATE inventory.inventory_sku_policies SET safety_stock = 3 WHERE sku = 'FEED-A';
SELECT * FROM regress.poll();
DELETE FROM inventory.inventory_sku_policies WHERE sku = 'FEED-A';
SELECT * FROM regress.poll();

-- A rebuild repairs levels without ledger rows: every level is returned after it, and a level
-- it deleted reads as empty.
UPDATE inventory.inventory_level_stripes SET on_hand = on_hand + 5, available_to_sell = available_to_sell + 5
 WHERE sku = 'FEED-B' AND warehouse_id = 40;
INSERT INTO inventory.inventory_level_stripes (sku, warehouse_id, on_hand, available_to_sell)
VALUES ('FEED-GHOST', 40, 2, 2);
SELECT * FROM regress.poll();  -- the drift itself bypassed the extension: not in the feed
SELECT count(*) AS marks_before FROM inventory.inventory_feed_marks WHERE sku IS NULL \gset
SELECT inventory.inventory_rebuild_levels() >= 2 AS repaired;
-- One mark for the whole rebuild, however many levels it wrote.
SELECT count(*) - :marks_before AS rebuild_marks
  FROM inventory.inventory_feed_marks WHERE sku IS NULL;
CREATE TEMP TABLE after_rebuild AS SELECT * FROM regress.poll(only_feed => false);
SELECT * FROM after_rebuild WHERE sku LIKE 'FEED-%' ORDER BY 1, 2;
SELECT (SELECT count(*) FROM after_rebuild)
     = (SELECT count(*) FROM inventory.inventory_levels) + 1 AS every_level_and_the_deleted_one;
SELECT * FROM regress.poll();
-- A rebuild that changes nothing marks nothing: the consumers need not re-read every level.
SELECT inventory.inventory_rebuild_levels() AS changed;
SELECT count(*) - :marks_before - 1 AS marks_of_an_idle_rebuild
  FROM inventory.inventory_feed_marks WHERE sku IS NULL;
SELECT * FROM regress.poll();
SELECT regress.consistent();

-- A rolled-back change returns nothing; a savepoint's rollback keeps the rest.
BEGIN;
SELECT (inventory.inventory_apply_event('FEED-A', 40, 'RECEIVE', 100)).on_hand;
ROLLBACK;
BEGIN;
SELECT (inventory.inventory_apply_event('FEED-A', 40, 'RECEIVE', 1)).on_hand;
SAVEPOINT s;
SELECT (inventory.inventory_apply_event('FEED-B', 40, 'RECEIVE', 100)).on_hand;
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT * FROM regress.poll();

-- Positions: what is not one of this database's is refused (22023), never read as "nothing new".
SELECT regress.error_of($$SELECT * FROM inventory.inventory_level_changes('garbage')$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_level_changes('1/1/5:5:')$$);
SELECT regress.error_of(format($$SELECT * FROM inventory.inventory_level_changes('%s')$$,
  regexp_replace((SELECT position FROM regress.feed), '/[0-9]+:[0-9]+:.*$',
                 '/' || (pg_snapshot_xmax(pg_current_snapshot())::text::bigint + 1000)::text
                 || ':' || (pg_snapshot_xmax(pg_current_snapshot())::text::bigint + 1000)::text || ':')));
SELECT regress.error_of($$SELECT * FROM inventory.inventory_level_changes('1/2/3:2:')$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_level_changes('1/2/3:5:7')$$);

-- Only inventory_reader (and the roles that include it) may fetch.
CREATE ROLE regress_feed_nobody;
GRANT USAGE ON SCHEMA inventory, regress TO regress_feed_nobody;
SET ROLE regress_feed_nobody;
SELECT regress.error_of($$SELECT * FROM inventory.inventory_level_changes()$$);
RESET ROLE;
SET ROLE inventory_app;
SELECT count(*) > 0 AS app_reads FROM inventory.inventory_level_changes();
RESET ROLE;
REVOKE USAGE ON SCHEMA inventory, regress FROM regress_feed_nobody;
DROP ROLE regress_feed_nobody;

-- The poll reads the ledger through its transaction_id index, not the whole ledger.
SELECT count(*) FROM inventory.inventory_apply_events(
  (SELECT jsonb_agg(jsonb_build_object('sku', 'FEED-BULK-' || i, 'warehouse_id', 40,
                                       'event_type', 'RECEIVE', 'quantity', 1))
     FROM generate_series(1, 3000) i));
ANALYZE inventory.inventory_ledger;
SELECT count(*) FROM regress.poll();
EXPLAIN (COSTS OFF)
SELECT g.sku, g.warehouse_id FROM inventory.inventory_ledger g
 WHERE g.transaction_id >= pg_snapshot_xmin(pg_current_snapshot())
   AND g.transaction_id < pg_snapshot_xmax(pg_current_snapshot())
   AND NOT pg_visible_in_snapshot(g.transaction_id, pg_current_snapshot());
DROP FUNCTION regress.poll(boolean);
DROP TABLE regress.feed;
