-- Roles, privileges and hardening (0.2.0).
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'inventory\_%' ORDER BY 1;
SELECT r.rolname AS role, m.rolname AS member_of
  FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.member JOIN pg_roles m ON m.oid = a.roleid
 WHERE r.rolname LIKE 'inventory\_%' ORDER BY 1, 2;

-- Privileges of every function are exactly as documented in README.md (Roles).
SELECT p.oid::regprocedure AS function,
       has_function_privilege('inventory_reader', p.oid, 'EXECUTE') AS reader,
       has_function_privilege('inventory_app', p.oid, 'EXECUTE') AS app,
       has_function_privilege('inventory_warehouse', p.oid, 'EXECUTE') AS warehouse,
       has_function_privilege('inventory_admin', p.oid, 'EXECUTE') AS admin,
       EXISTS (SELECT FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                WHERE a.grantee = 0) AS public,
       p.prosecdef AS security_definer
  FROM pg_proc p WHERE p.pronamespace = 'inventory'::regnamespace ORDER BY p.oid::regprocedure::text COLLATE "C";
-- ... and of every table and view: everyone reads, nobody but the owner writes.
SELECT c.oid::regclass AS relation, r.role,
       has_table_privilege(r.role, c.oid, 'SELECT') AS sel,
       has_table_privilege(r.role, c.oid, 'INSERT') AS ins,
       has_table_privilege(r.role, c.oid, 'UPDATE') AS upd,
       has_table_privilege(r.role, c.oid, 'DELETE') AS del,
       has_table_privilege(r.role, c.oid, 'TRUNCATE') AS trunc
  FROM pg_class c
 CROSS JOIN (VALUES ('inventory_reader'), ('inventory_admin')) AS r(role)
 WHERE c.relnamespace = 'inventory'::regnamespace AND c.relkind IN ('r', 'v')
 ORDER BY c.oid::regclass::text COLLATE "C", r.role;
SELECT count(*) AS public_grants FROM pg_class c, aclexplode(c.relacl) a
 WHERE c.relnamespace = 'inventory'::regnamespace AND a.grantee = 0;

-- Login roles for the test, one per group.
CREATE ROLE regress_reader LOGIN IN ROLE inventory_reader;
CREATE ROLE regress_app LOGIN IN ROLE inventory_app;
CREATE ROLE regress_warehouse LOGIN IN ROLE inventory_warehouse;
CREATE ROLE regress_admin LOGIN IN ROLE inventory_admin;
CREATE ROLE regress_nobody LOGIN;
GRANT USAGE ON SCHEMA regress TO PUBLIC;

SELECT inventory.inventory_create_warehouse('HQ', 'Headquarters', 'US') AS hq,
       inventory.inventory_create_warehouse('DC', 'Distribution centre', 'US') AS dc;
CREATE TEMP TABLE before_roles AS SELECT count(*) AS events FROM inventory.inventory_ledger;

-- The warehouse role stocks; the application role sells; neither can do the other's job.
SET ROLE regress_warehouse;
SELECT on_hand, reserved FROM inventory.inventory_apply_event('ROLE-SKU', 1, 'RECEIVE', 10);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ROLE-SKU', 1, 'ALLOCATE', 1)$$);
RESET ROLE;
SET ROLE regress_app;
SELECT on_hand, reserved FROM inventory.inventory_apply_event('ROLE-SKU', 1, 'ALLOCATE', 3);
SELECT on_hand, reserved FROM inventory.inventory_apply_event('ROLE-SKU', 1, 'FULFILL', 1);
SELECT inventory.inventory_ats('ROLE-SKU'), inventory.inventory_availability('ROLE-SKU') -> 'available_to_sell';
-- Only warehouse systems may restock: a distinct error (IV012; 42501 for a function the shop is
-- not granted: inventory_adjust and inventory_transfer are the warehouse's), and nothing changes.
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ROLE-SKU', 1, 'RECEIVE', 5)$$);
SELECT regress.error_of($$SELECT inventory.inventory_adjust('ROLE-SKU', 5, 'FOUND', 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_transfer('ROLE-SKU', 1, 2, 1)$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events('[{"sku": "ROLE-SKU", "warehouse_id": 1, "event_type": "ALLOCATE", "quantity": 1}, {"sku": "ROLE-SKU", "warehouse_id": 1, "event_type": "COUNT", "quantity": 0}]')$$);
-- No direct writes, no admin functions.
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity) VALUES ('ROLE-SKU', 1, 'RECEIVE', 5)$$);
SELECT regress.error_of($$UPDATE inventory.inventory_level_stripes SET on_hand = 100$$);
SELECT regress.error_of($$SELECT inventory.inventory_set_sku_policy('ROLE-SKU', true)$$);
RESET ROLE;
SELECT (SELECT count(*) FROM inventory.inventory_ledger) - events AS new_events,
       (SELECT on_hand || '/' || reserved FROM inventory.inventory_levels WHERE sku = 'ROLE-SKU') AS level
  FROM before_roles;

