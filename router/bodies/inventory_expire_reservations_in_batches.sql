-- Every partition in turn, batch_size reservations per call, at most max_batches calls per
-- partition; each call commits on its partition by itself, so no level stays locked longer
-- than one batch there.
DECLARE
  part integer;
  batch integer;
  released_now integer;
BEGIN
  FOR part IN 0 .. inventory_router.partition_count() - 1 LOOP
    FOR batch IN 1 .. max_batches LOOP
      SELECT pg_catalog.count(*) INTO released_now
        FROM inventory_router.inventory_expire_reservations_on(part, batch_size, true);
      EXIT WHEN released_now < batch_size;
    END LOOP;
  END LOOP;
END;
