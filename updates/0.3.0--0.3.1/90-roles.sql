
--------------------------------------------------------------------------------------------------
-- Roles that fail closed and follow PostgreSQL's rules (issue 10, item 2). Runs after every
-- other fragment: it converts the functions as the earlier fragments left them.
--------------------------------------------------------------------------------------------------

-- Who acted and who logged in. Rows written before 0.3.1 have no login (NULL).
ALTER TABLE inventory.inventory_ledger ADD COLUMN login text;
COMMENT ON COLUMN inventory.inventory_ledger.actor IS
  'The role that acted: the current user of the code that called the extension, as '
  'PostgreSQL''s own privilege checks see it (inside a SECURITY DEFINER function: its owner).';
COMMENT ON COLUMN inventory.inventory_ledger.login IS
  'The login that authenticated the session (not changed by SET ROLE or SET SESSION '
  'AUTHORIZATION); NULL for rows written before 0.3.1.';

CREATE FUNCTION inventory.inventory_login()
RETURNS text
LANGUAGE c STABLE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_login';
COMMENT ON FUNCTION inventory.inventory_login() IS
  'The session''s authenticated login, as inventory_ledger.login records it; internal (the '
  'default of inventory_orders.login).';

ALTER TABLE inventory.inventory_orders ADD COLUMN login text;
ALTER TABLE inventory.inventory_orders ALTER COLUMN login SET DEFAULT inventory.inventory_login();
COMMENT ON COLUMN inventory.inventory_orders.actor IS
  'The role that allocated the order, as inventory_ledger.actor records it.';
COMMENT ON COLUMN inventory.inventory_orders.login IS
  'The login that allocated the order, as inventory_ledger.login records it; NULL for orders '
  'allocated before 0.3.1.';

-- The writing C functions check their caller (the current user) and then run as their owner
-- themselves: SECURITY INVOKER, so that the rights checked are those of the code that calls.
ALTER FUNCTION inventory.inventory_apply_event(text, integer, text, bigint, text, text, text, jsonb, timestamptz)
  SECURITY INVOKER;
ALTER FUNCTION inventory.inventory_apply_events(jsonb) SECURITY INVOKER;
ALTER FUNCTION inventory.inventory_transfer(text, integer, integer, bigint, text, text, text, jsonb)
  SECURITY INVOKER;

-- The PL/pgSQL writers whose behaviour depends on their caller. Each keeps its code as
-- `<name>_body` (SECURITY DEFINER, granted to nobody); the public `<name>` becomes a thin C
-- entry point (SECURITY INVOKER, same signature, defaults, result and comment) that checks the
-- caller's rights (src/core/capability.cpp: the same list), records the caller and calls the
-- body through fmgr. Signatures, defaults and results are read from the catalog, so the list
-- holds names only. A SECURITY DEFINER function of the extension that writes events must be in
-- it: otherwise the engine would check (and record) the function's owner instead of its caller.
-- THE LIST OF CONVERTED FUNCTIONS, with the group role granted EXECUTE on the public name
-- (README.md, Roles):
DO $convert$
DECLARE
  converted CONSTANT text[][] := ARRAY[
    ['inventory_adjust',                 'inventory_warehouse'],
    ['inventory_allocate_order',         'inventory_app'],
    ['inventory_release_order',          'inventory_app'],
    ['inventory_expire_reservations',    'inventory_app'],
    ['inventory_dispatch_transfer',      'inventory_warehouse'],
    ['inventory_receive_transfer',       'inventory_warehouse'],
    ['inventory_expect_purchase_order',  'inventory_warehouse'],
    ['inventory_receive_purchase_order', 'inventory_warehouse'],
    ['inventory_cancel_purchase_order',  'inventory_warehouse']];
  i integer;
  fn text;
  body text;
  f oid;
  proc record;
  arguments text;
  identity text;
  definition text;
  grantee oid;
BEGIN
  FOR i IN 1 .. pg_catalog.array_length(converted, 1) LOOP
    fn := converted[i][1];
    body := fn || '_body';
    SELECT p.oid INTO STRICT f  -- exactly one function of that name
      FROM pg_catalog.pg_proc p
     WHERE p.pronamespace OPERATOR(pg_catalog.=) 'inventory'::pg_catalog.regnamespace
       AND p.proname OPERATOR(pg_catalog.=) fn AND p.prokind OPERATOR(pg_catalog.=) 'f';
    SELECT p.proretset, p.prorows, p.prosecdef, pg_catalog.obj_description(p.oid, 'pg_proc') AS comment,
           pg_catalog.pg_get_function_result(p.oid) AS result
      INTO STRICT proc FROM pg_catalog.pg_proc p WHERE p.oid OPERATOR(pg_catalog.=) f;
    IF NOT proc.prosecdef THEN
      RAISE EXCEPTION 'inventory: % is not SECURITY DEFINER', fn;
    END IF;
    arguments := pg_catalog.pg_get_function_arguments(f);
    identity := pg_catalog.pg_get_function_identity_arguments(f);

    EXECUTE pg_catalog.format('ALTER FUNCTION inventory.%I(%s) RENAME TO %I', fn, identity, body);
    -- PL/pgSQL names the function's outermost block after the function: qualified references
    -- to its parameters (`fn.order_ref`) follow the new name.
    definition := pg_catalog.pg_get_functiondef(f);
    IF definition OPERATOR(pg_catalog.~) ('\m' || fn || '\.') THEN
      EXECUTE pg_catalog.regexp_replace(definition, '\m' || fn || '\.', body || '.', 'g');
    END IF;
    EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION inventory.%I(%s) FROM PUBLIC', body, identity);
    FOR grantee IN
      SELECT DISTINCT a.grantee
        FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
       WHERE p.oid OPERATOR(pg_catalog.=) f AND a.grantee OPERATOR(pg_catalog.<>) 0
         AND a.grantee OPERATOR(pg_catalog.<>) p.proowner
    LOOP
      EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION inventory.%I(%s) FROM %I', body, identity,
                                grantee::pg_catalog.regrole::text);
    END LOOP;
    EXECUTE pg_catalog.format('COMMENT ON FUNCTION inventory.%I(%s) IS %L', body, identity,
      'The code of inventory.' || fn || '(); runs as the extension''s owner and is granted to '
      'nobody: inventory.' || fn || '() checks its caller and calls it.');

    EXECUTE pg_catalog.format(
      'CREATE FUNCTION inventory.%I(%s) RETURNS %s LANGUAGE c VOLATILE CALLED ON NULL INPUT %s '
      'SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS %L, %L',
      fn, arguments, proc.result,
      CASE WHEN proc.proretset THEN 'ROWS ' || proc.prorows ELSE '' END,
      'MODULE_PATHNAME', 'inventory_owner_entry');
    EXECUTE pg_catalog.format('COMMENT ON FUNCTION inventory.%I(%s) IS %L', fn, identity,
                              proc.comment);
    EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION inventory.%I(%s) FROM PUBLIC', fn, identity);
    EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION inventory.%I(%s) TO %I', fn, identity,
                              converted[i][2]);
  END LOOP;
END;
$convert$;

-- Grants exactly as README.md's Roles table: inventory_transfer is the warehouse's (0.2.0
-- granted it, and inventory_adjust, to inventory_app too).
REVOKE ALL ON FUNCTION inventory.inventory_login() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION
    inventory.inventory_transfer(text, integer, integer, bigint, text, text, text, jsonb)
  FROM inventory_app;
