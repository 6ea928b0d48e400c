-- Issue 12, item 6: the functions that run once per row (the ledger triggers, the policy and
-- warehouse triggers, the id and login defaults) have no SET search_path clause; the C code
-- behind them names every table, function, operator and type schema-qualified instead. Here a
-- hostile schema and pg_temp shadow what that code could name unqualified, on three
-- search_paths: hostile, public (pg_temp and pg_catalog implicitly before them); pg_temp first;
-- hostile before pg_catalog and pg_temp (its operators, functions and views win). On every path
-- the levels, ledger rows and reservations come out exactly right, and no hostile object is
-- used (each one raises; the temporary decoy tables refuse writes and keep their rows).
DROP EXTENSION IF EXISTS inventory;
CREATE EXTENSION inventory;
SELECT inventory.inventory_create_warehouse('NYC-1', 'New York', 'US'),
       inventory.inventory_create_warehouse('CA-1', 'California', 'US');

-- The per-row functions run with the caller's settings: no SET clause, SECURITY INVOKER.
SELECT p.oid::regprocedure AS per_row_function, p.prosecdef AS security_definer,
       p.proconfig AS settings
  FROM pg_proc p
 WHERE p.pronamespace = 'inventory'::regnamespace
   AND p.proname IN ('inventory_ledger_apply_trigger', 'inventory_ledger_immutable_trigger',
                     'inventory_sku_policy_trigger', 'inventory_warehouse_guard_trigger',
                     'inventory_uuidv7', 'inventory_login')
 ORDER BY 1;

