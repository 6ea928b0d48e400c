-- Shared by every partition: removed from each in turn; true when any partition had it.
DECLARE
  part integer;
  had boolean := false;
BEGIN
  FOR part IN 0 .. inventory_router.partition_count() - 1 LOOP
    had := (SELECT pg_catalog.bool_or(r) FROM inventory_router.inventory_stop_serving_country_on(part, warehouse_id, country) r) OR had;
  END LOOP;
  RETURN had;
END;
