-- An order whose lines live on one partition runs there, exactly as on one server. An order
-- over several partitions is reserved on each, in partition order, under the same order_ref
-- and always with a hold (expires_at, or now() + the setting inventory_router.order_hold,
-- default 15 minutes), so that reservations nobody completes expire by themselves. When a
-- partition refuses (an error, or a shortage with on_shortage => 'report'), the partitions
-- reserved so far are released (DEALLOCATE, reason ORDER_FAILED) and the refusal is returned.
-- Retrying the same call completes an order a crash interrupted: the partitions that have it
-- replay it, the others reserve. Without a line key, a line is its position in the whole order,
-- as on one server.
#variable_conflict use_column
DECLARE
  parts integer := inventory_router.partition_count();
  hold timestamptz;
  part integer;
  part_lines jsonb;
  touched integer[] := '{}';
  rows_of_part inventory_router.order_line[];
  all_rows inventory_router.order_line[] := '{}';
  short boolean := false;
  replayed_parts integer[] := '{}';
  new_parts integer[] := '{}';
  failure_state text;
  failure_message text;
  failure_detail text;
BEGIN
  IF lines IS NULL OR pg_catalog.jsonb_typeof(lines) <> 'array'
     OR (SELECT pg_catalog.count(DISTINCT inventory_router.sku_hash(l.value ->> 'sku') & (parts - 1))
           FROM pg_catalog.jsonb_array_elements(lines) l) <= 1 THEN
    -- One partition (or input only a partition can judge): exactly as on one server.
    part := inventory_router.sku_hash(CASE WHEN pg_catalog.jsonb_typeof(lines) = 'array' THEN lines -> 0 ->> 'sku' END);
    RETURN QUERY SELECT * FROM inventory_router.inventory_allocate_order_on(part, order_ref, lines, ship_to, fixed_warehouse_id, expires_at, allow_split, strategy, metadata, on_shortage);
    INSERT INTO inventory_router.order_partitions VALUES (order_ref, part & (parts - 1)) ON CONFLICT DO NOTHING;
    RETURN;
  END IF;
  hold := COALESCE(expires_at, pg_catalog.now() + COALESCE(
            NULLIF(pg_catalog.current_setting('inventory_router.order_hold', true), ''),
            '15 minutes')::interval);
  FOR part, part_lines IN
    SELECT inventory_router.sku_hash(l.value ->> 'sku') & (parts - 1),
           pg_catalog.jsonb_agg(CASE WHEN pg_catalog.jsonb_typeof(l.value) = 'object'
                                      AND COALESCE(l.value -> 'line', 'null'::jsonb) = 'null'::jsonb
                                     THEN l.value || pg_catalog.jsonb_build_object('line', l.ordinality::text)
                                     ELSE l.value END ORDER BY l.ordinality)
      FROM pg_catalog.jsonb_array_elements(lines) WITH ORDINALITY l
     GROUP BY 1 ORDER BY 1
  LOOP
    touched := touched || part;
    BEGIN
      rows_of_part := ARRAY(SELECT r::inventory_router.order_line FROM inventory_router.inventory_allocate_order_on(
                              part, order_ref, part_lines, ship_to, fixed_warehouse_id, hold, allow_split,
                              strategy, metadata, on_shortage) r);
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS failure_state = RETURNED_SQLSTATE, failure_message = MESSAGE_TEXT,
                              failure_detail = PG_EXCEPTION_DETAIL;
      EXIT;
    END;
    IF EXISTS (SELECT FROM pg_catalog.unnest(rows_of_part) r WHERE r.shortage > 0) THEN
      short := true;  -- this partition reserved nothing and reported its short lines
      all_rows := ARRAY(SELECT r FROM pg_catalog.unnest(rows_of_part) r WHERE r.shortage > 0);
      EXIT;
    END IF;
    IF (SELECT pg_catalog.bool_and(r.replayed) FROM pg_catalog.unnest(rows_of_part) r) THEN
      replayed_parts := replayed_parts || part;
    ELSE
      new_parts := new_parts || part;
    END IF;
    all_rows := all_rows || rows_of_part;
  END LOOP;

  -- A retry that replays a partition whose part was released earlier cannot complete the order.
  IF failure_state IS NULL AND NOT short AND pg_catalog.cardinality(new_parts) > 0 THEN
    SELECT part_released INTO part FROM pg_catalog.unnest(replayed_parts) part_released
     WHERE NOT EXISTS (SELECT FROM inventory_router.reservation_status_on(part_released, order_ref) s
                        WHERE s IN ('ACTIVE', 'FULFILLED'))
     LIMIT 1;
    IF FOUND THEN
      failure_state := 'IV015';
      failure_message := pg_catalog.format('order %s was released on partition %s; place it under a new order_ref', order_ref, part);
    END IF;
  END IF;

  IF failure_state IS NOT NULL OR short THEN
    FOREACH part IN ARRAY touched LOOP
      BEGIN
        PERFORM inventory_router.inventory_release_order_on(part, order_ref, 'ORDER_FAILED');
      EXCEPTION WHEN OTHERS THEN
        NULL;  -- nothing reserved there (IV013), or unreachable: its hold expires by itself
      END;
    END LOOP;
  END IF;
  IF failure_state IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = failure_state, MESSAGE = failure_message,
      DETAIL = pg_catalog.concat_ws(' ', failure_detail, pg_catalog.format(
        'The order spans partitions %s; the partitions reserved before the failure were released (reason ORDER_FAILED).',
        pg_catalog.array_to_string(touched, ', ')));
  END IF;
  INSERT INTO inventory_router.order_partitions
    SELECT order_ref, t FROM pg_catalog.unnest(touched) t ON CONFLICT DO NOTHING;
  RETURN QUERY SELECT * FROM pg_catalog.unnest(all_rows);
END;