-- The hostile objects. trap() raises, naming the object that was used.
CREATE SCHEMA hostile;
CREATE FUNCTION hostile.trap(what text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'hostile object used: %', what;
END;
$$;
-- Operators for text, integer, bigint, uuid and tid.
CREATE FUNCTION hostile.eq_text(text, text) RETURNS boolean LANGUAGE sql AS $$SELECT hostile.trap('= (text, text)')$$;
CREATE FUNCTION hostile.eq_int(integer, integer) RETURNS boolean LANGUAGE sql AS $$SELECT hostile.trap('= (integer, integer)')$$;
CREATE FUNCTION hostile.eq_bigint(bigint, bigint) RETURNS boolean LANGUAGE sql AS $$SELECT hostile.trap('= (bigint, bigint)')$$;
CREATE FUNCTION hostile.eq_uuid(uuid, uuid) RETURNS boolean LANGUAGE sql AS $$SELECT hostile.trap('= (uuid, uuid)')$$;
CREATE FUNCTION hostile.eq_tid(tid, tid) RETURNS boolean LANGUAGE sql AS $$SELECT hostile.trap('= (tid, tid)')$$;
CREATE FUNCTION hostile.minus_bigint(bigint, bigint) RETURNS bigint LANGUAGE sql AS $$SELECT CASE WHEN hostile.trap('- (bigint, bigint)') THEN 0::pg_catalog.int8 END$$;
CREATE FUNCTION hostile.plus_bigint(bigint, bigint) RETURNS bigint LANGUAGE sql AS $$SELECT CASE WHEN hostile.trap('+ (bigint, bigint)') THEN 0::pg_catalog.int8 END$$;
CREATE FUNCTION hostile.concat_text(text, text) RETURNS text LANGUAGE sql AS $$SELECT CASE WHEN hostile.trap('|| (text, text)') THEN ''::pg_catalog.text END$$;
CREATE OPERATOR hostile.= (LEFTARG = text, RIGHTARG = text, FUNCTION = hostile.eq_text);
CREATE OPERATOR hostile.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = hostile.eq_int);
CREATE OPERATOR hostile.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = hostile.eq_bigint);
CREATE OPERATOR hostile.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = hostile.eq_uuid);
CREATE OPERATOR hostile.= (LEFTARG = tid, RIGHTARG = tid, FUNCTION = hostile.eq_tid);
CREATE OPERATOR hostile.- (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = hostile.minus_bigint);
CREATE OPERATOR hostile.+ (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = hostile.plus_bigint);
CREATE OPERATOR hostile.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = hostile.concat_text);
-- Functions named like the pg_catalog ones the code calls.
CREATE FUNCTION hostile.now() RETURNS timestamptz LANGUAGE sql AS $$SELECT CASE WHEN hostile.trap('now()') THEN '2000-01-01'::pg_catalog.timestamptz END$$;
CREATE FUNCTION hostile.clock_timestamp() RETURNS timestamptz LANGUAGE sql AS $$SELECT CASE WHEN hostile.trap('clock_timestamp()') THEN '2000-01-01'::pg_catalog.timestamptz END$$;
CREATE FUNCTION hostile.pg_current_xact_id() RETURNS xid8 LANGUAGE sql AS $$SELECT CASE WHEN hostile.trap('pg_current_xact_id()') THEN '1'::pg_catalog.xid8 END$$;
CREATE FUNCTION hostile.md5(text) RETURNS text LANGUAGE sql AS $$SELECT CASE WHEN hostile.trap('md5(text)') THEN ''::pg_catalog.text END$$;
CREATE FUNCTION hostile.upper(text) RETURNS text LANGUAGE sql AS $$SELECT CASE WHEN hostile.trap('upper(text)') THEN ''::pg_catalog.text END$$;
CREATE FUNCTION hostile.char_length(text) RETURNS integer LANGUAGE sql AS $$SELECT CASE WHEN hostile.trap('char_length(text)') THEN 0 END$$;
CREATE FUNCTION hostile.jsonb_typeof(jsonb) RETURNS text LANGUAGE sql AS $$SELECT CASE WHEN hostile.trap('jsonb_typeof(jsonb)') THEN ''::pg_catalog.text END$$;
CREATE FUNCTION hostile.unnest(anyarray) RETURNS SETOF anyelement
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM hostile.trap('unnest(anyarray)');
END;
$$;
CREATE FUNCTION hostile.nullif_step(bigint, bigint) RETURNS bigint LANGUAGE sql AS $$SELECT CASE WHEN hostile.trap('sum(bigint)') THEN 0::pg_catalog.int8 END$$;
CREATE AGGREGATE hostile.sum(bigint) (SFUNC = hostile.nullif_step, STYPE = bigint);
CREATE FUNCTION hostile.agg_text_step(text, text, text) RETURNS text LANGUAGE sql AS $$SELECT CASE WHEN hostile.trap('string_agg(text, text)') THEN ''::pg_catalog.text END$$;
CREATE AGGREGATE hostile.string_agg(text, text) (SFUNC = hostile.agg_text_step, STYPE = text);
-- Views named like the extension's tables: reading one raises, whatever it holds.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['inventory_levels', 'inventory_level_stripes', 'inventory_ledger',
                           'inventory_reservations', 'inventory_sku_policies',
                           'inventory_warehouses'] LOOP
    EXECUTE pg_catalog.format(
      'CREATE FUNCTION hostile.%1$s_rows() RETURNS SETOF inventory.%1$s '
      'LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp '
      'AS $f$BEGIN PERFORM hostile.trap(%2$L); END$f$', t, 'hostile.' || t);
    EXECUTE pg_catalog.format('CREATE VIEW hostile.%1$s AS SELECT * FROM hostile.%1$s_rows()', t);
  END LOOP;
END;
$$;
-- Temporary tables named like the extension's tables (pg_temp comes first for relations unless
-- it is placed explicitly), each with a decoy row that no result may show, and writes refused.
CREATE FUNCTION hostile.refuse_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'hostile object used: % on pg_temp.%', TG_OP, TG_TABLE_NAME;
END;
$$;
CREATE TEMP TABLE inventory_levels (LIKE inventory.inventory_levels);
CREATE TEMP TABLE inventory_level_stripes (LIKE inventory.inventory_level_stripes);
CREATE TEMP TABLE inventory_ledger (LIKE inventory.inventory_ledger);
CREATE TEMP TABLE inventory_reservations (LIKE inventory.inventory_reservations);
CREATE TEMP TABLE inventory_warehouses (LIKE inventory.inventory_warehouses);
INSERT INTO pg_temp.inventory_levels
  (sku, warehouse_id, on_hand, reserved, available_to_sell, safety_stock, allow_backorder, version, updated_at)
