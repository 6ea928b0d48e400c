-- inventory: Reservations per order line (ALLOCATE with a reference_id), and the expiry of their holds.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE TABLE IF NOT EXISTS inventory.inventory_reservations (
    reference_id text NOT NULL,
    sku text NOT NULL,
    warehouse_id integer NOT NULL,
    order_ref text,
    quantity bigint NOT NULL,
    fulfilled bigint DEFAULT 0 NOT NULL,
    released bigint DEFAULT 0 NOT NULL,
    held bigint GENERATED ALWAYS AS (((quantity - fulfilled) - released)) STORED,
    expires_at timestamp with time zone,
    status text DEFAULT 'ACTIVE'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT inventory_reservations_fulfilled_check CHECK ((fulfilled >= 0)),
    CONSTRAINT inventory_reservations_held_check CHECK (((fulfilled + released) <= quantity)),
    CONSTRAINT inventory_reservations_quantity_check CHECK ((quantity > 0)),
    CONSTRAINT inventory_reservations_released_check CHECK ((released >= 0)),
    CONSTRAINT inventory_reservations_status_check CHECK (((status = ANY (ARRAY['ACTIVE'::text, 'FULFILLED'::text, 'RELEASED'::text, 'EXPIRED'::text])) AND ((status = 'ACTIVE'::text) = ((fulfilled + released) < quantity)))),
    CONSTRAINT inventory_reservations_pkey PRIMARY KEY (reference_id, sku, warehouse_id)
);

COMMENT ON TABLE inventory.inventory_reservations IS 'What each order line holds per SKU and warehouse: created by ALLOCATE with a reference_id, consumed by FULFILL and DEALLOCATE naming it, in the same transaction as their ledger rows. Never write it directly.';

COMMENT ON COLUMN inventory.inventory_reservations.reference_id IS 'The ALLOCATE''s reference_id, e.g. ORDER-1001/1 (order and line).';

COMMENT ON COLUMN inventory.inventory_reservations.sku IS 'The SKU reserved.';

COMMENT ON COLUMN inventory.inventory_reservations.warehouse_id IS 'The warehouse the units are held in.';

COMMENT ON COLUMN inventory.inventory_reservations.order_ref IS 'The order, when inventory_allocate_order() made the reservation.';

COMMENT ON COLUMN inventory.inventory_reservations.quantity IS 'Units allocated in total.';

COMMENT ON COLUMN inventory.inventory_reservations.fulfilled IS 'Units shipped from it.';

COMMENT ON COLUMN inventory.inventory_reservations.released IS 'Units given back by DEALLOCATE (cancelled or expired).';

COMMENT ON COLUMN inventory.inventory_reservations.held IS 'Units it still holds: quantity - fulfilled - released.';

COMMENT ON COLUMN inventory.inventory_reservations.expires_at IS 'When the hold ends: after it FULFILL is refused (IV014) and inventory_expire_reservations() releases what is held.';

COMMENT ON COLUMN inventory.inventory_reservations.status IS 'ACTIVE while it holds units; then FULFILLED (something shipped), RELEASED (nothing shipped) or EXPIRED (released by expiry).';

COMMENT ON COLUMN inventory.inventory_reservations.created_at IS 'When the first ALLOCATE made it.';

COMMENT ON COLUMN inventory.inventory_reservations.updated_at IS 'When an event last changed it.';

GRANT SELECT ON TABLE inventory.inventory_reservations TO inventory_reader;

CREATE INDEX IF NOT EXISTS inventory_reservations_active_idx ON inventory.inventory_reservations USING btree (sku, warehouse_id) WHERE (status = 'ACTIVE'::text);

CREATE INDEX IF NOT EXISTS inventory_reservations_expiry_idx ON inventory.inventory_reservations USING btree (expires_at) WHERE (status = 'ACTIVE'::text);

CREATE INDEX IF NOT EXISTS inventory_reservations_order_idx ON inventory.inventory_reservations USING btree (order_ref) WHERE (order_ref IS NOT NULL);

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_reservations', '');

CREATE OR REPLACE FUNCTION inventory.inventory_expire_reservations(max_reservations integer DEFAULT 1000, skip_locked boolean DEFAULT false) RETURNS TABLE(reference_id text, sku text, warehouse_id integer, released bigint, event_id uuid)
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_owner_entry';

COMMENT ON FUNCTION inventory.inventory_expire_reservations(max_reservations integer, skip_locked boolean) IS 'Releases what expired reservations still hold (at most max_reservations per call) with a DEALLOCATE event of reason EXPIRED, and returns one row per release. Runs in the caller''s transaction and keeps every level it locked until that ends; skip_locked => true passes over levels other transactions hold (left for the next run) instead of waiting. Safe to run concurrently and repeatedly: a reservation is released once. For pg_cron use the procedure inventory_expire_reservations_in_batches(), which commits after each batch.';

