-- Shared by every partition, under one id the router assigns (never a partition's sequence):
-- the id given, else the id a partition already has for this code (a re-run), else the next
-- of inventory_router.warehouse_ids. Each partition that lacks it gets it, partition 0 first
-- (it checks the arguments); re-running repairs a partly applied call.
DECLARE
  warehouse integer := id;
  part integer;
  parts integer := inventory_router.partition_count();
BEGIN
  IF warehouse IS NULL AND code IS NOT NULL THEN
    FOR part IN 0 .. parts - 1 LOOP
      SELECT pg_catalog.min(w) INTO warehouse FROM inventory_router.warehouse_on(part, code) w;
      EXIT WHEN warehouse IS NOT NULL;
    END LOOP;
  END IF;
  IF warehouse IS NULL THEN
    -- Past every id the partitions have (a router set up again over existing partitions).
    PERFORM pg_catalog.setval('inventory_router.warehouse_ids', m)
       FROM (SELECT pg_catalog.max(w.id) AS m FROM inventory.inventory_warehouses w) ids
      WHERE m > COALESCE((SELECT s.last_value FROM inventory_router.warehouse_ids s WHERE s.is_called), 0);
    warehouse := pg_catalog.nextval('inventory_router.warehouse_ids');
  ELSIF warehouse > COALESCE((SELECT s.last_value FROM inventory_router.warehouse_ids s WHERE s.is_called), 0) THEN
    PERFORM pg_catalog.setval('inventory_router.warehouse_ids', warehouse);
  END IF;
  FOR part IN 0 .. parts - 1 LOOP
    CONTINUE WHEN EXISTS (SELECT FROM inventory_router.warehouse_on(part, code) w WHERE w = warehouse);
    PERFORM inventory_router.inventory_create_warehouse_on(part, code, name, country, warehouse);
  END LOOP;
  RETURN warehouse;
END;
