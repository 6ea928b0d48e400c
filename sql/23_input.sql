-- Input that lies (issue 10, items 5 and 6): errors without the extension's internal SQL as
-- CONTEXT, typed batch fields, look-alike SKUs, warehouse fields.
CREATE EXTENSION IF NOT EXISTS inventory;
-- A plain INSERT loads no C code: the first call below is the first of the library in this
-- session.
INSERT INTO inventory.inventory_warehouses (id, code, name, country)
VALUES (2300, 'IN-0', 'Input Zero', 'US');
\set SHOW_CONTEXT always
SELECT inventory.inventory_create_warehouse('IN-0', 'Input Zero', 'US');
SELECT inventory.inventory_create_warehouse('IN-1', 'Input One', 'us', 2301),
       inventory.inventory_create_warehouse('IN-2', 'Input Two', 'De', 2302);
SELECT id, code, country FROM inventory.inventory_warehouses WHERE id IN (2301, 2302) ORDER BY id;

-- No CONTEXT from inside the extension, whatever raised the error: a PostgreSQL error inside a
-- C function (a unique index, a timestamp that does not parse), a C++ error, a PL/pgSQL
-- wrapper's own RAISE or its statement's CHECK violation, a trigger under it.
SELECT inventory.inventory_create_warehouse('IN-3', 'Input Three', 'US', 2301);
SELECT * FROM inventory.inventory_apply_events('[{"sku": "IN-A", "warehouse_id": 2301, "event_type": "ALLOCATE", "quantity": 1, "reference_id": "C/1", "expires_at": "not a time"}]');
SELECT * FROM inventory.inventory_apply_events('[{"sku": ["IN-A"], "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1}]');
SELECT * FROM inventory.inventory_adjust('IN-A', -5, 'THEFT', 2301);
SELECT * FROM inventory.inventory_adjust('IN-A', NULL, 'THEFT', 2301);
SELECT * FROM inventory.inventory_set_sku_policy(NULL);
SELECT (inventory.inventory_set_sku_policy('IN-B', true)).sku;
SELECT (inventory.inventory_apply_event('IN-B', 2301, 'ALLOCATE', 2)).available_to_sell;
SELECT * FROM inventory.inventory_set_sku_policy('IN-B', false);
SELECT inventory.inventory_serve_country(2301, 'USA');
-- A direct DELETE (only the owner may write the table) meets the warehouse guard, a PL/pgSQL
-- trigger: its own "at RAISE" line is its context (no fmgr hook hides it: a hook must not
-- raise), and no internal SQL.
DELETE FROM inventory.inventory_warehouses WHERE id = 2301;
-- The caller's own context is kept: the error is raised again as a fresh report.
DO $$ BEGIN PERFORM inventory.inventory_create_warehouse('IN-3', 'Input Three', 'US', 2301); END $$;
\set SHOW_CONTEXT errors
-- The same as a PL/pgSQL caller sees it: the context is the caller's own line only.
CREATE FUNCTION regress.context_of(statement text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  state text;
  context text;
BEGIN
  EXECUTE statement;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, context = PG_EXCEPTION_CONTEXT;
  RETURN state || ': ' || replace(context, E'\n', ' | ');
END;
$$;
SELECT regress.context_of($$SELECT * FROM inventory.inventory_set_sku_policy('IN-A', false, -1)$$);
SELECT regress.context_of($$SELECT * FROM inventory.inventory_set_sku_policy('IN-B', false)$$);
SELECT regress.context_of($$SELECT * FROM inventory.inventory_adjust('IN-A', -5, 'THEFT', 2301)$$);
SELECT regress.context_of($$SELECT * FROM inventory.inventory_apply_events('[{"sku": "IN-A", "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1.5}]')$$);
SELECT regress.context_of($$SELECT * FROM inventory.inventory_apply_events('[{"sku": "IN-A", "warehouse_id": 2301, "event_type": "ALLOCATE", "quantity": 1, "reference_id": "C/1", "expires_at": "x"}]')$$);
SELECT regress.context_of($$SELECT inventory.inventory_create_warehouse('IN-1', 'Input One', 'US')$$);
SELECT regress.context_of($$SELECT * FROM inventory.inventory_allocate_order('IN-ORDER-0', '[{"sku": "IN-A", "quantity": 1}]', ship_to => 'USA')$$);

-- Warehouse fields: 22023 with a clear message (0.3.0: the table's CHECK, 23514), a duplicate
-- code or id 23505 with the index's name, a warehouse with stock records cannot go (23503).
SELECT regress.error_of($$SELECT inventory.inventory_create_warehouse('IN-3', 'Input Three', 'USA')$$);
SELECT regress.error_of($$SELECT inventory.inventory_create_warehouse('IN-3', 'Input Three', 'U1')$$);
SELECT regress.error_of($$SELECT inventory.inventory_create_warehouse('IN 3', 'Input Three', 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_create_warehouse('IN-3', '', 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_create_warehouse('IN-1', 'Input One', 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_create_warehouse('IN-3', 'Input Three', 'US', 2301)$$);
SELECT regress.error_of($$SELECT inventory.inventory_create_warehouse('IN-3', NULL, 'US')$$);
SELECT regress.error_of($$DELETE FROM inventory.inventory_warehouses WHERE id = 2301$$);
SELECT inventory.inventory_serve_country(2302, 'it', 5),
       inventory.inventory_stop_serving_country(2302, 'de');
SELECT warehouse_id, country, priority FROM inventory.inventory_warehouse_countries
 WHERE warehouse_id = 2302 ORDER BY country;
SELECT inventory.inventory_stop_serving_country(2302, 'it') AS stopped,
       inventory.inventory_stop_serving_country(2302, 'it') AS stopped_again;
SELECT regress.error_of($$SELECT inventory.inventory_serve_country(2399, 'US')$$);

-- Batch fields have the JSON type their meaning asks for: a string where text is meant, a whole
-- number in bigint range for a quantity, an integer for warehouse_id, an object or null for
-- metadata; missing or null required fields are 22004. Errors name the element.
CREATE TEMPORARY TABLE batch_cases (n serial, element text);
INSERT INTO batch_cases (element) VALUES
  ('{"sku": ["IN-A"], "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1}'),
  ('{"sku": {"x": 1}, "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1}'),
  ('{"sku": true, "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1}'),
  ('{"sku": 123, "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1}'),
  ('{"sku": null, "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1}'),
  ('{"warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1}'),
  ('{"sku": "IN-A", "warehouse_id": "2301", "event_type": "RECEIVE", "quantity": 1}'),
  ('{"sku": "IN-A", "warehouse_id": 2301.5, "event_type": "RECEIVE", "quantity": 1}'),
  ('{"sku": "IN-A", "warehouse_id": 99999999999, "event_type": "RECEIVE", "quantity": 1}'),
  ('{"sku": "IN-A", "warehouse_id": 2301, "event_type": 1, "quantity": 1}'),
  ('{"sku": "IN-A", "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1.5}'),
  ('{"sku": "IN-A", "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": "5"}'),
  ('{"sku": "IN-A", "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": true}'),
  ('{"sku": "IN-A", "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": [1]}'),
  ('{"sku": "IN-A", "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 9223372036854775808}'),
  ('{"sku": "IN-A", "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": null}'),
  ('{"sku": "IN-A", "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1, "reference_id": 5}'),
  ('{"sku": "IN-A", "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1, "idempotency_key": 7}'),
  ('{"sku": "IN-A", "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1, "reason": false}'),
  ('{"sku": "IN-A", "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1, "metadata": "x"}'),
  ('{"sku": "IN-A", "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1, "metadata": [1]}'),
  ('{"sku": "IN-A", "warehouse_id": 2301, "event_type": "ALLOCATE", "quantity": 1, "reference_id": "C/1", "expires_at": 5}'),
  ('{"sku": "IN-A", "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1, "skus": 1}'),
  ('"IN-A"');
SELECT n, regress.error_of(format(
         $$SELECT * FROM inventory.inventory_apply_events('[{"sku": "IN-A", "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1}, {"sku": "IN-A", "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1}, %s]')$$,
         element)) AS third_element
  FROM batch_cases ORDER BY n;
SELECT count(*) AS nothing_written FROM inventory.inventory_ledger WHERE sku = 'IN-A';
-- A whole number written with a fraction or an exponent is that number; null optional fields
-- are absent.
SELECT ordinal, on_hand, reserved FROM inventory.inventory_apply_events('[
  {"sku": "IN-A", "warehouse_id": 2301, "event_type": "receive", "quantity": 1.0},
  {"sku": "IN-A", "warehouse_id": 2301.0, "event_type": "RECEIVE", "quantity": 2e1, "reference_id": null, "metadata": null, "reason": null},
  {"sku": "IN-A", "warehouse_id": 2301, "event_type": "ADJUST", "quantity": -3.000, "reason": "shrinkage", "metadata": {"note": [1, {"a": true}]}}]');
SELECT sku, event_type, quantity, reason, metadata FROM inventory.inventory_ledger
 WHERE sku = 'IN-A' ORDER BY created_at, id;
-- inventory_allocate_order's lines follow the same quantity rule.
SELECT regress.error_of($$SELECT * FROM inventory.inventory_allocate_order('IN-ORDER-1', '[{"sku": "IN-A", "quantity": 1.5}]', fixed_warehouse_id => 2301)$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events('[{"sku": "IN-A", "warehouse_id": 2301, "event_type": "ALLOCATE", "quantity": 1.5}]')$$);

-- Look-alike SKUs (IV009): bidirectional controls and invisible characters anywhere, format,
-- separator and non-ASCII space characters at either end, and SKUs not in NFC.
CREATE TEMPORARY TABLE sku_cases (n serial, sku text);
INSERT INTO sku_cases (sku) VALUES
  ('IN-OK'), (E'IN-\u00e9'), (E'IN\u00a0OK'), (E'\u5546\u54c1-1'),
  (E'IN\u200bOK'), (E'IN\u200cOK'), (E'IN\u200dOK'), (E'IN\u2060OK'), (E'IN\ufeffOK'),
  (E'\ufeffIN-OK'), (E'IN\u202eKO'), (E'IN\u2066OK\u2069'), (E'IN\u200eOK'), (E'IN\u061cOK'),
  (E'IN\u00adOK'), (E'IN\u2028OK'),
  (E'IN-OK\u00a0'), (E'\u2003IN-OK'), (E'IN-OK\u3000'), (E'IN-OK\u202f'), (E'\u205fIN-OK'),
  (E'IN-OK\u0600'), (E'IN-OK '), (E'Cafe\u0301'), (E'Caf\u00e9');
SELECT n, inventory.inventory_sku_problem(sku) FROM sku_cases ORDER BY n;
SELECT regress.error_of($$SELECT inventory.inventory_sku_problem(NULL)$$);
-- Every path refuses them: one event, a batch, an order line, a plain ledger INSERT.
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_event(E'IN\u200bOK', 2301, 'RECEIVE', 1)$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_event(E'Cafe\u0301', 2301, 'RECEIVE', 1)$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events(E'[{"sku": "IN-OK\\u00a0", "warehouse_id": 2301, "event_type": "RECEIVE", "quantity": 1}]')$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_allocate_order('IN-ORDER-2', E'[{"sku": "IN\\u202eKO", "quantity": 1}]', fixed_warehouse_id => 2301)$$);
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity) VALUES (E'\u2003IN-OK', 2301, 'RECEIVE', 1)$$);
SELECT (inventory.inventory_apply_event(E'Caf\u00e9', 2301, 'RECEIVE', 1)).on_hand AS nfc_is_fine;
SELECT count(*) AS look_alikes_written FROM inventory.inventory_levels
 WHERE warehouse_id = 2301 AND inventory.inventory_sku_problem(sku) IS NOT NULL;
-- Restored history keeps the SKUs 0.3.0 accepted (a dump of such a database restores), and
-- inventory_sku_problem() finds them.
INSERT INTO inventory.inventory_ledger
  (sku, warehouse_id, event_type, quantity, on_hand_change, reserved_change, on_hand_after,
   reserved_after, available_after, level_version)
VALUES (E'IN\u200bOLD', 2302, 'RECEIVE', 4, 4, 0, 4, 0, 4, 1),
       (E'Cafe\u0301', 2302, 'RECEIVE', 2, 2, 0, 2, 0, 2, 1);
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity, on_hand_change, reserved_change, on_hand_after, reserved_after, available_after, level_version) VALUES (E'IN-OK ', 2302, 'RECEIVE', 4, 4, 0, 4, 0, 4, 1)$$);
-- ... and the metadata it was written with: 0.3.1's unit_cost rule is for new events only
-- (the same row as a new event is refused), and inventory_verify_data() reports it.
INSERT INTO inventory.inventory_ledger
  (sku, warehouse_id, event_type, quantity, metadata, on_hand_change, reserved_change,
   on_hand_after, reserved_after, available_after, level_version)