-- Readers read, and nothing else.
SET ROLE regress_reader;
SELECT inventory.inventory_ats('ROLE-SKU');
SELECT event_type, quantity, actor FROM inventory.inventory_movements WHERE sku = 'ROLE-SKU' ORDER BY level_version;
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ROLE-SKU', 1, 'ALLOCATE', 1)$$);
RESET ROLE;
-- A role outside the groups gets nothing.
SET ROLE regress_nobody;
SELECT regress.error_of($$SELECT inventory.inventory_ats('ROLE-SKU')$$);
SELECT regress.error_of($$SELECT count(*) FROM inventory.inventory_ledger$$);
RESET ROLE;

-- The ledger cannot be changed by any non-superuser path, not even by the admin role.
SET ROLE regress_admin;
SELECT backorder_limit FROM inventory.inventory_set_sku_policy('ROLE-SKU', true, 0, 3);
SELECT on_hand FROM inventory.inventory_apply_event('ROLE-SKU', 1, 'RECEIVE', 1);
SELECT regress.error_of($$UPDATE inventory.inventory_ledger SET quantity = 0$$);
SELECT regress.error_of($$DELETE FROM inventory.inventory_ledger$$);
SELECT regress.error_of($$TRUNCATE inventory.inventory_ledger$$);
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity) VALUES ('X', 1, 'RECEIVE', 1)$$);
SELECT regress.error_of($$ALTER TABLE inventory.inventory_ledger DISABLE TRIGGER ALL$$);
SELECT regress.error_of($$SET session_replication_role = replica$$);
RESET ROLE;

-- Look-alike objects on a caller's search_path change nothing: every function pins
-- search_path = pg_catalog, pg_temp and the C code names its objects schema-qualified.
CREATE ROLE regress_evil LOGIN IN ROLE inventory_app, inventory_warehouse;
CREATE SCHEMA evil AUTHORIZATION regress_evil;
SET ROLE regress_evil;
CREATE FUNCTION evil.always(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.always);
CREATE FUNCTION evil.upper(text) RETURNS text LANGUAGE sql AS $$SELECT 'XX'$$;
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE sql AS $$SELECT '2000-01-01'::timestamptz$$;
CREATE FUNCTION evil.jsonb_typeof(jsonb) RETURNS text LANGUAGE sql AS $$SELECT 'object'$$;
CREATE FUNCTION evil.unnest(text[]) RETURNS SETOF text LANGUAGE sql AS $$SELECT 'HIJACKED'$$;
CREATE FUNCTION pg_temp.jsonb_typeof(jsonb) RETURNS text LANGUAGE sql AS $$SELECT 'object'$$;
SET search_path = evil, pg_catalog, public;
SELECT 'a' = 'b' AS evil_operator_active;
SELECT inventory.inventory_ats('NO-SUCH-SKU') AS ats_of_unknown_sku;
SELECT on_hand, reserved FROM inventory.inventory_apply_event('ROLE-SKU', 1, 'RECEIVE', 2, idempotency_key => 'evil-1');
SELECT replayed FROM inventory.inventory_apply_event('ROLE-SKU', 1, 'RECEIVE', 2, idempotency_key => 'evil-1');
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ROLE-SKU', 1, 'RECEIVE', 3, idempotency_key => 'evil-1')$$);
SELECT count(*) FROM inventory.inventory_apply_events('[{"sku": "ROLE-SKU", "warehouse_id": 1, "event_type": "ALLOCATE", "quantity": 1}, {"sku": "OTHER", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 1}]');
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events('{"not": "an array"}')$$);
RESET search_path;
DROP FUNCTION pg_temp.jsonb_typeof(jsonb);
RESET ROLE;
SELECT sku, on_hand, reserved FROM inventory.inventory_levels WHERE sku IN ('ROLE-SKU', 'OTHER') ORDER BY 1;
SELECT regress.consistent();

DROP SCHEMA evil CASCADE;
REVOKE USAGE ON SCHEMA regress FROM PUBLIC;
DROP ROLE regress_reader, regress_app, regress_warehouse, regress_admin, regress_nobody, regress_evil;