REVOKE ALL ON FUNCTION inventory.inventory_expire_reservations(max_reservations integer, skip_locked boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_expire_reservations(max_reservations integer, skip_locked boolean) TO inventory_app;

CREATE OR REPLACE FUNCTION inventory.inventory_expire_reservations_body(max_reservations integer DEFAULT 1000, skip_locked boolean DEFAULT false) RETURNS TABLE(reference_id text, sku text, warehouse_id integer, released bigint, event_id uuid)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  due record;
  due_refs text[];
  due_skus text[];
  due_warehouses integer[];
  still_held bigint;
  run_at timestamptz := clock_timestamp();  -- a value, so the partial expiry index serves
BEGIN
  IF max_reservations IS NULL OR max_reservations < 1 THEN
    RAISE EXCEPTION 'max_reservations must be a positive number'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF skip_locked IS NULL THEN
    RAISE EXCEPTION 'skip_locked must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  LOCK TABLE inventory.inventory_ledger IN ROW EXCLUSIVE MODE;
  IF skip_locked THEN
    -- The first due reservations whose levels no other transaction holds, their levels locked
    -- by this one statement (global order, never waiting); the others wait for the next run.
    SELECT array_agg(d.reference_id ORDER BY d.sku COLLATE "C", d.warehouse_id,
                                             d.reference_id COLLATE "C"),
           array_agg(d.sku ORDER BY d.sku COLLATE "C", d.warehouse_id, d.reference_id COLLATE "C"),
           array_agg(d.warehouse_id ORDER BY d.sku COLLATE "C", d.warehouse_id,
                                             d.reference_id COLLATE "C")
      INTO due_refs, due_skus, due_warehouses
      FROM (SELECT r.reference_id, r.sku, r.warehouse_id
              FROM inventory.inventory_reservations r
              JOIN inventory.inventory_levels l
                ON l.sku = r.sku AND l.warehouse_id = r.warehouse_id
             WHERE r.status = 'ACTIVE' AND r.expires_at <= run_at
             ORDER BY r.sku COLLATE "C", r.warehouse_id, r.reference_id COLLATE "C"
             LIMIT max_reservations
               FOR UPDATE OF l SKIP LOCKED) d;
  ELSE
    -- Levels are locked one by one in the event engine's global order (SKU bytewise, then
    -- warehouse), waiting for other transactions.
    SELECT array_agg(r.reference_id ORDER BY r.sku COLLATE "C", r.warehouse_id,
                                             r.reference_id COLLATE "C"),
           array_agg(r.sku ORDER BY r.sku COLLATE "C", r.warehouse_id, r.reference_id COLLATE "C"),
           array_agg(r.warehouse_id ORDER BY r.sku COLLATE "C", r.warehouse_id,
                                             r.reference_id COLLATE "C")
      INTO due_refs, due_skus, due_warehouses
      FROM (SELECT r.reference_id, r.sku, r.warehouse_id
              FROM inventory.inventory_reservations r
             WHERE r.status = 'ACTIVE' AND r.expires_at <= run_at
             ORDER BY r.sku COLLATE "C", r.warehouse_id, r.reference_id COLLATE "C"
             LIMIT max_reservations) r;
  END IF;
  -- Each reservation is read again under its level's lock: a FULFILL or another expiry run
  -- that got there first has already taken the units.
  FOR due IN
    SELECT u.reference_id, u.sku, u.warehouse_id
      FROM unnest(due_refs, due_skus, due_warehouses) WITH ORDINALITY
             AS u(reference_id, sku, warehouse_id, n)
     ORDER BY u.n
  LOOP
    IF NOT skip_locked THEN
      PERFORM FROM inventory.inventory_levels l
        WHERE l.sku = due.sku AND l.warehouse_id = due.warehouse_id
        FOR UPDATE;
    END IF;
    SELECT r.held INTO still_held
      FROM inventory.inventory_reservations r
     WHERE r.reference_id = due.reference_id AND r.sku = due.sku
       AND r.warehouse_id = due.warehouse_id
       AND r.status = 'ACTIVE' AND r.expires_at <= run_at;
    CONTINUE WHEN NOT FOUND;
    reference_id := due.reference_id;
    sku := due.sku;
    warehouse_id := due.warehouse_id;
    released := still_held;
    SELECT e.event_id INTO event_id
      FROM inventory.inventory_apply_event(due.sku, due.warehouse_id, 'DEALLOCATE', still_held,
                                           due.reference_id, reason => 'EXPIRED') AS e;
    RETURN NEXT;
  END LOOP;
END;
$$;

COMMENT ON FUNCTION inventory.inventory_expire_reservations_body(max_reservations integer, skip_locked boolean) IS 'The code of inventory.inventory_expire_reservations(); runs as the extension''s owner and is granted to nobody: inventory.inventory_expire_reservations() checks its caller and calls it.';

REVOKE ALL ON FUNCTION inventory.inventory_expire_reservations_body(max_reservations integer, skip_locked boolean) FROM PUBLIC;

