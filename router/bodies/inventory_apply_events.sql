-- A batch through the router: one part per partition, each applied all or nothing there
-- (inventory_router.apply_events_report); any part that failed raises here, after the others
-- committed, naming what was applied. The same batch again completes it (idempotency keys).
DECLARE
  report inventory_router.batch_event[];
  failed inventory_router.batch_event;
BEGIN
  report := ARRAY(SELECT r FROM inventory_router.apply_events_report(events) r ORDER BY r.ordinal);
  SELECT * INTO failed FROM pg_catalog.unnest(report) r WHERE r.sqlstate IS NOT NULL ORDER BY r.ordinal LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = failed.sqlstate, MESSAGE = failed.message,
      DETAIL = pg_catalog.format('Applied, committed on their partitions: %s. Not applied: %s.',
        COALESCE((SELECT pg_catalog.string_agg('event ' || r.ordinal, ', ' ORDER BY r.ordinal) FROM pg_catalog.unnest(report) r WHERE r.sqlstate IS NULL), 'none'),
        (SELECT pg_catalog.string_agg('event ' || r.ordinal, ', ' ORDER BY r.ordinal) FROM pg_catalog.unnest(report) r WHERE r.sqlstate IS NOT NULL)),
      HINT = 'Through inventory_router a batch is applied per partition, each part all or nothing. Send the same batch again (the same idempotency keys) to complete it; inventory_router.apply_events_report shows each event''s outcome.';
  END IF;
  RETURN QUERY SELECT r.ordinal, r.event_id, r.replayed, r.on_hand, r.reserved, r.available_to_sell
                 FROM pg_catalog.unnest(report) r ORDER BY r.ordinal;
END;
