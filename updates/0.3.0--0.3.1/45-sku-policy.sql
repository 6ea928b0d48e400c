--------------------------------------------------------------------------------------------------
-- inventory_set_sku_policy in C++: the SKU follows the ledger's rules (IV009), a negative safety
-- stock or limit is 22023 (was the table's 23514), and no error shows the internal INSERT as
-- CONTEXT. Same signature, defaults, result and privileges.
--------------------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION inventory.inventory_set_sku_policy(
  sku text,
  allow_backorder boolean DEFAULT false,
  safety_stock bigint DEFAULT 0,
  backorder_limit bigint DEFAULT NULL)
RETURNS inventory.inventory_sku_policies
LANGUAGE c VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_set_sku_policy';
COMMENT ON FUNCTION inventory.inventory_set_sku_policy(text, boolean, bigint, bigint) IS
  'Sets a SKU''s safety stock and backorder policy and recomputes its levels'' available_to_sell. '
  'Refuses (IV011) to forbid backorders while a level of the SKU is backordered; a SKU the '
  'ledger refuses is IV009, a negative safety_stock or backorder_limit, or a limit without '
  'backorders, 22023.';
