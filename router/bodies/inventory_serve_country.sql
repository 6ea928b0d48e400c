-- Shared by every partition: written to each in turn (partition 0 first, so that a bad argument
-- fails before any partition changes); setting it again is harmless, so re-running repairs a
-- partly applied call (inventory_router.shared_differences shows one).
DECLARE
  part integer;
BEGIN
  FOR part IN 0 .. inventory_router.partition_count() - 1 LOOP
    PERFORM inventory_router.inventory_serve_country_on(part, warehouse_id, country, priority);
  END LOOP;
END;
