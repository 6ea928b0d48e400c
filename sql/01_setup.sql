-- Install, reinstall, and the helpers the other tests use.
CREATE EXTENSION inventory;
DROP EXTENSION inventory;
CREATE EXTENSION inventory;

SELECT extname, extversion, nspname AS schema, extrelocatable
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE extname = 'inventory';

-- Every object of the extension carries the inventory_ prefix and a comment.
SELECT pg_describe_object(classid, objid, 0) AS undocumented
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'inventory')
   AND d.deptype = 'e'
   AND obj_description(objid, (SELECT relname FROM pg_class WHERE oid = classid)) IS NULL
 ORDER BY 1;
-- ... and so does every column of its tables.
SELECT c.relname || '.' || a.attname AS undocumented_column
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace = 'inventory'::regnamespace AND c.relkind = 'r'
   AND col_description(c.oid, a.attnum) IS NULL
 ORDER BY 1;
SELECT pg_describe_object(classid, objid, 0) AS unprefixed
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'inventory')
   AND d.deptype = 'e'
   AND pg_describe_object(classid, objid, 0) !~ 'inventory\.inventory_'
 ORDER BY 1;

-- Every function pins its search_path, except the functions that run once per row (the ledger,
-- policy and warehouse triggers that run as the caller, the id and login column defaults): a SET
-- clause costs a save and restore of the setting per row (issue 12), so these have none, are
-- SECURITY INVOKER and qualify every name and operator instead (25_search_path proves it).
SELECT p.oid::regprocedure AS unpinned
  FROM pg_proc p
 WHERE p.pronamespace = 'inventory'::regnamespace AND p.prokind <> 'p'
   AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)
   AND p.oid NOT IN ('inventory.inventory_ledger_apply_trigger()'::regprocedure,
                     'inventory.inventory_ledger_immutable_trigger()'::regprocedure,
                     'inventory.inventory_sku_policy_trigger()'::regprocedure,
                     'inventory.inventory_warehouse_guard_trigger()'::regprocedure,
                     'inventory.inventory_uuidv7()'::regprocedure,
                     'inventory.inventory_login()'::regprocedure)
 ORDER BY 1;
SELECT p.oid::regprocedure AS per_row_function, p.prosecdef AS security_definer,
       p.proconfig AS settings
  FROM pg_proc p
 WHERE p.pronamespace = 'inventory'::regnamespace AND p.prokind <> 'p' AND p.proconfig IS NULL
 ORDER BY 1;
