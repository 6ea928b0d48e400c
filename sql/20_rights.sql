-- Rights follow PostgreSQL's rules and fail closed (0.3.1, issue 10 item 2): the rights checked
-- are those of the role whose code calls the extension; a missing group role grants nothing;
-- the ledger and orders record the role that acted and the authenticated login.
SELECT current_user AS superuser, current_database() AS regress_db \gset
CREATE ROLE regress_shop LOGIN IN ROLE inventory_app;        -- a shop application
CREATE ROLE regress_wms LOGIN IN ROLE inventory_warehouse;   -- a warehouse system
CREATE ROLE regress_till LOGIN IN ROLE regress_shop;         -- a login that acts as the shop
CREATE ROLE regress_packer LOGIN NOINHERIT IN ROLE regress_wms;  -- must SET ROLE to act
GRANT USAGE ON SCHEMA regress TO PUBLIC;
CREATE SCHEMA shop AUTHORIZATION regress_shop;
CREATE SCHEMA wms AUTHORIZATION regress_wms;
GRANT USAGE ON SCHEMA shop, wms TO PUBLIC;
SELECT inventory.inventory_create_warehouse('R20-A', 'Rights A', 'DE') AS wa,
       inventory.inventory_create_warehouse('R20-B', 'Rights B', 'DE') AS wb \gset
SELECT on_hand FROM inventory.inventory_apply_event('R20-SKU', :wa, 'RECEIVE', 50);

-- Code owned by the shop runs with the shop's rights, whoever calls it: a warehouse login that
-- calls a shop-owned SECURITY DEFINER function cannot RECEIVE through it.
SET ROLE regress_shop;
CREATE FUNCTION shop.restock(warehouse integer) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$SELECT on_hand FROM inventory.inventory_apply_event('R20-SKU', warehouse, 'RECEIVE', 5)$$;
RESET ROLE;
-- ... and code owned by the warehouse system may RECEIVE, even when a shop login calls it.
SET ROLE regress_wms;
CREATE FUNCTION wms.restock(warehouse integer) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$SELECT on_hand FROM inventory.inventory_apply_event('R20-SKU', warehouse, 'RECEIVE', 5)$$;
RESET ROLE;
\c - regress_wms
SELECT regress.error_of($$SELECT shop.restock(1)$$);
\c - regress_shop
SELECT wms.restock(:wa) AS on_hand;
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('R20-SKU', 1, 'RECEIVE', 5)$$);
\c - :superuser
-- The ledger names the code's owner as the role that acted, and the login that called it.
SELECT event_type, quantity, actor, login FROM inventory.inventory_ledger
 WHERE sku = 'R20-SKU' AND actor <> :'superuser' ORDER BY id;

-- Shipping: a warehouse system ships, and so may a shop without one.
\c - regress_shop
SELECT reserved FROM inventory.inventory_apply_event('R20-SKU', :wa, 'ALLOCATE', 4);
SELECT on_hand, reserved FROM inventory.inventory_apply_event('R20-SKU', :wa, 'FULFILL', 1);
\c - regress_wms
SELECT on_hand, reserved FROM inventory.inventory_apply_event('R20-SKU', :wa, 'FULFILL', 1);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('R20-SKU', 1, 'ALLOCATE', 1)$$);
\c - :superuser

-- SET ROLE cannot launder who did it: the ledger records the role that acted and the login.
-- (regress_packer does not inherit: without SET ROLE it may not even use the schema.)
\c - regress_packer
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('R20-SKU', 1, 'RECEIVE', 1)$$);
SET ROLE regress_wms;
SELECT on_hand FROM inventory.inventory_apply_event('R20-SKU', :wa, 'RECEIVE', 2, 'packer-1');
RESET ROLE;
\c - :superuser
-- A superuser's SET SESSION AUTHORIZATION does not change the login either.
SET SESSION AUTHORIZATION regress_wms;
SELECT on_hand FROM inventory.inventory_apply_event('R20-SKU', :wa, 'RECEIVE', 1, 'impersonated-1');
RESET SESSION AUTHORIZATION;
SELECT reference_id, actor, login = :'superuser' AS login_is_superuser,
       login = 'regress_wms' AS login_is_wms
  FROM inventory.inventory_ledger WHERE reference_id IN ('packer-1', 'impersonated-1') ORDER BY id;

-- Orders: the events written inside inventory_allocate_order (run as the owner) record the
-- caller as the actor and its login, and so does the order.
\c - regress_till
SET ROLE regress_shop;
SELECT line, quantity FROM inventory.inventory_allocate_order('R20-ORDER',
  '[{"line": "1", "sku": "R20-SKU", "quantity": 2}]', fixed_warehouse_id => :wa);
SELECT reference_id, released FROM inventory.inventory_release_order('R20-ORDER');
RESET ROLE;
\c - :superuser
SELECT event_type, reference_id, actor, login FROM inventory.inventory_ledger
 WHERE reference_id LIKE 'R20-ORDER/%' ORDER BY id;
