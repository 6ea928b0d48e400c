-- Every partition rebuilds its own levels; the sum of what they rebuilt.
DECLARE
  total bigint := 0;
  part integer;
BEGIN
  FOR part IN 0 .. inventory_router.partition_count() - 1 LOOP
    total := total + (SELECT pg_catalog.sum(r) FROM inventory_router.inventory_rebuild_levels_on(part) r);
  END LOOP;
  RETURN total;
END;
