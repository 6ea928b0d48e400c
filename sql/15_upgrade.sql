-- ALTER EXTENSION inventory UPDATE from 0.1.0 (through 0.2.0) gives the same schema as a fresh install (same
-- objects, definitions, comments, privileges), and the data survives the update.
CREATE TEMP TABLE schema_of (install text, kind text, name text, definition text);
CREATE FUNCTION pg_temp.describe(install text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO schema_of
  SELECT install, 'function', p.oid::regprocedure::text,
         pg_get_functiondef(p.oid) || ' acl=' || coalesce(p.proacl::text, '') ||
         ' comment=' || coalesce(obj_description(p.oid, 'pg_proc'), '')
    FROM pg_proc p WHERE p.pronamespace = 'inventory'::regnamespace
  UNION ALL
  SELECT install, 'relation ' || c.relkind::text, c.relname,
         coalesce(c.relacl::text, '') || ' comment=' || coalesce(obj_description(c.oid, 'pg_class'), '') ||
         ' view=' || coalesce(pg_get_viewdef(c.oid), '')
    FROM pg_class c WHERE c.relnamespace = 'inventory'::regnamespace
  UNION ALL
  SELECT install, 'column', c.relname || '.' || a.attname,
         format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull || ' default=' ||
         coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ' comment=' ||
         coalesce(col_description(c.oid, a.attnum), '')
    FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
   WHERE c.relnamespace = 'inventory'::regnamespace
  UNION ALL
  SELECT install, 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'inventory'::regnamespace
  UNION ALL
  SELECT install, 'index', indexrelid::regclass::text, pg_get_indexdef(indexrelid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'inventory'::regnamespace
  UNION ALL
  SELECT install, 'trigger', tgrelid::regclass::text || '.' || tgname,
         pg_get_triggerdef(t.oid) || ' enabled=' || tgenabled::text
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
   WHERE c.relnamespace = 'inventory'::regnamespace AND NOT tgisinternal
  UNION ALL
  SELECT install, 'config dump', c.relname, coalesce(e.extcondition[array_position(e.extconfig, c.oid)], '')
    FROM pg_extension e CROSS JOIN LATERAL unnest(e.extconfig) AS x(oid) JOIN pg_class c ON c.oid = x.oid
   WHERE e.extname = 'inventory'
$$;

DROP EXTENSION inventory;
CREATE EXTENSION inventory VERSION '0.1.0';
SELECT extversion FROM pg_extension WHERE extname = 'inventory';
-- Data written under 0.1.0 ... This library writes the 0.5.0 schema only (striped levels): an
-- older one gets one clear error from it, for a call and for a plain INSERT into the ledger,
-- so the rows of the old versions are appended as their libraries wrote them: a ledger row
-- with its computed columns and its level, the ledger trigger off (pg_temp.append_as_old).
CREATE FUNCTION pg_temp.append_as_old(p_sku text, p_type text, p_quantity bigint,
                                      p_reference text DEFAULT NULL, p_key text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  d_on_hand bigint := CASE p_type WHEN 'RECEIVE' THEN p_quantity
                                  WHEN 'FULFILL' THEN -p_quantity ELSE 0 END;
  d_reserved bigint := CASE p_type WHEN 'ALLOCATE' THEN p_quantity
                                   WHEN 'RECEIVE' THEN 0 ELSE -p_quantity END;
  lv record;
BEGIN
  INSERT INTO inventory.inventory_levels AS l (sku, warehouse_id) VALUES (p_sku, 1)
  ON CONFLICT DO NOTHING;
  UPDATE inventory.inventory_levels l
     SET on_hand = l.on_hand + d_on_hand, reserved = l.reserved + d_reserved,
         available_to_sell = l.on_hand + d_on_hand - l.reserved - d_reserved,
         version = l.version + 1
   WHERE l.sku = p_sku AND l.warehouse_id = 1
  RETURNING l.on_hand, l.reserved, l.available_to_sell, l.version INTO lv;
  ALTER TABLE inventory.inventory_ledger DISABLE TRIGGER inventory_ledger_apply;
  INSERT INTO inventory.inventory_ledger
    (sku, warehouse_id, event_type, quantity, on_hand_change, reserved_change, on_hand_after,
     reserved_after, available_after, level_version, reference_id, idempotency_key)
  VALUES (p_sku, 1, p_type, p_quantity, d_on_hand, d_reserved, lv.on_hand, lv.reserved,
          lv.available_to_sell, lv.version, p_reference, p_key);
  ALTER TABLE inventory.inventory_ledger ENABLE ALWAYS TRIGGER inventory_ledger_apply;
END;
$$;
SELECT inventory.inventory_create_warehouse('OLD', 'Old warehouse', 'US');
SELECT pg_temp.append_as_old('KEPT', 'RECEIVE', 9, NULL, 'kept-1');
-- Until the update, the library refuses to write events, with one clear error.
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('KEPT', 1, 'RECEIVE', 1)$$);
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity)
                          VALUES ('KEPT', 1, 'RECEIVE', 1)$$);