SELECT order_ref, actor, login FROM inventory.inventory_orders WHERE order_ref = 'R20-ORDER';
-- A warehouse adjustment through inventory_adjust (its body calls the engine as the owner).
\c - regress_wms
SELECT on_hand FROM inventory.inventory_adjust('R20-SKU', -1, 'DAMAGED', :wa, 'adjust-1');
\c - :superuser
SELECT event_type, actor, login FROM inventory.inventory_ledger WHERE reference_id = 'adjust-1';

-- EXECUTE alone is not enough: the entry point checks the caller's group role too.
CREATE ROLE regress_granted LOGIN;
GRANT USAGE ON SCHEMA inventory TO regress_granted;
GRANT EXECUTE ON FUNCTION inventory.inventory_adjust(text, bigint, text, integer, text, text, jsonb)
  TO regress_granted;
\c - regress_granted
SELECT regress.error_of($$SELECT inventory.inventory_adjust('R20-SKU', 1, 'FOUND', 1)$$);
-- Its code is the C++ entry point itself (0.4.0): no PL/pgSQL body to call around the check.
SELECT to_regprocedure('inventory.inventory_adjust_body(text,bigint,text,integer,text,text,jsonb)') IS NULL AS no_body;
\c - :superuser
REVOKE ALL ON FUNCTION inventory.inventory_adjust(text, bigint, text, integer, text, text, jsonb)
  FROM regress_granted;
REVOKE USAGE ON SCHEMA inventory FROM regress_granted;

-- Fail closed: renaming the warehouse role does not let a shop RECEIVE or COUNT, and its
-- former members cannot either; the error names the missing role.
ALTER ROLE inventory_warehouse RENAME TO regress_renamed_warehouse;
\c - regress_shop
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('R20-SKU', 1, 'RECEIVE', 5)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('R20-SKU', 1, 'COUNT', 99)$$);
SELECT regress.error_of($$SELECT * FROM inventory.inventory_apply_events('[{"sku": "R20-SKU", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 5}]')$$);
SELECT on_hand, reserved FROM inventory.inventory_apply_event('R20-SKU', :wa, 'ALLOCATE', 1);
\c - regress_wms
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('R20-SKU', 1, 'RECEIVE', 5)$$);
SELECT regress.error_of($$SELECT inventory.inventory_adjust('R20-SKU', 1, 'FOUND', 1)$$);
\c - :superuser
ALTER ROLE regress_renamed_warehouse RENAME TO inventory_warehouse;

-- ... nor does dropping it. Its privileges are kept to be restored afterwards.
CREATE TABLE regress.warehouse_grants AS
SELECT pg_catalog.format('GRANT %s ON FUNCTION %s TO inventory_warehouse', a.privilege_type,
                         p.oid::regprocedure) AS statement
  FROM pg_proc p, aclexplode(p.proacl) a
 WHERE a.grantee = 'inventory_warehouse'::regrole
UNION ALL
SELECT pg_catalog.format('GRANT %s ON %s TO inventory_warehouse', a.privilege_type, c.oid::regclass)
  FROM pg_class c, aclexplode(c.relacl) a
 WHERE a.grantee = 'inventory_warehouse'::regrole
UNION ALL
SELECT pg_catalog.format('GRANT %s ON SCHEMA %I TO inventory_warehouse', a.privilege_type, n.nspname)
  FROM pg_namespace n, aclexplode(n.nspacl) a
 WHERE a.grantee = 'inventory_warehouse'::regrole
UNION ALL
SELECT pg_catalog.format('GRANT %I TO %I', g.rolname, m.rolname)
  FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
 WHERE 'inventory_warehouse' IN (g.rolname, m.rolname);
CREATE TABLE regress.warehouse_comment AS
SELECT shobj_description('inventory_warehouse'::regrole, 'pg_authid') AS comment;
CREATE TABLE regress.privileges_before AS
SELECT p.oid::regprocedure::text AS function,
       has_function_privilege('inventory_warehouse', p.oid, 'EXECUTE') AS warehouse,
       has_function_privilege('inventory_admin', p.oid, 'EXECUTE') AS admin
  FROM pg_proc p WHERE p.pronamespace = 'inventory'::regnamespace;
DROP OWNED BY inventory_warehouse;
DROP ROLE inventory_warehouse;
\c - regress_shop
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('R20-SKU', 1, 'RECEIVE', 5)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('R20-SKU', 1, 'COUNT', 99)$$);
\c - :superuser
-- A superuser is refused too: the rule is missing, not the privilege.
SELECT replace(regress.error_of($$SELECT inventory.inventory_apply_event('R20-SKU', 1, 'RECEIVE', 5)$$),
               :'superuser', '<superuser>') AS error_of;
CREATE ROLE inventory_warehouse NOLOGIN;
DO $$
DECLARE
  s text;
BEGIN
  FOR s IN SELECT statement FROM regress.warehouse_grants LOOP
    EXECUTE s;
  END LOOP;
  EXECUTE pg_catalog.format('COMMENT ON ROLE inventory_warehouse IS %L',
                            (SELECT comment FROM regress.warehouse_comment));
