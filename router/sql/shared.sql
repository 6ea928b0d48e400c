-- inventory_router: what every partition shares (warehouses, the countries they serve, SKU
-- policies), the router's warehouse ids, and the check that partitions agree.
-- Part of the install script (router/generate.py); each object is defined here only.

CREATE SEQUENCE inventory_router.warehouse_ids AS integer;
COMMENT ON SEQUENCE inventory_router.warehouse_ids IS 'Warehouse ids, assigned by the router for every partition (never by a partition''s own sequence).';
REVOKE ALL ON SEQUENCE inventory_router.warehouse_ids FROM PUBLIC;
GRANT USAGE, SELECT, UPDATE ON SEQUENCE inventory_router.warehouse_ids TO inventory_admin;
SELECT pg_catalog.pg_extension_config_dump('inventory_router.warehouse_ids', '');

CREATE FUNCTION inventory_router.warehouse_on(partition_number integer, code text) RETURNS SETOF integer
    LANGUAGE plproxy
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ CLUSTER 'inventory_partitions'; RUN ON partition_number;
          SELECT w.id FROM inventory.inventory_warehouses w WHERE w.code = code; $$;
COMMENT ON FUNCTION inventory_router.warehouse_on(integer, text) IS 'Internal: the id of the warehouse with this code on one partition.';
REVOKE ALL ON FUNCTION inventory_router.warehouse_on(integer, text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory_router.warehouse_on(integer, text) TO inventory_admin;

CREATE FUNCTION inventory_router.shared_rows_on(partition_number integer) RETURNS TABLE(kind text, key text, value text)
    LANGUAGE plproxy
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ CLUSTER 'inventory_partitions'; RUN ON partition_number;
          SELECT 'warehouse'::text AS kind, w.id::text AS key, pg_catalog.concat_ws(' ', w.code, w.name, w.country) AS value
            FROM inventory.inventory_warehouses w
          UNION ALL
          SELECT 'country', c.warehouse_id || ' ' || c.country, 'priority ' || c.priority
            FROM inventory.inventory_warehouse_countries c
          UNION ALL
          SELECT 'policy', p.sku, pg_catalog.format('allow_backorder %s, safety_stock %s, backorder_limit %s, stripes %s',
                                                  p.allow_backorder, p.safety_stock, p.backorder_limit, p.stripes)
            FROM inventory.inventory_sku_policies p; $$;
COMMENT ON FUNCTION inventory_router.shared_rows_on(integer) IS 'Internal: the warehouses, served countries and SKU policies of one partition, as text to compare.';
REVOKE ALL ON FUNCTION inventory_router.shared_rows_on(integer) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory_router.shared_rows_on(integer) TO inventory_reader;

CREATE FUNCTION inventory_router.shared_differences() RETURNS TABLE(kind text, key text, partition_number integer, value text, most_partitions text)
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $body$
-- Reads each partition in turn (not one snapshot), then lists, for every warehouse, served
-- country and SKU policy that is not the same everywhere, each partition whose value differs
-- from what most partitions have (value NULL: missing there).
#variable_conflict use_column
DECLARE
  parts integer := inventory_router.partition_count();
  part integer;
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS inventory_router_shared_rows (partition_number integer, kind text, key text, value text) ON COMMIT DROP;
  TRUNCATE pg_temp.inventory_router_shared_rows;
  FOR part IN 0 .. parts - 1 LOOP
    INSERT INTO pg_temp.inventory_router_shared_rows SELECT part, r.kind, r.key, r.value FROM inventory_router.shared_rows_on(part) r;
  END LOOP;
  RETURN QUERY
  WITH keys AS (SELECT DISTINCT s.kind, s.key FROM pg_temp.inventory_router_shared_rows s),
       grid AS (SELECT k.kind, k.key, p AS partition_number, s.value
                  FROM keys k CROSS JOIN pg_catalog.generate_series(0, parts - 1) p
                  LEFT JOIN pg_temp.inventory_router_shared_rows s
                         ON s.kind = k.kind AND s.key = k.key AND s.partition_number = p),
       usual AS (SELECT DISTINCT ON (g.kind, g.key) g.kind, g.key, g.value
                   FROM grid g GROUP BY g.kind, g.key, g.value
                  ORDER BY g.kind, g.key, pg_catalog.count(*) DESC, g.value NULLS LAST)
  SELECT g.kind, g.key, g.partition_number, g.value, u.value
    FROM grid g JOIN usual u ON u.kind = g.kind AND u.key = g.key
   WHERE g.value IS DISTINCT FROM u.value
   ORDER BY 1, 2, 3;
END;
$body$;
COMMENT ON FUNCTION inventory_router.shared_differences() IS 'Where the partitions disagree on what they share: each warehouse, served country or SKU policy whose value on a partition differs from most partitions'' (value NULL: missing). Empty when they agree. Repair by running the change again through the router (README, Scale-out).';
REVOKE ALL ON FUNCTION inventory_router.shared_differences() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory_router.shared_differences() TO inventory_reader;
