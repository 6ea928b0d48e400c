-- 0.3.1: the views read only what was validated when it was written, stay readable whatever an
-- old row holds, and inventory_verify_data() lists what 0.3.0 accepted and 0.3.1 refuses.
DROP EXTENSION IF EXISTS inventory;
CREATE EXTENSION inventory;
SELECT inventory.inventory_create_warehouse('NYC-1', 'New York', 'US'),
       inventory.inventory_create_warehouse('CA-1', 'California', 'US');
SELECT on_hand FROM inventory.inventory_apply_event('VASE', 1, 'RECEIVE', 100);

-- metadata.unit_cost must be a non-negative JSON number, on every path that writes an event.
SELECT regress.error_of($$SELECT inventory.inventory_adjust('VASE', -1, 'DAMAGED', 1, metadata => '{"unit_cost": "12,50 EUR"}')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('VASE', 1, 'ADJUST', -1, reason => 'DAMAGED', metadata => '{"unit_cost": -3}')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('VASE', 1, 'RETURN', 1, reason => 'DAMAGED', metadata => '{"unit_cost": null}')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('VASE', 1, 'RECEIVE', 1, metadata => '{"unit_cost": {"amount": 12.5}}')$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events('[{"sku": "VASE", "warehouse_id": 1, "event_type": "ADJUST", "quantity": -1, "reason": "THEFT", "metadata": {"unit_cost": "12.50"}}]')$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_transfer('VASE', 1, 2, 1, metadata => '{"unit_cost": true}')$$);
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity, reason, metadata) VALUES ('VASE', 1, 'ADJUST', -1, 'DAMAGED', '{"unit_cost": "cheap"}')$$);
-- The message, with its hint.
DO $$
BEGIN
  PERFORM inventory.inventory_adjust('VASE', -1, 'DAMAGED', 1, metadata => '{"unit_cost": "12,50 EUR"}');
EXCEPTION WHEN invalid_parameter_value THEN
  DECLARE m text; d text; h text;
  BEGIN
    GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
    RAISE NOTICE 'message: %', m;
    RAISE NOTICE 'detail: %', d;
    RAISE NOTICE 'hint: %', h;
  END;
END $$;
-- Nothing was written; numbers (and metadata without unit_cost) are fine.
SELECT count(*) AS events FROM inventory.inventory_ledger;
SELECT on_hand FROM inventory.inventory_adjust('VASE', -2, 'DAMAGED', 1, metadata => '{"unit_cost": 12.5, "currency": "EUR"}');
SELECT on_hand FROM inventory.inventory_adjust('VASE', -1, 'THEFT', 1, metadata => '{"unit_cost": 0}');
SELECT on_hand FROM inventory.inventory_adjust('VASE', -1, 'SHRINKAGE', 1, metadata => '{"note": "no cost"}');

-- A COUNT shortfall is a loss whatever its free-text reason; ADJUST's codes still decide for
-- adjustments (a CORRECTION adjustment is no loss).
SELECT on_hand FROM inventory.inventory_apply_event('VASE', 1, 'COUNT', 90, reason => 'CORRECTION');
SELECT on_hand FROM inventory.inventory_apply_event('VASE', 1, 'COUNT', 88, reason => 'cycle count');
SELECT on_hand FROM inventory.inventory_apply_event('VASE', 1, 'COUNT', 87);
SELECT on_hand FROM inventory.inventory_adjust('VASE', -1, 'CORRECTION', 1);

-- Rows 0.3.0 accepted and 0.3.1 refuses, appended as 0.3.0's library wrote them
-- (regress.append_as_030, see 01_setup).
SELECT regress.append_as_030('VASE', -4, 'DAMAGED', '{"unit_cost": "12,50 EUR"}');
SELECT regress.append_as_030('VASE', -1, 'THEFT', '{"unit_cost": -7}');
SELECT regress.append_as_030(U&'VASE\00A0', 3, NULL, NULL);           -- a trailing no-break space
SELECT regress.append_as_030(U&'VA\200BSE', 2, NULL, NULL);           -- a zero-width space inside
SELECT count(*) AS drifted FROM inventory.inventory_verify();

-- The view stays readable; value counts only the non-negative numbers.
SELECT sku, warehouse_id, reason, events, units, value FROM inventory.inventory_losses
 ORDER BY sku COLLATE "C", reason;

-- What needs a person's attention (the SKU problems are worded by inventory_sku_problem()).
SELECT kind, sku = 'VASE' AS clean_sku, encode(convert_to(sku, 'UTF8'), 'escape') AS sku_bytes,
       warehouse_id, event_id IS NOT NULL AS names_event,
       CASE WHEN kind = 'sku' THEN problem = inventory.inventory_sku_problem(sku) ELSE NULL END AS sku_problem_named,
       CASE WHEN kind = 'unit_cost' THEN problem END AS problem
  FROM inventory.inventory_verify_data()
 ORDER BY kind, sku_bytes;
-- A SKU policy with a look-alike SKU is listed too (no warehouse).
INSERT INTO inventory.inventory_sku_policies (sku, allow_backorder) VALUES (U&'\FEFFMUG', false);
SELECT kind, warehouse_id, problem IS NOT NULL AS has_problem FROM inventory.inventory_verify_data()
 WHERE sku = U&'\FEFFMUG';
-- The acceptable SKUs are not.
SELECT inventory.inventory_sku_problem('VASE') AS vase, inventory.inventory_sku_problem('VA SE') AS inner_space;
-- Readers may ask; PUBLIC may not.
SELECT has_function_privilege('inventory_reader', 'inventory.inventory_verify_data()', 'EXECUTE') AS reader,
       has_function_privilege('public', 'inventory.inventory_verify_data()', 'EXECUTE') AS public;

-- Start the following tests from a clean extension (the ledger cannot be emptied otherwise).
DROP EXTENSION inventory;
CREATE EXTENSION inventory;
