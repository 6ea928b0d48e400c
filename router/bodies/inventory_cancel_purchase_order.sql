-- One line (sku given): on the SKU's partition. The whole purchase order: on every partition
-- that has lines of it (IV013 elsewhere is skipped), committed partition by partition; IV013 when
-- none has it.
DECLARE
  part integer;
  cancelled integer := 0;
  found_any boolean := false;
BEGIN
  IF sku IS NOT NULL THEN
    RETURN (SELECT r FROM inventory_router.inventory_cancel_purchase_order_on(inventory_router.partition_of(sku), po_ref, sku) r);
  END IF;
  FOR part IN 0 .. inventory_router.partition_count() - 1 LOOP
    BEGIN
      cancelled := cancelled + (SELECT r FROM inventory_router.inventory_cancel_purchase_order_on(part, po_ref, sku) r);
      found_any := true;
    EXCEPTION WHEN SQLSTATE 'IV013' THEN
      NULL;  -- no line of this purchase order on this partition
    END;
  END LOOP;
  IF NOT found_any THEN
    RAISE EXCEPTION USING ERRCODE = 'IV013', MESSAGE = pg_catalog.format('unknown purchase order %s', po_ref);
  END IF;
  RETURN cancelled;
END;