VALUES ('SP1', 1, 999, 0, 999, 0, false, 99, pg_catalog.now()),
       ('SP2', 1, 999, 0, 999, 0, false, 99, pg_catalog.now()),
       ('SP3', 1, 999, 0, 999, 0, false, 99, pg_catalog.now());
INSERT INTO pg_temp.inventory_level_stripes
  (sku, warehouse_id, stripe, stripe_count, on_hand, reserved, available_to_sell, safety_stock, allow_backorder, version, updated_at)
VALUES ('SP1', 1, 0, 1, 999, 0, 999, 0, false, 99, pg_catalog.now()),
       ('SP2', 1, 0, 1, 999, 0, 999, 0, false, 99, pg_catalog.now()),
       ('SP3', 1, 0, 1, 999, 0, 999, 0, false, 99, pg_catalog.now());
INSERT INTO pg_temp.inventory_warehouses (id, code, name, country, created_at)
VALUES (1, 'DECOY', 'Decoy', 'XX', pg_catalog.now());
CREATE TRIGGER refuse BEFORE INSERT OR UPDATE OR DELETE ON pg_temp.inventory_levels
  FOR EACH STATEMENT EXECUTE FUNCTION hostile.refuse_write();
CREATE TRIGGER refuse BEFORE INSERT OR UPDATE OR DELETE ON pg_temp.inventory_level_stripes
  FOR EACH STATEMENT EXECUTE FUNCTION hostile.refuse_write();
CREATE TRIGGER refuse BEFORE INSERT OR UPDATE OR DELETE ON pg_temp.inventory_ledger
  FOR EACH STATEMENT EXECUTE FUNCTION hostile.refuse_write();
CREATE TRIGGER refuse BEFORE INSERT OR UPDATE OR DELETE ON pg_temp.inventory_reservations
  FOR EACH STATEMENT EXECUTE FUNCTION hostile.refuse_write();
CREATE TRIGGER refuse BEFORE INSERT OR UPDATE OR DELETE ON pg_temp.inventory_warehouses
  FOR EACH STATEMENT EXECUTE FUNCTION hostile.refuse_write();
-- Temporary tables named like the types the code casts to: an unqualified cast would name the
-- table's row type.
CREATE TEMP TABLE text (decoy integer);
CREATE TEMP TABLE int4 (decoy integer);
CREATE TEMP TABLE int8 (decoy integer);
CREATE TEMP TABLE bool (decoy integer);
CREATE TEMP TABLE uuid (decoy integer);
CREATE TEMP TABLE timestamptz (decoy integer);

-- The traps work: on each path, what an unqualified name resolves to.
SET search_path = hostile, public;
SELECT count(*) AS decoy_levels FROM inventory_levels;
SELECT '1'::text AS unqualified_cast;
SET search_path = pg_temp, hostile, public;
SELECT count(*) AS decoy_levels FROM inventory_levels;
SET search_path = hostile, pg_catalog, pg_temp, public;
SELECT 'a' = 'b' AS hostile_text_eq;
SELECT 1 = 1 AS hostile_integer_eq;
SELECT 1::bigint - 1::bigint AS hostile_minus;
SELECT now() AS hostile_now;
SELECT * FROM unnest(ARRAY[1]) AS hostile_unnest;
SELECT count(*) FROM inventory_ledger AS hostile_ledger_view;
SELECT ''::text || '' AS hostile_concat;
RESET search_path;

