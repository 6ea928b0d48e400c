--------------------------------------------------------------------------------------------------
-- STUB (h6): stands in for h5's inventory_sku_problem(sku text) until it is merged; the lead
-- deletes this file then. Same signature; says what h5's validation refuses at the edges
-- (non-ASCII spaces, format characters) and anywhere (zero-width and bidirectional controls).
--------------------------------------------------------------------------------------------------
CREATE FUNCTION inventory.inventory_sku_problem(sku text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE
    WHEN sku OPERATOR(pg_catalog.~) (U&'[\200B-\200F\202A-\202E\2060-\2064\2066-\206F\FEFF]')
      THEN 'SKU contains a zero-width or bidirectional control character'
    WHEN sku OPERATOR(pg_catalog.~) (U&'^[\00A0\1680\2000-\200A\2028\2029\202F\205F\3000\00AD]')
      OR sku OPERATOR(pg_catalog.~) (U&'[\00A0\1680\2000-\200A\2028\2029\202F\205F\3000\00AD]$')
      THEN 'SKU starts or ends with an invisible or formatting character'
  END
$$;
COMMENT ON FUNCTION inventory.inventory_sku_problem(text) IS
  'Why a SKU would be refused today (NULL when it is acceptable). STUB until h5''s is merged.';
REVOKE ALL ON FUNCTION inventory.inventory_sku_problem(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION inventory.inventory_sku_problem(text) TO inventory_reader;
