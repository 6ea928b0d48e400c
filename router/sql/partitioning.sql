-- inventory_router: which partition owns a SKU, and how many partitions there are.
-- Part of the install script (router/generate.py); each object is defined here only.

CREATE SCHEMA inventory_router;
COMMENT ON SCHEMA inventory_router IS 'inventory_router: the router''s own functions (partition of a SKU, per-partition calls, checks).';
GRANT USAGE ON SCHEMA inventory_router TO inventory_reader;

-- No SET search_path: a SQL function with one is never inlined, and PL/Proxy's RUN ON plan,
-- cached for the session, would then parse the body again on every call (a fifth of the
-- router's CPU per call). Every name in the body is qualified, so the caller's search_path
-- cannot change it.
CREATE FUNCTION inventory_router.sku_hash(sku text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT COALESCE(('x' OPERATOR(pg_catalog.||) pg_catalog.substr(pg_catalog.md5(sku), 1, 8))::pg_catalog.bit(32)::pg_catalog.int4, 0) $$;

COMMENT ON FUNCTION inventory_router.sku_hash(sku text) IS 'The SKU''s hash: the first 32 bits of the MD5 of its UTF-8 bytes, as a signed integer (0 for NULL, so that the partition reports the NULL). PL/Proxy sends a call to partition hash & (partitions - 1). SKUs are compared exactly, so equal SKUs always meet on one partition.';

REVOKE ALL ON FUNCTION inventory_router.sku_hash(sku text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory_router.sku_hash(sku text) TO inventory_reader;

CREATE FUNCTION inventory_router.partition_count() RETURNS integer
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT pg_catalog.count(*)::pg_catalog.int4
      FROM pg_catalog.pg_foreign_server s, pg_catalog.unnest(s.srvoptions) AS o(option)
     WHERE s.srvname OPERATOR(pg_catalog.=) 'inventory_partitions'
       AND o.option OPERATOR(pg_catalog.~) '^p[0-9]+='
$$;

COMMENT ON FUNCTION inventory_router.partition_count() IS 'How many partitions the server inventory_partitions lists (its options p0, p1, ...; a power of two).';

REVOKE ALL ON FUNCTION inventory_router.partition_count() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory_router.partition_count() TO inventory_reader;

CREATE FUNCTION inventory_router.partition_of(sku text) RETURNS integer
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ SELECT inventory_router.sku_hash(sku) OPERATOR(pg_catalog.&) (inventory_router.partition_count() OPERATOR(pg_catalog.-) 1) $$;

COMMENT ON FUNCTION inventory_router.partition_of(sku text) IS 'The partition (0 .. partitions - 1) that owns the SKU: sku_hash(sku) & (partitions - 1), as PL/Proxy computes it.';

REVOKE ALL ON FUNCTION inventory_router.partition_of(sku text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory_router.partition_of(sku text) TO inventory_reader;
