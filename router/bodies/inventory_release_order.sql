-- Releases the order on every partition it touched: those inventory_allocate_order recorded, or
-- every partition when the router has no record (an order placed before a router crash, or
-- directly on a partition). A partition without the order (IV013) is skipped; IV013 when none
-- has it. Each partition commits its release by itself; a failure (a partition down) leaves the
-- others released, and the same call again completes it.
#variable_conflict use_column
DECLARE
  parts integer[];
  part integer;
  found_any boolean := false;
  not_found text;
BEGIN
  parts := ARRAY(SELECT o.partition_number FROM inventory_router.order_partitions o
                  WHERE o.order_ref = inventory_release_order.order_ref ORDER BY 1);
  IF pg_catalog.cardinality(parts) = 0 THEN
    parts := ARRAY(SELECT pg_catalog.generate_series(0, inventory_router.partition_count() - 1));
  END IF;
  FOREACH part IN ARRAY parts LOOP
    BEGIN
      RETURN QUERY SELECT * FROM inventory_router.inventory_release_order_on(part, order_ref, reason);
      found_any := true;
    EXCEPTION WHEN SQLSTATE 'IV013' THEN
      GET STACKED DIAGNOSTICS not_found = MESSAGE_TEXT;
    END;
  END LOOP;
  IF NOT found_any THEN
    RAISE EXCEPTION USING ERRCODE = 'IV013', MESSAGE = not_found;
  END IF;
END;
