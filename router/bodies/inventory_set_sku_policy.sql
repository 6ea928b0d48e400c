-- Shared by every partition: the owner of the SKU first (it checks the arguments and restripes
-- the SKU's levels), then every other partition; re-running repairs a partly applied call.
-- Returns the owner's row.
DECLARE
  owner integer := inventory_router.partition_of(sku);
  part integer;
  result inventory.inventory_sku_policies;
BEGIN
  SELECT * INTO STRICT result
    FROM inventory_router.inventory_set_sku_policy_on(owner, sku, allow_backorder, safety_stock, backorder_limit, stripes);
  FOR part IN 0 .. inventory_router.partition_count() - 1 LOOP
    CONTINUE WHEN part = owner;
    PERFORM inventory_router.inventory_set_sku_policy_on(part, sku, allow_backorder, safety_stock, backorder_limit, stripes);
  END LOOP;
  RETURN result;
END;