-- Each path: the event API, a batch, rows inserted directly into the ledger (the trigger path,
-- with the id default), a policy row (the policy trigger) and a warehouse renumbered and
-- deleted (the guard trigger).
SET search_path = hostile, public;
SELECT on_hand, reserved FROM inventory.inventory_apply_event('SP1', 1, 'RECEIVE', 10, idempotency_key => 'sp1-receive');
SELECT replayed, on_hand FROM inventory.inventory_apply_event('SP1', 1, 'RECEIVE', 10, idempotency_key => 'sp1-receive');
SELECT on_hand, reserved FROM inventory.inventory_apply_event('SP1', 1, 'ALLOCATE', 3, 'SP1-ORDER');
SELECT ordinal, on_hand, reserved FROM inventory.inventory_apply_events(pg_catalog.jsonb_build_array(
  pg_catalog.jsonb_build_object('sku', 'SP1', 'warehouse_id', 1, 'event_type', 'FULFILL', 'quantity', 1, 'reference_id', 'SP1-ORDER'),
  pg_catalog.jsonb_build_object('sku', 'SP1', 'warehouse_id', 2, 'event_type', 'RECEIVE', 'quantity', 2, 'idempotency_key', 'sp1-batch')));
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity)
VALUES ('SP1', 1, 'RECEIVE', 5)
RETURNING on_hand_change, reserved_change, on_hand_after, reserved_after, available_after, level_version;
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity, reference_id)
VALUES ('SP1', 1, 'ALLOCATE', 2, 'SP1-DIRECT'), ('SP1', 1, 'FULFILL', 1, 'SP1-DIRECT')
RETURNING event_type, on_hand_after, reserved_after, level_version;
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity)
VALUES ('SP1', 1, 'ALLOCATE', 1), ('SP1', 1, 'DEALLOCATE', 1)
RETURNING event_type, on_hand_after, reserved_after, level_version;
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity)
VALUES ('SP1-NEW', 2, 'RECEIVE', 4)
RETURNING on_hand_after, level_version;
INSERT INTO inventory.inventory_sku_policies (sku, safety_stock) VALUES ('SP1', 2);
DELETE FROM inventory.inventory_sku_policies WHERE sku OPERATOR(pg_catalog.=) 'SP1-NEW';
INSERT INTO inventory.inventory_sku_policies (sku, safety_stock) VALUES ('SP1-NEW', 1);
DELETE FROM inventory.inventory_sku_policies WHERE sku OPERATOR(pg_catalog.=) 'SP1-NEW';
SELECT inventory.inventory_create_warehouse('SPARE-1', 'Spare', 'CA') AS spare_1 \gset
SELECT inventory.inventory_serve_country(:spare_1, 'CA');
UPDATE inventory.inventory_warehouses SET id = 101 WHERE code OPERATOR(pg_catalog.=) 'SPARE-1';
DELETE FROM inventory.inventory_warehouses WHERE id OPERATOR(pg_catalog.=) 1;
SELECT warehouse_id FROM inventory.inventory_warehouse_countries WHERE country OPERATOR(pg_catalog.=) 'CA';
DELETE FROM inventory.inventory_warehouses WHERE id OPERATOR(pg_catalog.=) 101;
SELECT inventory.inventory_uuidv7() IS NOT NULL AS id_default;
SELECT inventory.inventory_login() OPERATOR(pg_catalog.=) pg_catalog.session_user() AS login;
RESET search_path;