VALUES ('IN-COST', 2302, 'RECEIVE', 3, '{"unit_cost": "12,50 EUR"}', 3, 0, 3, 0, 3, 1);
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity, metadata) VALUES ('IN-COST', 2302, 'RECEIVE', 3, '{"unit_cost": "12,50 EUR"}')$$);
SELECT kind, sku, problem FROM inventory.inventory_verify_data() WHERE sku = 'IN-COST';
SELECT on_hand, inventory.inventory_sku_problem(sku) FROM inventory.inventory_levels
 WHERE warehouse_id = 2302 ORDER BY sku COLLATE "C";
-- Events on a level that exists already stay possible, so that a person can move its stock to
-- the right SKU; no new level is created for such a SKU.
SELECT (inventory.inventory_apply_event(E'IN\u200bOLD', 2302, 'ADJUST', -4, reason => 'CORRECTION')).on_hand AS drained;
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_event(E'IN\u200bOLD', 2301, 'RECEIVE', 1)$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_event(E'Cafe\u0301', 2301, 'RECEIVE', 1)$$);
SELECT (inventory.inventory_apply_event(E'Cafe\u0301', 2302, 'ALLOCATE', 1, 'IN-HOLD/1')).reserved AS held;
SELECT (inventory.inventory_apply_event(E'Cafe\u0301', 2302, 'DEALLOCATE', 1, 'IN-HOLD/1')).reserved AS released;
SELECT count(*) AS new_look_alike_levels FROM inventory.inventory_levels
 WHERE warehouse_id = 2301 AND inventory.inventory_sku_problem(sku) IS NOT NULL;
