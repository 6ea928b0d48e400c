-- inventory_verify(), inventory_rebuild_levels() and time travel per stripe (issue 13): each
-- stripe row is checked against and rebuilt from the ledger rows of its stripe; a level is
-- reported once, its problems naming the stripes.
SELECT inventory.inventory_create_warehouse('SV-A', 'Stripes verified', 'NO') AS a \gset
SELECT stripes FROM inventory.inventory_set_sku_policy('SV-HOT', stripes => 4);
SELECT on_hand FROM inventory.inventory_apply_event('SV-HOT', :a, 'RECEIVE', 12);
CREATE TEMP TABLE moments_sv AS SELECT clock_timestamp() AS at;
SELECT reserved FROM inventory.inventory_apply_event('SV-HOT', :a, 'ALLOCATE', 5);
SELECT stripe, on_hand, version FROM inventory.inventory_level_stripes
 WHERE sku = 'SV-HOT' ORDER BY stripe;
SELECT count(*) AS problems FROM inventory.inventory_verify();

-- Time travel: the sums of each stripe's last row by then; level_version the level's events.
SELECT t.on_hand, t.reserved, t.available_to_sell,
       t.level_version = (SELECT count(*) FROM inventory.inventory_ledger g
                           WHERE g.sku = 'SV-HOT' AND g.created_at <= m.at) AS events_by_then
  FROM moments_sv m CROSS JOIN LATERAL inventory.inventory_levels_at('SV-HOT', m.at) t;
SELECT l.on_hand = t.on_hand AND l.reserved = t.reserved
       AND l.available_to_sell = t.available_to_sell AND l.version = t.level_version AS now_is_the_level
  FROM inventory.inventory_levels l
  JOIN inventory.inventory_levels_at(clock_timestamp()) t USING (sku, warehouse_id)
 WHERE l.sku = 'SV-HOT';

-- Drift (a superuser writing the stripe rows): two stripes gain a unit, one of them also a
-- stale safety stock copy, and the row of stripe 3 (it has ledger rows) is gone.
UPDATE inventory.inventory_level_stripes SET on_hand = on_hand + 1, available_to_sell = available_to_sell + 1
 WHERE sku = 'SV-HOT' AND stripe IN (1, 2);
UPDATE inventory.inventory_level_stripes SET safety_stock = 2 WHERE sku = 'SV-HOT' AND stripe = 1;
DELETE FROM inventory.inventory_level_stripes WHERE sku = 'SV-HOT' AND stripe = 3;
SELECT sku, level_on_hand, ledger_on_hand, level_reserved, ledger_reserved, level_version,
       ledger_events, level_available_to_sell, expected_available_to_sell, problem
  FROM inventory.inventory_verify();
SELECT sku, problem FROM regress.inconsistencies() ORDER BY 1, 2;
SELECT inventory.inventory_rebuild_levels() AS changed_levels;
SELECT count(*) AS problems FROM inventory.inventory_verify();
SELECT inventory.inventory_rebuild_levels() AS changed_when_true;

-- A level lacks the row of one of its policy's stripes that no event touched: named, and the
-- rebuild creates it empty.
SELECT stripes FROM inventory.inventory_set_sku_policy('SV-ONE', stripes => 3);
SELECT on_hand FROM inventory.inventory_apply_event('SV-ONE', :a, 'RECEIVE', 1);
SELECT stripe, on_hand, version FROM inventory.inventory_level_stripes
 WHERE sku = 'SV-ONE' ORDER BY stripe;
DELETE FROM inventory.inventory_level_stripes WHERE sku = 'SV-ONE' AND version = 0 AND stripe = 2;
SELECT sku, problem FROM inventory.inventory_verify();
SELECT inventory.inventory_rebuild_levels() AS changed_levels;
SELECT stripe, on_hand, version FROM inventory.inventory_level_stripes
 WHERE sku = 'SV-ONE' ORDER BY stripe;

-- A stripe row with stock but no ledger rows is removed; a level whose rows are all gone is
-- created again with all its stripes.
INSERT INTO inventory.inventory_level_stripes (sku, warehouse_id, stripe, on_hand, available_to_sell)
VALUES ('SV-GHOST', :a, 1, 2, 2);
DELETE FROM inventory.inventory_level_stripes WHERE sku = 'SV-ONE';
SELECT sku, level_on_hand, ledger_on_hand, problem FROM inventory.inventory_verify() ORDER BY 1;
SELECT inventory.inventory_rebuild_levels() AS changed_levels;
SELECT sku, stripe, on_hand, version FROM inventory.inventory_level_stripes
 WHERE sku IN ('SV-ONE', 'SV-GHOST') ORDER BY 1, 2;
SELECT regress.consistent();