-- A procedure that COMMITs can have no SET clause: it is SECURITY INVOKER, and qualifies every
-- name and operator instead (it runs with the caller's search_path).
SELECT p.oid::regprocedure AS procedure, p.prosecdef AS security_definer,
       p.proconfig AS settings
  FROM pg_proc p
 WHERE p.pronamespace = 'inventory'::regnamespace AND p.prokind = 'p'
 ORDER BY 1;

-- Test helpers (not part of the extension).
CREATE SCHEMA regress;

-- Runs a statement and returns its SQLSTATE, message and detail, or 'no error'. The exception
-- block rolls the statement back, so a test can then show that nothing changed.
CREATE FUNCTION regress.error_of(statement text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  state text;
  message text;
  detail text;
BEGIN
  EXECUTE statement;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                          detail = PG_EXCEPTION_DETAIL;
  -- A CHECK violation's detail shows the whole row, timestamps included: leave it out.
  IF detail LIKE 'Failing row contains%' THEN
    detail := NULL;
  END IF;
  RETURN state || ': ' || message || coalesce(' / ' || nullif(detail, ''), '');
END;
$$;

ALTER FUNCTION regress.error_of(text) SET search_path = pg_catalog, pg_temp;

-- Independent of inventory_verify(): every stripe row of a level equals the sum of the ledger
-- rows of its stripe and its last row's after-values, and no ledger row lacks its stripe row.
-- Returns the offending levels (once each per problem).
-- (available_to_sell is not compared with available_after: a policy change moves the first.)
-- A stripe no event touched yet (version 0, empty, no ledger rows; an order creates levels, a
-- policy their stripes) is consistent.
CREATE FUNCTION regress.inconsistencies() RETURNS TABLE (sku text, warehouse_id integer, problem text)
LANGUAGE sql AS $$
  SELECT DISTINCT l.sku, l.warehouse_id, 'level differs from ledger sum'
    FROM inventory.inventory_level_stripes l
    LEFT JOIN (SELECT g.sku, g.warehouse_id, g.stripe, sum(g.on_hand_change) AS on_hand,
                      sum(g.reserved_change) AS reserved, count(*) AS events
                 FROM inventory.inventory_ledger g GROUP BY 1, 2, 3) s
      ON s.sku = l.sku AND s.warehouse_id = l.warehouse_id AND s.stripe = l.stripe
   WHERE (l.on_hand, l.reserved, l.version) IS DISTINCT FROM (s.on_hand, s.reserved, s.events)
     AND NOT (s.sku IS NULL AND l.version = 0 AND l.on_hand = 0 AND l.reserved = 0)
  UNION ALL
  SELECT DISTINCT l.sku, l.warehouse_id, 'level differs from last after-values'
    FROM inventory.inventory_level_stripes l
    JOIN LATERAL (SELECT g.on_hand_after, g.reserved_after
                    FROM inventory.inventory_ledger g
                   WHERE g.sku = l.sku AND g.warehouse_id = l.warehouse_id AND g.stripe = l.stripe
                   ORDER BY g.level_version DESC LIMIT 1) last ON true
   WHERE (l.on_hand, l.reserved) IS DISTINCT FROM (last.on_hand_after, last.reserved_after)
  UNION ALL
  SELECT g.sku, g.warehouse_id, 'ledger rows without a level'
    FROM inventory.inventory_ledger g
   WHERE NOT EXISTS (SELECT FROM inventory.inventory_level_stripes l
                      WHERE l.sku = g.sku AND l.warehouse_id = g.warehouse_id
                        AND l.stripe = g.stripe)
  UNION ALL
  SELECT DISTINCT l.sku, l.warehouse_id, 'negative level'
    FROM inventory.inventory_level_stripes l
   WHERE l.on_hand < 0 OR l.reserved < 0 OR (l.available_to_sell < 0 AND NOT l.allow_backorder)
  UNION ALL
  SELECT r.sku, r.warehouse_id, 'reservation ' || r.reference_id || ' differs from its events'
    FROM inventory.inventory_reservations r
   CROSS JOIN LATERAL (
         SELECT sum(g.quantity) FILTER (WHERE g.event_type = 'ALLOCATE') AS allocated,
                coalesce(sum(g.quantity) FILTER (WHERE g.event_type = 'FULFILL'), 0) AS fulfilled,
                coalesce(sum(g.quantity) FILTER (WHERE g.event_type = 'DEALLOCATE'), 0) AS released
           FROM inventory.inventory_ledger g
          WHERE g.reference_id = r.reference_id AND g.sku = r.sku
            AND g.warehouse_id = r.warehouse_id) s
   WHERE (r.quantity, r.fulfilled, r.released) IS DISTINCT FROM (s.allocated, s.fulfilled, s.released)
  UNION ALL
  SELECT l.sku, l.warehouse_id, 'reservations hold more than is reserved'
    FROM inventory.inventory_levels l
   WHERE l.reserved < (SELECT coalesce(sum(r.held), 0) FROM inventory.inventory_reservations r
                        WHERE r.sku = l.sku AND r.warehouse_id = l.warehouse_id)
$$;

-- True when the levels are exactly the ledger, by both the test's check and inventory_verify().
CREATE FUNCTION regress.consistent() RETURNS boolean
LANGUAGE sql AS $$
  SELECT NOT EXISTS (SELECT FROM regress.inconsistencies())
     AND NOT EXISTS (SELECT FROM inventory.inventory_verify())
     AND NOT EXISTS (SELECT FROM inventory.inventory_verify_reservations())
$$;

CREATE FUNCTION regress.level(sku text, warehouse_id integer)
RETURNS TABLE (on_hand bigint, reserved bigint, available_to_sell bigint, version bigint)
LANGUAGE sql AS $$
  SELECT l.on_hand, l.reserved, l.available_to_sell, l.version FROM inventory.inventory_levels l
   WHERE l.sku = $1 AND l.warehouse_id = $2
$$;

-- Appends a ledger row as the 0.3.0 library wrote it, for data that 0.3.0 accepted and 0.3.1
-- refuses (a look-alike SKU, a metadata unit_cost that is no number): today's trigger refuses
-- such rows, so it is bypassed to recreate that history, and the level (warehouse 1) is kept
-- equal to the ledger. RECEIVE for a positive change, ADJUST for a negative one. The level is
-- the row of inventory_levels before 0.5.0 (15_upgrade runs it under 0.3.0), its stripe 0 in
-- inventory_level_stripes since.
CREATE FUNCTION regress.append_as_030(sku text, change bigint, reason text, metadata jsonb)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  lv record;
  found_rows integer;
  levels regclass := coalesce(to_regclass('inventory.inventory_level_stripes'),
                              'inventory.inventory_levels'::regclass);
BEGIN
  EXECUTE format('SELECT * FROM %s l WHERE l.sku = $1 AND l.warehouse_id = 1', levels)
    INTO lv USING $1;
  GET DIAGNOSTICS found_rows = ROW_COUNT;
  IF found_rows = 0 THEN
    EXECUTE format('INSERT INTO %s (sku, warehouse_id, on_hand, reserved, available_to_sell)
                    VALUES ($1, 1, 0, 0, 0) RETURNING *', levels) INTO lv USING $1;
  END IF;
  ALTER TABLE inventory.inventory_ledger DISABLE TRIGGER inventory_ledger_apply;
  INSERT INTO inventory.inventory_ledger
    (sku, warehouse_id, event_type, quantity, on_hand_change, reserved_change, on_hand_after,
     reserved_after, available_after, level_version, reason, metadata, actor)
  VALUES ($1, 1, CASE WHEN $2 > 0 THEN 'RECEIVE' ELSE 'ADJUST' END, $2, $2, 0, lv.on_hand + $2,
          lv.reserved, lv.on_hand + $2 - lv.reserved, lv.version + 1, $3, $4, current_user);
  ALTER TABLE inventory.inventory_ledger ENABLE ALWAYS TRIGGER inventory_ledger_apply;
  EXECUTE format('UPDATE %s l
                     SET on_hand = l.on_hand + $2, available_to_sell = l.available_to_sell + $2,
                         version = l.version + 1
                   WHERE l.sku = $1 AND l.warehouse_id = 1', levels) USING $1, $2;
END;
$$;

SELECT inventory.inventory_create_warehouse('NYC-1', 'New York', 'US') AS nyc,
       inventory.inventory_create_warehouse('CA-1', 'California', 'us') AS ca,
       inventory.inventory_create_warehouse('BER-1', 'Berlin', 'DE') AS berlin;
SELECT id, code, name, country FROM inventory.inventory_warehouses ORDER BY id;
SELECT regress.error_of($$SELECT inventory.inventory_create_warehouse('NYC-1', 'Again', 'US')$$);
SELECT regress.error_of($$SELECT inventory.inventory_create_warehouse('X', 'Bad', 'USA')$$);
SELECT regress.error_of($$SELECT inventory.inventory_create_warehouse(NULL, 'Bad', 'US')$$);