SET search_path = pg_temp, hostile, public;
SELECT on_hand, reserved FROM inventory.inventory_apply_event('SP2', 1, 'RECEIVE', 10, idempotency_key => 'sp2-receive');
SELECT replayed, on_hand FROM inventory.inventory_apply_event('SP2', 1, 'RECEIVE', 10, idempotency_key => 'sp2-receive');
SELECT on_hand, reserved FROM inventory.inventory_apply_event('SP2', 1, 'ALLOCATE', 3, 'SP2-ORDER');
SELECT ordinal, on_hand, reserved FROM inventory.inventory_apply_events(pg_catalog.jsonb_build_array(
  pg_catalog.jsonb_build_object('sku', 'SP2', 'warehouse_id', 1, 'event_type', 'FULFILL', 'quantity', 1, 'reference_id', 'SP2-ORDER'),
  pg_catalog.jsonb_build_object('sku', 'SP2', 'warehouse_id', 2, 'event_type', 'RECEIVE', 'quantity', 2, 'idempotency_key', 'sp2-batch')));
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity)
VALUES ('SP2', 1, 'RECEIVE', 5)
RETURNING on_hand_change, reserved_change, on_hand_after, reserved_after, available_after, level_version;
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity, reference_id)
VALUES ('SP2', 1, 'ALLOCATE', 2, 'SP2-DIRECT'), ('SP2', 1, 'FULFILL', 1, 'SP2-DIRECT')
RETURNING event_type, on_hand_after, reserved_after, level_version;
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity)
VALUES ('SP2', 1, 'ALLOCATE', 1), ('SP2', 1, 'DEALLOCATE', 1)
RETURNING event_type, on_hand_after, reserved_after, level_version;
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity)
VALUES ('SP2-NEW', 2, 'RECEIVE', 4)
RETURNING on_hand_after, level_version;
INSERT INTO inventory.inventory_sku_policies (sku, safety_stock) VALUES ('SP2', 2);
INSERT INTO inventory.inventory_sku_policies (sku, safety_stock) VALUES ('SP2-NEW', 1);
DELETE FROM inventory.inventory_sku_policies WHERE sku OPERATOR(pg_catalog.=) 'SP2-NEW';
SELECT inventory.inventory_create_warehouse('SPARE-2', 'Spare', 'CA') AS spare_2 \gset
SELECT inventory.inventory_serve_country(:spare_2, 'CA');
UPDATE inventory.inventory_warehouses SET id = 102 WHERE code OPERATOR(pg_catalog.=) 'SPARE-2';
DELETE FROM inventory.inventory_warehouses WHERE id OPERATOR(pg_catalog.=) 1;
SELECT warehouse_id FROM inventory.inventory_warehouse_countries WHERE country OPERATOR(pg_catalog.=) 'CA';
DELETE FROM inventory.inventory_warehouses WHERE id OPERATOR(pg_catalog.=) 102;
SELECT inventory.inventory_uuidv7() IS NOT NULL AS id_default;
SELECT inventory.inventory_login() OPERATOR(pg_catalog.=) pg_catalog.session_user() AS login;
RESET search_path;

SET search_path = hostile, pg_catalog, pg_temp, public;
SELECT on_hand, reserved FROM inventory.inventory_apply_event('SP3', 1, 'RECEIVE', 10, idempotency_key => 'sp3-receive');
SELECT replayed, on_hand FROM inventory.inventory_apply_event('SP3', 1, 'RECEIVE', 10, idempotency_key => 'sp3-receive');
SELECT on_hand, reserved FROM inventory.inventory_apply_event('SP3', 1, 'ALLOCATE', 3, 'SP3-ORDER');
SELECT ordinal, on_hand, reserved FROM inventory.inventory_apply_events(pg_catalog.jsonb_build_array(
  pg_catalog.jsonb_build_object('sku', 'SP3', 'warehouse_id', 1, 'event_type', 'FULFILL', 'quantity', 1, 'reference_id', 'SP3-ORDER'),
  pg_catalog.jsonb_build_object('sku', 'SP3', 'warehouse_id', 2, 'event_type', 'RECEIVE', 'quantity', 2, 'idempotency_key', 'sp3-batch')));
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity)
VALUES ('SP3', 1, 'RECEIVE', 5)
RETURNING on_hand_change, reserved_change, on_hand_after, reserved_after, available_after, level_version;
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity, reference_id)
VALUES ('SP3', 1, 'ALLOCATE', 2, 'SP3-DIRECT'), ('SP3', 1, 'FULFILL', 1, 'SP3-DIRECT')
RETURNING event_type, on_hand_after, reserved_after, level_version;
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity)
VALUES ('SP3', 1, 'ALLOCATE', 1), ('SP3', 1, 'DEALLOCATE', 1)
RETURNING event_type, on_hand_after, reserved_after, level_version;
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity)
VALUES ('SP3-NEW', 2, 'RECEIVE', 4)
RETURNING on_hand_after, level_version;
INSERT INTO inventory.inventory_sku_policies (sku, safety_stock) VALUES ('SP3', 2);
INSERT INTO inventory.inventory_sku_policies (sku, safety_stock) VALUES ('SP3-NEW', 1);
DELETE FROM inventory.inventory_sku_policies WHERE sku OPERATOR(pg_catalog.=) 'SP3-NEW';
SELECT inventory.inventory_create_warehouse('SPARE-3', 'Spare', 'CA') AS spare_3 \gset
SELECT inventory.inventory_serve_country(:spare_3, 'CA');
UPDATE inventory.inventory_warehouses SET id = 103 WHERE code OPERATOR(pg_catalog.=) 'SPARE-3';
DELETE FROM inventory.inventory_warehouses WHERE id OPERATOR(pg_catalog.=) 1;
SELECT warehouse_id FROM inventory.inventory_warehouse_countries WHERE country OPERATOR(pg_catalog.=) 'CA';
DELETE FROM inventory.inventory_warehouses WHERE id OPERATOR(pg_catalog.=) 103;
SELECT inventory.inventory_uuidv7() IS NOT NULL AS id_default;
SELECT inventory.inventory_login() OPERATOR(pg_catalog.=) pg_catalog.session_user() AS login;
RESET search_path;

