-- The change feed of every partition, one after the other. A router position is
-- "router:<partitions>;<position of partition 0>;<position of partition 1>;..." (empty: from the
-- start); each row's next_position is the position after that row. Not one snapshot: each
-- partition's part is commit-safe by itself, which is what a consumer needs.
#variable_conflict use_column
DECLARE
  parts integer := inventory_router.partition_count();
  positions text[];
  part integer;
  change record;
  emitted boolean := false;
BEGIN
  IF since IS NULL THEN
    positions := pg_catalog.array_fill(NULL::text, ARRAY[parts]);
  ELSIF since !~ ('^router:' || parts || ';') THEN
    RAISE EXCEPTION USING ERRCODE = '22023',
      MESSAGE = pg_catalog.format('invalid change feed position "%s"', pg_catalog.left(since, 100)),
      HINT = 'Pass the next_position of the previous call through this router, or NULL for the full state.';
  ELSE
    positions := pg_catalog.string_to_array(pg_catalog.substr(since, pg_catalog.strpos(since, ';') + 1), ';', '');
    IF pg_catalog.cardinality(positions) <> parts THEN
      RAISE EXCEPTION USING ERRCODE = '22023',
        MESSAGE = pg_catalog.format('invalid change feed position "%s"', pg_catalog.left(since, 100)),
        HINT = 'Pass the next_position of the previous call through this router, or NULL for the full state.';
    END IF;
  END IF;
  FOR part IN 0 .. parts - 1 LOOP
    FOR change IN SELECT * FROM inventory_router.inventory_level_changes_on(part, positions[part + 1]) LOOP
      positions[part + 1] := change.next_position;
      CONTINUE WHEN change.sku IS NULL;  -- nothing changed on this partition
      sku := change.sku; warehouse_id := change.warehouse_id; on_hand := change.on_hand;
      reserved := change.reserved; available_to_sell := change.available_to_sell;
      version := change.version;
      next_position := 'router:' || parts || ';' || pg_catalog.array_to_string(positions, ';', '');
      emitted := true;
      RETURN NEXT;
    END LOOP;
  END LOOP;
  IF NOT emitted THEN
    sku := NULL; warehouse_id := NULL; on_hand := NULL; reserved := NULL;
    available_to_sell := NULL; version := NULL;
    next_position := 'router:' || parts || ';' || pg_catalog.array_to_string(positions, ';', '');
    RETURN NEXT;
  END IF;
END;