END;
$$;
-- Restored exactly.
SELECT count(*) AS privileges_changed FROM (
  (SELECT * FROM regress.privileges_before
   EXCEPT
   SELECT p.oid::regprocedure::text,
          has_function_privilege('inventory_warehouse', p.oid, 'EXECUTE'),
          has_function_privilege('inventory_admin', p.oid, 'EXECUTE')
     FROM pg_proc p WHERE p.pronamespace = 'inventory'::regnamespace)) AS d;
SELECT shobj_description('inventory_warehouse'::regrole, 'pg_authid') AS comment;
DROP TABLE regress.warehouse_grants, regress.warehouse_comment, regress.privileges_before;
SELECT r.rolname AS role, m.rolname AS member_of
  FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.member JOIN pg_roles m ON m.oid = a.roleid
 WHERE 'inventory_warehouse' IN (r.rolname, m.rolname) ORDER BY 1, 2;
\c - regress_wms
SELECT on_hand FROM inventory.inventory_apply_event('R20-SKU', :wa, 'RECEIVE', 1);
\c - :superuser

-- A hostile search_path (the caller's own inventory_levels, inventory_ledger, a temporary
-- inventory_levels and an = that is always true) changes nothing for the entry points.
CREATE TABLE wms.inventory_levels (sku text, warehouse_id integer, on_hand bigint);
CREATE TABLE wms.inventory_ledger (sku text, warehouse_id integer, quantity bigint);
ALTER TABLE wms.inventory_levels OWNER TO regress_wms;
ALTER TABLE wms.inventory_ledger OWNER TO regress_wms;
\c - regress_wms
CREATE FUNCTION wms.always(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR wms.= (LEFTARG = text, RIGHTARG = text, FUNCTION = wms.always);
CREATE FUNCTION wms.always_int(integer, integer) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR wms.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = wms.always_int);
CREATE TEMP TABLE inventory_levels (sku text, warehouse_id integer, on_hand bigint);
SET search_path = wms, pg_catalog, pg_temp;
SELECT 'a' = 'b' AS hostile_operator_active;
SELECT on_hand FROM inventory.inventory_adjust('R20-SKU', 3, 'FOUND', :wa, 'hostile-1');
SELECT on_hand FROM inventory.inventory_apply_event('R20-SKU', :wb, 'RECEIVE', 4, 'hostile-2');
SELECT from_on_hand, to_on_hand FROM inventory.inventory_transfer('R20-SKU', :wa, :wb, 1, 'hostile-3');
SELECT ordinal, on_hand FROM inventory.inventory_apply_events(pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('sku', 'R20-SKU', 'warehouse_id', :wb, 'event_type', 'RECEIVE', 'quantity', 1)));
SELECT po_ref, ordered FROM inventory.inventory_expect_purchase_order('R20-PO', 'R20-SKU', :wa, 3);
SELECT on_hand, incoming FROM inventory.inventory_receive_purchase_order('R20-PO', 'R20-SKU', 3, 'hostile-4');
RESET search_path;
SELECT (SELECT count(*) FROM wms.inventory_levels) + (SELECT count(*) FROM wms.inventory_ledger)
       + (SELECT count(*) FROM pg_temp.inventory_levels) AS rows_in_hostile_tables;
DROP TABLE pg_temp.inventory_levels;
\c - :superuser
SELECT warehouse_id = :wa AS in_a, on_hand, reserved FROM inventory.inventory_levels
 WHERE sku = 'R20-SKU' ORDER BY warehouse_id;
SELECT regress.consistent();

-- A database still at 0.3.0 gets one clear error from this library (55000: its schema has no
-- striped levels), for a call and for a plain INSERT into the ledger alike, and nothing is
-- written; after the update both work, and the row names the role and the login.
CREATE DATABASE regress_rights_030;
\c regress_rights_030
CREATE EXTENSION inventory VERSION '0.3.0';
SELECT inventory.inventory_create_warehouse('OLD', 'Old', 'DE') AS old_wh \gset
DO $$
BEGIN
  PERFORM inventory.inventory_apply_event('OLD-SKU', 1, 'RECEIVE', 1);
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE '%: %', SQLSTATE, SQLERRM;
END;
$$;
DO $$
BEGIN
  INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity)
  VALUES ('OLD-SKU', 1, 'RECEIVE', 7);
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE '%: %', SQLSTATE, SQLERRM;
END;
$$;
SELECT count(*) AS written FROM inventory.inventory_ledger;
ALTER EXTENSION inventory UPDATE;
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity)
VALUES ('OLD-SKU', :old_wh, 'RECEIVE', 7);
SELECT on_hand FROM inventory.inventory_apply_event('OLD-SKU', :old_wh, 'RECEIVE', 1);
SELECT quantity, actor = current_user AS actor_ok, login IS NULL AS no_login,
       login = :'superuser' AS login_ok
  FROM inventory.inventory_ledger ORDER BY id;
\c :regress_db
DROP DATABASE regress_rights_030;

DROP SCHEMA shop, wms CASCADE;
REVOKE USAGE ON SCHEMA regress FROM PUBLIC;
DROP ROLE regress_till, regress_packer, regress_shop, regress_wms, regress_granted;