-- The same figures on every path: three paths wrote the same events, to SKUs SPn.
SELECT sku, warehouse_id, on_hand, reserved, available_to_sell, safety_stock, version
  FROM inventory.inventory_levels ORDER BY sku, warehouse_id;
SELECT sku, warehouse_id, level_version, event_type, quantity, on_hand_change, reserved_change,
       on_hand_after, reserved_after, available_after, reference_id
  FROM inventory.inventory_ledger ORDER BY sku, warehouse_id, level_version;
SELECT sku, reference_id, quantity, fulfilled, released, held, status
  FROM inventory.inventory_reservations ORDER BY sku, reference_id;
-- Every row's defaults came from pg_catalog and inventory: UUIDv7 ids in the order of their
-- rows, real clock times, this cluster's transaction ids, the session's login and role.
SELECT count(*) AS ledger_rows,
       bool_and(substr(id::pg_catalog.text, 15, 1) = '7') AS uuidv7,
       bool_and(created_at > '2020-01-01') AS real_clock,
       bool_and(transaction_id IS NOT NULL AND transaction_id::pg_catalog.text::pg_catalog.int8 > 1) AS real_xids,
       bool_and(login = session_user AND actor = current_user) AS login_and_actor
  FROM inventory.inventory_ledger;
SELECT count(*) AS ids_out_of_version_order
  FROM (SELECT row_number() OVER (PARTITION BY sku, warehouse_id ORDER BY id) AS by_id,
               row_number() OVER (PARTITION BY sku, warehouse_id ORDER BY level_version) AS by_version
          FROM inventory.inventory_ledger) s
 WHERE by_id <> by_version;
SELECT count(*) AS differences FROM inventory.inventory_verify();
SELECT regress.consistent();
-- No hostile table was written: the decoys are as they were.
SELECT (SELECT count(*) FROM pg_temp.inventory_levels) AS temp_levels,
       (SELECT count(*) FROM pg_temp.inventory_level_stripes) AS temp_level_stripes,
       (SELECT count(*) FROM pg_temp.inventory_ledger) AS temp_ledger,
       (SELECT count(*) FROM pg_temp.inventory_reservations) AS temp_reservations,
       (SELECT count(*) FROM pg_temp.inventory_warehouses) AS temp_warehouses;

DROP SCHEMA hostile CASCADE;
DROP TABLE pg_temp.inventory_levels, pg_temp.inventory_level_stripes, pg_temp.inventory_ledger,
  pg_temp.inventory_reservations, pg_temp.inventory_warehouses, pg_temp.text, pg_temp.int4,
  pg_temp.int8, pg_temp.bool, pg_temp.uuid, pg_temp.timestamptz;
-- Start the following tests from a clean extension.
DROP EXTENSION inventory;
CREATE EXTENSION inventory;
