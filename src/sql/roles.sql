-- inventory: the group roles and what they may reach. Each object's own grants are beside its
-- definition; this file holds the roles themselves and the schema's. README.md, Roles.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

-- Group roles are cluster-wide: created once, kept when the extension is dropped.
DO $$
DECLARE
  name text;
BEGIN
  FOREACH name IN ARRAY ARRAY['inventory_reader', 'inventory_app', 'inventory_warehouse',
                              'inventory_admin'] LOOP
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = name) THEN
      EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', name);
    END IF;
  END LOOP;
END;
$$;
COMMENT ON ROLE inventory_reader IS 'inventory: reads levels, the ledger and its views.';
COMMENT ON ROLE inventory_app IS
  'inventory: shop applications; ALLOCATE, DEALLOCATE, FULFILL and availability.';
COMMENT ON ROLE inventory_warehouse IS
  'inventory: warehouse systems; RECEIVE, RETURN, ADJUST, COUNT and TRANSFER.';
COMMENT ON ROLE inventory_admin IS
  'inventory: warehouses, SKU policies, rebuild; everything the other roles may do.';
GRANT inventory_reader TO inventory_app, inventory_warehouse;
GRANT inventory_app, inventory_warehouse TO inventory_admin;

GRANT USAGE ON SCHEMA inventory TO inventory_reader;
