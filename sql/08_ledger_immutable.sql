-- The ledger is append-only (IV008), also under session_replication_role = replica, and rows
-- with their computed columns filled are accepted only as consistent restored history.
SELECT regress.error_of($$UPDATE inventory.inventory_ledger SET quantity = quantity + 1$$);
SELECT regress.error_of($$DELETE FROM inventory.inventory_ledger$$);
SELECT regress.error_of($$TRUNCATE inventory.inventory_ledger$$);
SET session_replication_role = replica;
SELECT regress.error_of($$UPDATE inventory.inventory_ledger SET quantity = quantity + 1$$);
SELECT regress.error_of($$DELETE FROM inventory.inventory_ledger$$);
SELECT regress.error_of($$TRUNCATE inventory.inventory_ledger$$);
-- Appending in replica mode still maintains the levels.
SELECT on_hand FROM inventory.inventory_apply_event('REPLICA', 1, 'RECEIVE', 3);
RESET session_replication_role;
SELECT on_hand FROM regress.level('REPLICA', 1);

-- Restored history: a row carrying its computed columns sets the level to its after-values.
INSERT INTO inventory.inventory_ledger
  (sku, warehouse_id, event_type, quantity, on_hand_change, reserved_change, on_hand_after,
   reserved_after, available_after, level_version, actor, created_at)
VALUES ('RESTORED', 2, 'RECEIVE', 8, 8, 0, 8, 0, 8, 1, 'someone', '2026-01-01 00:00+00'),
       ('RESTORED', 2, 'ALLOCATE', 3, 0, 3, 8, 3, 5, 2, 'someone', '2026-01-02 00:00+00');
SELECT on_hand, reserved, available_to_sell, version FROM regress.level('RESTORED', 2);
SELECT actor, created_at FROM inventory.inventory_ledger WHERE sku = 'RESTORED' ORDER BY level_version;
-- Order does not matter: an older version never overwrites a newer level.
INSERT INTO inventory.inventory_ledger
  (sku, warehouse_id, event_type, quantity, on_hand_change, reserved_change, on_hand_after,
   reserved_after, available_after, level_version)
VALUES ('RESTORED-2', 2, 'FULFILL', 1, -1, -1, 4, 0, 4, 2),
       ('RESTORED-2', 2, 'RECEIVE', 5, 5, 0, 5, 0, 5, 1);
-- (that second restored history starts without an ALLOCATE; the FULFILL's before-state says
-- reserved was 1, so the sum check below reports it, as it should)
SELECT on_hand, reserved, version FROM regress.level('RESTORED-2', 2);
SELECT sku, problem FROM regress.inconsistencies() ORDER BY 1, 2;
-- New events continue from the restored level.
SELECT on_hand, reserved FROM inventory.inventory_apply_event('RESTORED', 2, 'FULFILL', 3);
SELECT level_version FROM inventory.inventory_ledger WHERE sku = 'RESTORED' ORDER BY level_version;

-- Rows that the rules could not have produced are refused.
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger
  (sku, warehouse_id, event_type, quantity, on_hand_change, reserved_change, on_hand_after,
   reserved_after, available_after, level_version)
VALUES ('FORGED', 1, 'RECEIVE', 1, 1000, 0, 1000, 0, 1000, 1)$$);
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger
  (sku, warehouse_id, event_type, quantity, on_hand_change, reserved_change, on_hand_after,
   reserved_after, available_after, level_version)
VALUES ('FORGED', 1, 'FULFILL', 5, -5, -5, 0, -5, 5, 1)$$);
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger
  (sku, warehouse_id, event_type, quantity, on_hand_after) VALUES ('FORGED', 1, 'RECEIVE', 1, 1)$$);

-- Only the ledger's owner may insert restored rows.
-- (The clerk is a warehouse system that was also given INSERT on the ledger itself.)
CREATE ROLE inventory_regress_clerk IN ROLE inventory_warehouse;
GRANT USAGE ON SCHEMA inventory TO inventory_regress_clerk;
GRANT SELECT, INSERT ON inventory.inventory_ledger TO inventory_regress_clerk;
GRANT SELECT, INSERT, UPDATE ON inventory.inventory_level_stripes TO inventory_regress_clerk;
GRANT SELECT ON inventory.inventory_warehouses, inventory.inventory_sku_policies TO inventory_regress_clerk;
GRANT USAGE ON SCHEMA regress TO inventory_regress_clerk;
SET ROLE inventory_regress_clerk;
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger
  (sku, warehouse_id, event_type, quantity, on_hand_change, reserved_change, on_hand_after,
   reserved_after, available_after, level_version)
VALUES ('FORGED', 1, 'RECEIVE', 1, 1, 0, 1, 0, 1, 1)$$);
-- An ordinary event by that role records the role as actor.
SELECT on_hand FROM inventory.inventory_apply_event('CLERK', 1, 'RECEIVE', 2);
RESET ROLE;
SELECT actor FROM inventory.inventory_ledger WHERE sku = 'CLERK';
REVOKE ALL ON ALL TABLES IN SCHEMA inventory FROM inventory_regress_clerk;
REVOKE ALL ON SCHEMA inventory, regress FROM inventory_regress_clerk;
DROP ROLE inventory_regress_clerk;

-- The ledger's indexes, each for a query of the extension (README: Tables); no index on
-- reference_id since 0.5.0.
SELECT i.indexrelid::regclass AS index, pg_get_indexdef(i.indexrelid) ~ ' WHERE ' AS partial,
       i.indisunique AS is_unique, obj_description(i.indexrelid, 'pg_class') IS NOT NULL AS commented
  FROM pg_index i WHERE i.indrelid = 'inventory.inventory_ledger'::regclass ORDER BY 1::text;
-- One event per position of a level's history, also for restored rows: a second restored row
-- at a level_version the level already has is refused, not silently kept beside the first.
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger
  (sku, warehouse_id, event_type, quantity, on_hand_change, reserved_change, on_hand_after,
   reserved_after, available_after, level_version, actor, created_at)
VALUES ('RESTORED', 2, 'RECEIVE', 1, 1, 0, 9, 3, 6, 2, 'someone', '2026-01-03 00:00+00')$$);
SELECT count(*) AS events, max(level_version) FROM inventory.inventory_ledger WHERE sku = 'RESTORED';
