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
    stripe smallint DEFAULT 0 NOT NULL,
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

COMMENT ON COLUMN inventory.inventory_reservations.stripe IS 'The stripe of the level that holds its units (0 for a SKU that is not striped): FULFILL and DEALLOCATE naming it take from that stripe.';

GRANT SELECT ON TABLE inventory.inventory_reservations TO inventory_reader;

CREATE INDEX IF NOT EXISTS inventory_reservations_active_idx ON inventory.inventory_reservations USING btree (sku, warehouse_id) WHERE (status = 'ACTIVE'::text);

COMMENT ON INDEX inventory.inventory_reservations_active_idx IS 'What the active reservations of a level hold: read by a FULFILL or DEALLOCATE without a reference_id, which may only take units no reservation holds.';

CREATE INDEX IF NOT EXISTS inventory_reservations_expiry_idx ON inventory.inventory_reservations USING btree (expires_at) WHERE ((status = 'ACTIVE'::text) AND (expires_at IS NOT NULL));

COMMENT ON INDEX inventory.inventory_reservations_expiry_idx IS 'The holds that have ended (inventory_expire_reservations), oldest first; only active reservations with an end have an entry.';

CREATE INDEX IF NOT EXISTS inventory_reservations_order_idx ON inventory.inventory_reservations USING btree (order_ref) WHERE (order_ref IS NOT NULL);

COMMENT ON INDEX inventory.inventory_reservations_order_idx IS 'The reservations of an order (inventory_release_order and an order''s retry).';

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_reservations', '');

CREATE OR REPLACE FUNCTION inventory.inventory_expire_reservations(max_reservations integer DEFAULT 1000, skip_locked boolean DEFAULT false) RETURNS TABLE(reference_id text, sku text, warehouse_id integer, released bigint, event_id uuid)
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_expire_reservations';

COMMENT ON FUNCTION inventory.inventory_expire_reservations(max_reservations integer, skip_locked boolean) IS 'Releases what expired reservations still hold (at most max_reservations per call) with a DEALLOCATE event of reason EXPIRED, and returns one row per release. Runs in the caller''s transaction and keeps every level it locked until that ends; skip_locked => true passes over levels other transactions hold (left for the next run) instead of waiting. Safe to run concurrently and repeatedly: a reservation is released once. For pg_cron use the procedure inventory_expire_reservations_in_batches(), which commits after each batch.';

REVOKE ALL ON FUNCTION inventory.inventory_expire_reservations(max_reservations integer, skip_locked boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_expire_reservations(max_reservations integer, skip_locked boolean) TO inventory_app;

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
  UNION ALL
  -- A striped level: each stripe holds the units of the reservations on it.
  SELECT NULL, h.sku, h.warehouse_id,
         format('stripe %s: reservations hold %s units, the stripe has %s reserved', h.stripe,
                h.held, coalesce(l.reserved, 0))
    FROM (SELECT r.sku, r.warehouse_id, r.stripe, sum(r.held) AS held
            FROM inventory.inventory_reservations r
           WHERE r.status = 'ACTIVE'
           GROUP BY 1, 2, 3) h
    LEFT JOIN inventory.inventory_level_stripes l
           ON l.sku = h.sku AND l.warehouse_id = h.warehouse_id AND l.stripe = h.stripe
   WHERE h.held > coalesce(l.reserved, 0)
     AND (h.stripe <> 0
          OR EXISTS (SELECT FROM inventory.inventory_level_stripes o
                      WHERE o.sku = h.sku AND o.warehouse_id = h.warehouse_id AND o.stripe <> 0))
  ORDER BY 2, 3, 1, 4;
$$;

COMMENT ON FUNCTION inventory.inventory_verify_reservations() IS 'Reservations whose allocated, fulfilled or released units differ from the ledger events that name them, levels whose reservations hold more than is reserved, and, of a striped level, stripes whose reservations hold more than the stripe has reserved; empty when true.';

REVOKE ALL ON FUNCTION inventory.inventory_verify_reservations() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_verify_reservations() TO inventory_reader;

CREATE OR REPLACE PROCEDURE inventory.inventory_expire_reservations_in_batches(IN batch_size integer DEFAULT 100, IN max_batches integer DEFAULT 100)
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'inventory_expire_reservations_in_batches';

COMMENT ON PROCEDURE inventory.inventory_expire_reservations_in_batches(IN batch_size integer, IN max_batches integer) IS 'Releases expired reservations like inventory_expire_reservations(), batch_size at a time, committing after each batch (at most max_batches), so no level stays locked longer than one batch; reservations whose level another transaction holds are left for the next run. CALL it outside a transaction block, e.g. from pg_cron: CALL inventory.inventory_expire_reservations_in_batches();';

REVOKE ALL ON PROCEDURE inventory.inventory_expire_reservations_in_batches(IN batch_size integer, IN max_batches integer) FROM PUBLIC;
GRANT ALL ON PROCEDURE inventory.inventory_expire_reservations_in_batches(IN batch_size integer, IN max_batches integer) TO inventory_app;
