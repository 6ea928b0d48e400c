-- inventory_router: a batch of events over several partitions, with an outcome per event.
-- Part of the install script (router/generate.py); each object is defined here only.

CREATE TYPE inventory_router.batch_event AS (
    ordinal integer,
    partition_number integer,
    event_id uuid,
    replayed boolean,
    on_hand bigint,
    reserved bigint,
    available_to_sell bigint,
    sqlstate text,
    message text
);
COMMENT ON TYPE inventory_router.batch_event IS 'The outcome of one event of a batch sent through the router: its result, or the SQLSTATE and message of the part that failed.';

CREATE FUNCTION inventory_router.apply_events_report(events jsonb) RETURNS SETOF inventory_router.batch_event
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $body$
-- Groups the batch by partition (array order kept within each part) and applies each part with
-- inventory_apply_events on its partition, all or nothing there, committed there. A part that
-- fails gives every event of it the error (its "event N" renumbered to the whole batch); the
-- other parts are applied anyway. A batch over several partitions needs an idempotency_key on
-- every event, so that sending it again can never count an applied part twice.
DECLARE
  parts integer := inventory_router.partition_count();
  part integer;
  part_events jsonb;
  ordinals integer[];
  got inventory_router.batch_event[];
  failure_state text;
  failure_message text;
  renumber text[];
BEGIN
  IF events IS NULL OR pg_catalog.jsonb_typeof(events) <> 'array'
     OR (SELECT pg_catalog.count(DISTINCT inventory_router.sku_hash(e.value ->> 'sku') & (parts - 1))
           FROM pg_catalog.jsonb_array_elements(events) e) <= 1 THEN
    -- One partition (or input only a partition can judge): exactly as on one server.
    part := inventory_router.sku_hash(CASE WHEN pg_catalog.jsonb_typeof(events) = 'array' THEN events -> 0 ->> 'sku' END)
            & (parts - 1);
    RETURN QUERY SELECT r.ordinal, part, r.event_id, r.replayed, r.on_hand, r.reserved,
                        r.available_to_sell, NULL::text, NULL::text
                   FROM inventory_router.inventory_apply_events_on(part, events) r;
    RETURN;
  END IF;
  SELECT e.ordinality INTO part FROM pg_catalog.jsonb_array_elements(events) WITH ORDINALITY e
   WHERE pg_catalog.jsonb_typeof(e.value -> 'idempotency_key') IS DISTINCT FROM 'string' LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = '22023',
      MESSAGE = pg_catalog.format('event %s: a batch over several partitions needs an idempotency_key on every event', part),
      HINT = 'Through inventory_router each partition''s part of a batch commits by itself; the keys make sending the batch again safe.';
  END IF;
  FOR part, part_events, ordinals IN
    SELECT inventory_router.sku_hash(e.value ->> 'sku') & (parts - 1),
           pg_catalog.jsonb_agg(e.value ORDER BY e.ordinality),
           pg_catalog.array_agg(e.ordinality::integer ORDER BY e.ordinality)
      FROM pg_catalog.jsonb_array_elements(events) WITH ORDINALITY e
     GROUP BY 1 ORDER BY 1
  LOOP
    BEGIN
      got := ARRAY(SELECT ROW(ordinals[r.ordinal], part, r.event_id, r.replayed, r.on_hand, r.reserved,
                              r.available_to_sell, NULL, NULL)::inventory_router.batch_event
                     FROM inventory_router.inventory_apply_events_on(part, part_events) r);
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS failure_state = RETURNED_SQLSTATE, failure_message = MESSAGE_TEXT;
      renumber := pg_catalog.regexp_match(failure_message, 'REMOTE ERROR: event ([0-9]+): ');
      IF renumber IS NOT NULL THEN
        failure_message := pg_catalog.regexp_replace(failure_message, 'REMOTE ERROR: event [0-9]+: ',
                             'REMOTE ERROR: event ' || ordinals[renumber[1]::integer] || ': ');
      END IF;
      got := ARRAY(SELECT ROW(o, part, NULL, NULL, NULL, NULL, NULL, failure_state, failure_message)::inventory_router.batch_event
                     FROM pg_catalog.unnest(ordinals) o);
    END;
    RETURN QUERY SELECT * FROM pg_catalog.unnest(got);
  END LOOP;
END;
$body$;
COMMENT ON FUNCTION inventory_router.apply_events_report(events jsonb) IS 'A batch through the router with one outcome per event: each partition''s part is applied all or nothing, committed there; a failed part''s events carry its SQLSTATE and message (renumbered to the batch) instead of raising. inventory_apply_events raises when any part failed.';
REVOKE ALL ON FUNCTION inventory_router.apply_events_report(events jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory_router.apply_events_report(events jsonb) TO inventory_app;
GRANT ALL ON FUNCTION inventory_router.apply_events_report(events jsonb) TO inventory_warehouse;