ALTER EXTENSION inventory UPDATE TO '0.2.0';
SELECT extversion FROM pg_extension WHERE extname = 'inventory';
-- ... and under 0.2.0: order lines reserved and shipped in part through references, and one
-- (OLD-SHIP) shipped without naming its reference ...
SELECT pg_temp.append_as_old(e.sku, e.event_type, e.quantity, e.reference_id)
  FROM (VALUES (1, 'KEPT', 'ALLOCATE', 4, 'OLD-ORDER/1'), (2, 'KEPT', 'FULFILL', 1, 'OLD-ORDER/1'),
               (3, 'KEPT', 'ALLOCATE', 2, 'OLD-ORDER/2'), (4, 'KEPT', 'DEALLOCATE', 2, 'OLD-ORDER/2'),
               (5, 'OLD-SHIP', 'RECEIVE', 5, NULL), (6, 'OLD-SHIP', 'ALLOCATE', 5, 'OLD-SHIP/1'),
               (7, 'OLD-SHIP', 'FULFILL', 5, 'SHIPMENT-77'))
       AS e(n, sku, event_type, quantity, reference_id)
 ORDER BY e.n;
ALTER EXTENSION inventory UPDATE TO '0.3.0';
SELECT extversion FROM pg_extension WHERE extname = 'inventory';
-- ... and under 0.3.0: rows that 0.3.0 accepted and 0.3.1 refuses (a metadata unit_cost that
-- is no number, look-alike SKUs), appended as 0.3.0's library wrote them
-- (regress.append_as_030, see 01_setup).
SELECT regress.append_as_030('OLD-COST', 5, NULL, NULL);
SELECT regress.append_as_030('OLD-COST', -1, 'DAMAGED', '{"unit_cost": "12,50 EUR"}');
SELECT regress.append_as_030(U&'KEPT\00A0', 2, NULL, NULL);   -- a trailing no-break space
SELECT regress.append_as_030(U&'KE\200BPT', 3, NULL, NULL);   -- a zero-width space inside
SELECT count(*) AS drifted FROM inventory.inventory_reconciliation;
ALTER EXTENSION inventory UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'inventory';
-- The update kept them, and the companion of inventory_verify() lists them for a person.
SELECT kind, encode(convert_to(sku, 'UTF8'), 'escape') AS sku, warehouse_id,
       event_id IS NOT NULL AS names_event,
       CASE WHEN kind = 'sku' THEN problem IS NOT NULL ELSE NULL END AS sku_has_problem,
       CASE WHEN kind = 'unit_cost' THEN problem END AS problem
  FROM inventory.inventory_verify_data() ORDER BY kind, 2;
SELECT reason, units, value FROM inventory.inventory_losses WHERE sku = 'OLD-COST';
-- ... survives the updates, keys still replay, and the new objects work on it: the references
-- became reservations, the warehouse serves its own country.
SELECT replayed, on_hand FROM inventory.inventory_apply_event('KEPT', 1, 'RECEIVE', 9, idempotency_key => 'kept-1');
SELECT on_hand, reserved FROM inventory.inventory_levels_at('KEPT', clock_timestamp());
-- (OLD-SHIP/1 would hold 5 units its level no longer has reserved: not turned into a reservation.)
SELECT reference_id, quantity, fulfilled, released, held, status
  FROM inventory.inventory_reservations ORDER BY 1;
SELECT on_hand, reserved FROM inventory.inventory_apply_event('KEPT', 1, 'FULFILL', 3, 'OLD-ORDER/1');
SELECT inventory.inventory_ats('KEPT', 'US') AS us_ats;
SELECT count(*) AS drifted FROM inventory.inventory_reconciliation;
SELECT count(*) AS reservations_drifted FROM inventory.inventory_verify_reservations();
SELECT pg_temp.describe('updated');

DROP EXTENSION inventory;
CREATE EXTENSION inventory;
SELECT extversion FROM pg_extension WHERE extname = 'inventory';
SELECT pg_temp.describe('fresh');
SELECT count(*) AS needs_attention FROM inventory.inventory_verify_data();

SELECT count(*) > 100 AS described_enough FROM schema_of WHERE install = 'fresh';
-- Differences between the two (none expected).
(SELECT kind, name, definition FROM schema_of WHERE install = 'updated'
 EXCEPT SELECT kind, name, definition FROM schema_of WHERE install = 'fresh')
UNION ALL
(SELECT kind, name, definition FROM schema_of WHERE install = 'fresh'
 EXCEPT SELECT kind, name, definition FROM schema_of WHERE install = 'updated');