CREATE OR REPLACE FUNCTION inventory.inventory_verify_reservations() RETURNS TABLE(reference_id text, sku text, warehouse_id integer, problem text)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  WITH sums AS (
    SELECT g.reference_id, g.sku, g.warehouse_id,
           coalesce(sum(g.quantity) FILTER (WHERE g.event_type = 'ALLOCATE'), 0) AS allocated,
           coalesce(sum(g.quantity) FILTER (WHERE g.event_type = 'FULFILL'), 0) AS fulfilled,
           coalesce(sum(g.quantity) FILTER (WHERE g.event_type = 'DEALLOCATE'), 0) AS released
      FROM inventory.inventory_ledger g
     WHERE g.reference_id IS NOT NULL AND g.event_type IN ('ALLOCATE', 'FULFILL', 'DEALLOCATE')
     GROUP BY 1, 2, 3)
  SELECT r.reference_id, r.sku, r.warehouse_id,
         format('reservation says %s/%s/%s allocated/fulfilled/released, ledger %s/%s/%s',
                r.quantity, r.fulfilled, r.released, coalesce(s.allocated, 0),
                coalesce(s.fulfilled, 0), coalesce(s.released, 0))
    FROM inventory.inventory_reservations r
    LEFT JOIN sums s ON s.reference_id = r.reference_id AND s.sku = r.sku
                    AND s.warehouse_id = r.warehouse_id
   WHERE (r.quantity, r.fulfilled, r.released)
         IS DISTINCT FROM (s.allocated, s.fulfilled, s.released)
  UNION ALL
  SELECT NULL, h.sku, h.warehouse_id,
         format('reservations hold %s units, the level has %s reserved', h.held,
                coalesce(l.reserved, 0))
    FROM (SELECT r.sku, r.warehouse_id, sum(r.held) AS held
            FROM inventory.inventory_reservations r
           WHERE r.status = 'ACTIVE'
           GROUP BY 1, 2) h
    LEFT JOIN inventory.inventory_levels l ON l.sku = h.sku AND l.warehouse_id = h.warehouse_id
   WHERE h.held > coalesce(l.reserved, 0)
  ORDER BY 2, 3, 1;
$$;

COMMENT ON FUNCTION inventory.inventory_verify_reservations() IS 'Reservations whose allocated, fulfilled or released units differ from the ledger events that name them, and levels whose reservations hold more than is reserved; empty when true.';

REVOKE ALL ON FUNCTION inventory.inventory_verify_reservations() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_verify_reservations() TO inventory_reader;

CREATE OR REPLACE PROCEDURE inventory.inventory_expire_reservations_in_batches(IN batch_size integer DEFAULT 100, IN max_batches integer DEFAULT 100)
    LANGUAGE plpgsql
    AS $$
-- No SET clause and no SECURITY DEFINER (either forbids COMMIT): every name and operator is
-- qualified, and the work is done by the SECURITY DEFINER function, one transaction per batch.
DECLARE
  batches integer := 0;
  released bigint;
BEGIN
  IF batch_size IS NULL OR batch_size OPERATOR(pg_catalog.<) 1
     OR max_batches IS NULL OR max_batches OPERATOR(pg_catalog.<) 1 THEN
    RAISE EXCEPTION 'batch_size and max_batches must be positive numbers'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  LOOP
    BEGIN
      SELECT pg_catalog.count(*) INTO released
        FROM inventory.inventory_expire_reservations(batch_size, skip_locked => true);
    EXCEPTION WHEN serialization_failure OR deadlock_detected THEN
      -- REPEATABLE READ or SERIALIZABLE: a level changed after this batch's snapshot. The next
      -- batch runs in a new transaction with a new snapshot.
      released := NULL;
    END;
    COMMIT;
    batches := batches OPERATOR(pg_catalog.+) 1;
    -- A short batch: nothing more is due that is not locked by someone else.
    EXIT WHEN batches OPERATOR(pg_catalog.>=) max_batches
           OR released OPERATOR(pg_catalog.<) batch_size::bigint;
  END LOOP;
END;
$$;

COMMENT ON PROCEDURE inventory.inventory_expire_reservations_in_batches(IN batch_size integer, IN max_batches integer) IS 'Releases expired reservations like inventory_expire_reservations(), batch_size at a time, committing after each batch (at most max_batches), so no level stays locked longer than one batch; reservations whose level another transaction holds are left for the next run. CALL it outside a transaction block, e.g. from pg_cron: CALL inventory.inventory_expire_reservations_in_batches();';

REVOKE ALL ON PROCEDURE inventory.inventory_expire_reservations_in_batches(IN batch_size integer, IN max_batches integer) FROM PUBLIC;
GRANT ALL ON PROCEDURE inventory.inventory_expire_reservations_in_batches(IN batch_size integer, IN max_batches integer) TO inventory_app;
