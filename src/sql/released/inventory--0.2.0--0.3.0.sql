-- inventory 0.2.0 -> 0.3.0: reservations per order line with expiry, order allocation across the
-- warehouses that serve a ship-to country, transfers with goods in transit, and purchase orders
-- whose incoming units are visible but never sellable.
-- There is no full 0.3.0 script: CREATE EXTENSION runs inventory--0.2.0.sql and then this file,
-- so a fresh install and an updated one are the same by construction.

\echo Use "ALTER EXTENSION inventory UPDATE TO '0.3.0'" to load this file. \quit

--------------------------------------------------------------------------------------------------
-- Ledger: the hold an ALLOCATE places
--------------------------------------------------------------------------------------------------

ALTER TABLE inventory.inventory_ledger ADD COLUMN expires_at timestamptz;
COMMENT ON COLUMN inventory.inventory_ledger.expires_at IS
  'ALLOCATE with a reference_id: when the reservation''s hold ends (NULL: it does not expire).';

CREATE OR REPLACE VIEW inventory.inventory_movements AS
SELECT g.id AS event_id, g.created_at, g.sku, g.warehouse_id, w.code AS warehouse_code,
       w.name AS warehouse_name, g.event_type, g.quantity, g.reason, g.reference_id,
       g.on_hand_after - g.on_hand_change AS on_hand_before, g.on_hand_change, g.on_hand_after,
       g.reserved_after - g.reserved_change AS reserved_before, g.reserved_change,
       g.reserved_after, g.available_after, g.level_version, g.actor, g.idempotency_key,
       g.related_event_id, g.metadata, g.expires_at
  FROM inventory.inventory_ledger g
  LEFT JOIN inventory.inventory_warehouses w ON w.id = g.warehouse_id;

--------------------------------------------------------------------------------------------------
-- Internal helpers (C): not granted to any role, called by the SECURITY DEFINER functions below
--------------------------------------------------------------------------------------------------

CREATE FUNCTION inventory.inventory_validate_sku(sku text)
RETURNS void
LANGUAGE c IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_validate_sku';
COMMENT ON FUNCTION inventory.inventory_validate_sku(text) IS
  'Raises 22004 for a NULL SKU and IV009 for one the ledger would refuse; internal.';

CREATE FUNCTION inventory.inventory_append_transfer_leg(
  sku text,
  warehouse_id integer,
  event_type text,
  quantity bigint,
  reference_id text,
  idempotency_key text,
  reason text,
  metadata jsonb,
  related_event_id uuid,
  OUT event_id uuid,
  OUT replayed boolean,
  OUT on_hand bigint,
  OUT reserved bigint,
  OUT available_to_sell bigint)
RETURNS record
LANGUAGE c VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_append_transfer_leg';
COMMENT ON FUNCTION inventory.inventory_append_transfer_leg(text, integer, text, bigint, text, text, text, jsonb, uuid) IS
  'One TRANSFER_OUT or TRANSFER_IN event through the event engine; internal to '
  'inventory_dispatch_transfer and inventory_receive_transfer.';

--------------------------------------------------------------------------------------------------
-- Writing events: ALLOCATE may carry the hold's end
--------------------------------------------------------------------------------------------------

DROP FUNCTION inventory.inventory_apply_event(text, integer, text, bigint, text, text, text, jsonb);
CREATE FUNCTION inventory.inventory_apply_event(
  sku text,
  warehouse_id integer,
  event_type text,
  quantity bigint,
  reference_id text DEFAULT NULL,
  idempotency_key text DEFAULT NULL,
  reason text DEFAULT NULL,
  metadata jsonb DEFAULT NULL,
  expires_at timestamptz DEFAULT NULL,
  OUT event_id uuid,
  OUT replayed boolean,
  OUT on_hand bigint,
  OUT reserved bigint,
  OUT available_to_sell bigint)
RETURNS record
LANGUAGE c VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_apply_event';
COMMENT ON FUNCTION inventory.inventory_apply_event(text, integer, text, bigint, text, text, text, jsonb, timestamptz) IS
  'Appends one event to the ledger and returns the level after it. ALLOCATE with a reference_id '
  'reserves for that order line (until expires_at, when given); FULFILL and DEALLOCATE with a '
  'reference_id take only from that reservation. With an idempotency key already used for the '
  'same payload it returns the original event (replayed = true) and changes nothing; for a '
  'different payload it raises IV002.';

COMMENT ON FUNCTION inventory.inventory_apply_events(jsonb) IS
  'Applies a JSON array of events ({"sku", "warehouse_id", "event_type", "quantity", '
  '"reference_id", "idempotency_key", "reason", "metadata", "expires_at"}) all or nothing, in '
  'array order, after locking every idempotency key and level row once in one global order; '
  'one result row per event, as inventory_apply_event would return it.';

--------------------------------------------------------------------------------------------------
-- Warehouses that serve countries
--------------------------------------------------------------------------------------------------

CREATE TABLE inventory.inventory_warehouse_countries (
  warehouse_id integer NOT NULL,
  country      text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  priority     integer NOT NULL DEFAULT 100 CHECK (priority >= 0),
  PRIMARY KEY (warehouse_id, country)
);
CREATE INDEX inventory_warehouse_countries_country_idx
  ON inventory.inventory_warehouse_countries (country, priority, warehouse_id);
COMMENT ON TABLE inventory.inventory_warehouse_countries IS
  'Which ship-to countries each warehouse serves; a new warehouse serves its own country. '
  'Change it with inventory_serve_country() and inventory_stop_serving_country().';
COMMENT ON COLUMN inventory.inventory_warehouse_countries.country IS
  'ISO 3166-1 alpha-2 ship-to country, e.g. US.';
COMMENT ON COLUMN inventory.inventory_warehouse_countries.priority IS
  'Lower is preferred when an order is allocated by priority (ties: lower warehouse id).';
INSERT INTO inventory.inventory_warehouse_countries (warehouse_id, country)
SELECT w.id, w.country FROM inventory.inventory_warehouses w;

CREATE OR REPLACE FUNCTION inventory.inventory_create_warehouse(
  code text, name text, country text, id integer DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  new_id integer;
BEGIN
  IF code IS NULL OR name IS NULL OR country IS NULL THEN
    RAISE EXCEPTION 'code, name and country must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  INSERT INTO inventory.inventory_warehouses (id, code, name, country)
  VALUES (coalesce(id, nextval('inventory.inventory_warehouses_id_seq')::integer), code, name,
          upper(country))
  RETURNING inventory_warehouses.id INTO new_id;
  INSERT INTO inventory.inventory_warehouse_countries (warehouse_id, country)
  VALUES (new_id, upper(country));
  RETURN new_id;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_create_warehouse(text, text, text, integer) IS
  'Adds a warehouse, serving its own country, and returns its id.';

CREATE FUNCTION inventory.inventory_serve_country(
  warehouse_id integer, country text, priority integer DEFAULT 100)
RETURNS void
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF warehouse_id IS NULL OR country IS NULL OR priority IS NULL THEN
    RAISE EXCEPTION 'warehouse_id, country and priority must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF upper(country) !~ '^[A-Z]{2}$' THEN
    RAISE EXCEPTION 'country must be an ISO 3166-1 alpha-2 code, not "%"', country
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF priority < 0 THEN
    RAISE EXCEPTION 'priority must not be negative' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT EXISTS (SELECT FROM inventory.inventory_warehouses w WHERE w.id = warehouse_id) THEN
    RAISE EXCEPTION 'unknown warehouse %', warehouse_id USING ERRCODE = 'IV003';
  END IF;
  INSERT INTO inventory.inventory_warehouse_countries AS c (warehouse_id, country, priority)
  VALUES (warehouse_id, upper(country), priority)
  ON CONFLICT ON CONSTRAINT inventory_warehouse_countries_pkey
  DO UPDATE SET priority = EXCLUDED.priority;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_serve_country(integer, text, integer) IS
  'Lets a warehouse ship to a country, at a priority (lower is preferred); sets the priority '
  'when it already serves it.';

CREATE FUNCTION inventory.inventory_stop_serving_country(warehouse_id integer, country text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF warehouse_id IS NULL OR country IS NULL THEN
    RAISE EXCEPTION 'warehouse_id and country must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  DELETE FROM inventory.inventory_warehouse_countries c
   WHERE c.warehouse_id = inventory_stop_serving_country.warehouse_id
     AND c.country = upper(inventory_stop_serving_country.country);
  RETURN FOUND;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_stop_serving_country(integer, text) IS
  'The warehouse no longer ships to the country; false when it did not.';

--------------------------------------------------------------------------------------------------
-- Reservations, kept by the event engine and the ledger trigger
--------------------------------------------------------------------------------------------------

CREATE TABLE inventory.inventory_reservations (
  reference_id text NOT NULL,
  sku          text NOT NULL,
  warehouse_id integer NOT NULL,
  order_ref    text,
  quantity     bigint NOT NULL CHECK (quantity > 0),
  fulfilled    bigint NOT NULL DEFAULT 0 CHECK (fulfilled >= 0),
  released     bigint NOT NULL DEFAULT 0 CHECK (released >= 0),
  held         bigint GENERATED ALWAYS AS (quantity - fulfilled - released) STORED,
  expires_at   timestamptz,
  status       text NOT NULL DEFAULT 'ACTIVE',
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (reference_id, sku, warehouse_id),
  CONSTRAINT inventory_reservations_held_check CHECK (fulfilled + released <= quantity),
  CONSTRAINT inventory_reservations_status_check
    CHECK (status IN ('ACTIVE', 'FULFILLED', 'RELEASED', 'EXPIRED')
           AND (status = 'ACTIVE') = (fulfilled + released < quantity))
);
CREATE INDEX inventory_reservations_active_idx
  ON inventory.inventory_reservations (sku, warehouse_id) WHERE status = 'ACTIVE';
CREATE INDEX inventory_reservations_expiry_idx
  ON inventory.inventory_reservations (expires_at) WHERE status = 'ACTIVE';
CREATE INDEX inventory_reservations_order_idx
  ON inventory.inventory_reservations (order_ref) WHERE order_ref IS NOT NULL;
COMMENT ON TABLE inventory.inventory_reservations IS
  'What each order line holds per SKU and warehouse: created by ALLOCATE with a reference_id, '
  'consumed by FULFILL and DEALLOCATE naming it, in the same transaction as their ledger rows. '
  'Never write it directly.';
COMMENT ON COLUMN inventory.inventory_reservations.reference_id IS
  'The ALLOCATE''s reference_id, e.g. ORDER-1001/1 (order and line).';
COMMENT ON COLUMN inventory.inventory_reservations.order_ref IS
  'The order, when inventory_allocate_order() made the reservation.';
COMMENT ON COLUMN inventory.inventory_reservations.quantity IS 'Units allocated in total.';
COMMENT ON COLUMN inventory.inventory_reservations.fulfilled IS 'Units shipped from it.';
COMMENT ON COLUMN inventory.inventory_reservations.released IS
  'Units given back by DEALLOCATE (cancelled or expired).';
COMMENT ON COLUMN inventory.inventory_reservations.held IS
  'Units it still holds: quantity - fulfilled - released.';
COMMENT ON COLUMN inventory.inventory_reservations.expires_at IS
  'When the hold ends: after it FULFILL is refused (IV014) and inventory_expire_reservations() '
  'releases what is held.';
COMMENT ON COLUMN inventory.inventory_reservations.status IS
  'ACTIVE while it holds units; then FULFILLED (something shipped), RELEASED (nothing shipped) '
  'or EXPIRED (released by expiry).';

-- Reservations that 0.2.0 recorded through references: every (reference_id, sku, warehouse) with
-- ALLOCATE events whose FULFILL and DEALLOCATE events do not exceed them, on levels where all of
-- them together hold no more than is reserved. Elsewhere 0.2.0 clients shipped or released under
-- other references (or none): those levels' reserved units stay unassigned, to be taken by
-- FULFILL and DEALLOCATE without a reference_id.
WITH sums AS (
  SELECT g.reference_id, g.sku, g.warehouse_id,
         coalesce(sum(g.quantity) FILTER (WHERE g.event_type = 'ALLOCATE'), 0) AS allocated,
         coalesce(sum(g.quantity) FILTER (WHERE g.event_type = 'FULFILL'), 0) AS fulfilled,
         coalesce(sum(g.quantity) FILTER (WHERE g.event_type = 'DEALLOCATE'), 0) AS released,
         min(g.created_at) AS first_at, max(g.created_at) AS last_at
    FROM inventory.inventory_ledger g
   WHERE g.reference_id IS NOT NULL AND g.event_type IN ('ALLOCATE', 'FULFILL', 'DEALLOCATE')
   GROUP BY 1, 2, 3),
candidates AS (
  SELECT s.*, sum(s.allocated - s.fulfilled - s.released)
                OVER (PARTITION BY s.sku, s.warehouse_id) AS level_held
    FROM sums s
   WHERE s.allocated > 0 AND s.fulfilled + s.released <= s.allocated)
INSERT INTO inventory.inventory_reservations
       (reference_id, sku, warehouse_id, quantity, fulfilled, released, status, created_at,
        updated_at)
SELECT c.reference_id, c.sku, c.warehouse_id, c.allocated, c.fulfilled, c.released,
       CASE WHEN c.allocated > c.fulfilled + c.released THEN 'ACTIVE'
            WHEN c.fulfilled > 0 THEN 'FULFILLED' ELSE 'RELEASED' END,
       c.first_at, c.last_at
  FROM candidates c
  JOIN inventory.inventory_levels l ON l.sku = c.sku AND l.warehouse_id = c.warehouse_id
 WHERE c.level_held <= l.reserved;

CREATE FUNCTION inventory.inventory_verify_reservations()
RETURNS TABLE (reference_id text, sku text, warehouse_id integer, problem text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION inventory.inventory_verify_reservations() IS
  'Reservations whose allocated, fulfilled or released units differ from the ledger events '
  'that name them, and levels whose reservations hold more than is reserved; empty when true.';

--------------------------------------------------------------------------------------------------
-- Expiry
--------------------------------------------------------------------------------------------------

CREATE FUNCTION inventory.inventory_expire_reservations(max_reservations integer DEFAULT 1000)
RETURNS TABLE (reference_id text, sku text, warehouse_id integer, released bigint,
               event_id uuid)
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  due record;
  still_held bigint;
  run_at timestamptz := clock_timestamp();  -- a value, so the partial expiry index serves
BEGIN
  IF max_reservations IS NULL OR max_reservations < 1 THEN
    RAISE EXCEPTION 'max_reservations must be a positive number'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- Levels are locked in the event engine's global order (SKU bytewise, then warehouse), and
  -- each reservation is read again under its level's lock: a FULFILL or another expiry run that
  -- got there first has already taken the units.
  FOR due IN
    SELECT r.reference_id, r.sku, r.warehouse_id
      FROM inventory.inventory_reservations r
     WHERE r.status = 'ACTIVE' AND r.expires_at <= run_at
     ORDER BY r.sku COLLATE "C", r.warehouse_id, r.reference_id COLLATE "C"
     LIMIT max_reservations
  LOOP
    PERFORM FROM inventory.inventory_levels l
      WHERE l.sku = due.sku AND l.warehouse_id = due.warehouse_id
      FOR UPDATE;
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
COMMENT ON FUNCTION inventory.inventory_expire_reservations(integer) IS
  'Releases what every expired reservation still holds (at most max_reservations per call) with '
  'a DEALLOCATE event of reason EXPIRED, and returns one row per release. Safe to run '
  'concurrently and repeatedly: a reservation is released once. Schedule it with pg_cron.';

--------------------------------------------------------------------------------------------------
-- Orders
--------------------------------------------------------------------------------------------------

CREATE TABLE inventory.inventory_orders (
  order_ref    text PRIMARY KEY CHECK (char_length(order_ref) BETWEEN 1 AND 200),
  ship_to      text CHECK (ship_to ~ '^[A-Z]{2}$'),
  warehouse_id integer,
  strategy     text NOT NULL CHECK (strategy IN ('PRIORITY', 'MOST_STOCK')),
  allow_split  boolean NOT NULL,
  expires_at   timestamptz,
  lines        jsonb NOT NULL,
  metadata     jsonb,
  allocation   jsonb,
  actor        text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT inventory_orders_destination_check CHECK ((ship_to IS NULL) <> (warehouse_id IS NULL))
);
COMMENT ON TABLE inventory.inventory_orders IS
  'Orders allocated with inventory_allocate_order(): the request as given and where each unit '
  'was reserved. The order_ref makes the call idempotent.';
COMMENT ON COLUMN inventory.inventory_orders.lines IS
  'The lines as requested: [{"line", "sku", "quantity"}].';
COMMENT ON COLUMN inventory.inventory_orders.allocation IS
  'Where each line was reserved: [{"line", "sku", "warehouse_id", "quantity", "reference_id", '
  '"event_id"}].';
COMMENT ON COLUMN inventory.inventory_orders.actor IS 'The role that allocated the order.';

CREATE FUNCTION inventory.inventory_allocate_order(
  order_ref text,
  lines jsonb,
  ship_to text DEFAULT NULL,
  fixed_warehouse_id integer DEFAULT NULL,
  expires_at timestamptz DEFAULT NULL,
  allow_split boolean DEFAULT false,
  strategy text DEFAULT 'PRIORITY',
  metadata jsonb DEFAULT NULL)
RETURNS TABLE (line text, sku text, warehouse_id integer, quantity bigint, reference_id text,
               event_id uuid, replayed boolean)
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  destination text := upper(ship_to);
  how text := upper(strategy);
  requested jsonb;
  stored inventory.inventory_orders;
  candidates integer[];
  priorities integer[];
  skus text[];
  item record;
  level record;
  free jsonb := '{}';        -- "sku|warehouse" -> units still sellable in this allocation
  backorder jsonb := '{}';   -- sku -> true when the SKU allows backorders
  remaining bigint;
  take bigint;
  chosen integer;
  events jsonb := '[]';
  plan jsonb := '[]';
  result jsonb;
BEGIN
  IF order_ref IS NULL OR lines IS NULL OR allow_split IS NULL OR strategy IS NULL THEN
    RAISE EXCEPTION 'order_ref, lines, allow_split and strategy must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF (ship_to IS NULL) = (fixed_warehouse_id IS NULL) THEN
    RAISE EXCEPTION 'pass exactly one of ship_to and fixed_warehouse_id'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'ship_to chooses among the warehouses that serve the country; fixed_warehouse_id names one.';
  END IF;
  IF destination !~ '^[A-Z]{2}$' THEN
    RAISE EXCEPTION 'ship_to must be an ISO 3166-1 alpha-2 code, not "%"', ship_to
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF how NOT IN ('PRIORITY', 'MOST_STOCK') THEN
    RAISE EXCEPTION 'unknown allocation strategy "%"', strategy
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Use PRIORITY or MOST_STOCK.';
  END IF;
  IF char_length(order_ref) NOT BETWEEN 1 AND 200 OR order_ref ~ '[[:cntrl:]]' THEN
    RAISE EXCEPTION 'order_ref must be 1 to 200 characters without control characters'
      USING ERRCODE = 'IV010';
  END IF;
  IF metadata IS NOT NULL AND jsonb_typeof(metadata) <> 'object' THEN
    RAISE EXCEPTION 'metadata must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
  END IF;

  -- The lines, checked and in a canonical form: [{"line", "sku", "quantity"}].
  IF jsonb_typeof(lines) <> 'array' OR jsonb_array_length(lines) = 0 THEN
    RAISE EXCEPTION 'lines must be a non-empty JSON array of {"sku", "quantity", "line"} objects'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR item IN SELECT e.v, e.i FROM jsonb_array_elements(lines) WITH ORDINALITY AS e(v, i) LOOP
    IF jsonb_typeof(item.v) <> 'object'
       OR EXISTS (SELECT FROM jsonb_object_keys(item.v) k WHERE k NOT IN ('line', 'sku', 'quantity'))
    THEN
      RAISE EXCEPTION 'line % is not an object of the keys line, sku and quantity', item.i
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT item.v ? 'sku' OR jsonb_typeof(item.v -> 'sku') = 'null' THEN
      RAISE EXCEPTION 'line %: sku must not be NULL', item.i USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF jsonb_typeof(item.v -> 'sku') <> 'string' THEN
      RAISE EXCEPTION 'line %: sku must be a string', item.i USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM inventory.inventory_validate_sku(item.v ->> 'sku');
    IF jsonb_typeof(item.v -> 'quantity') IS DISTINCT FROM 'number'
       OR (item.v ->> 'quantity')::numeric NOT BETWEEN 1 AND 9223372036854775807
       OR (item.v ->> 'quantity')::numeric <> trunc((item.v ->> 'quantity')::numeric) THEN
      RAISE EXCEPTION 'line %: quantity must be a positive whole number, not %', item.i,
                      coalesce((item.v -> 'quantity')::text, 'null')
        USING ERRCODE = 'IV004';
    END IF;
    -- No "/" in a line id: order_ref/line then names one order line only.
    IF item.v ? 'line' AND (jsonb_typeof(item.v -> 'line') NOT IN ('string', 'number')
                            OR char_length(item.v ->> 'line') NOT BETWEEN 1 AND 50
                            OR (item.v ->> 'line') ~ '[[:cntrl:]/]') THEN
      RAISE EXCEPTION 'line %: line must be a string or number of 1 to 50 characters, without "/"',
                      item.i
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    requested := coalesce(requested, '[]') || jsonb_build_array(jsonb_build_object(
      'line', coalesce(item.v ->> 'line', item.i::text),
      'sku', item.v ->> 'sku',
      'quantity', (item.v ->> 'quantity')::numeric::bigint));
  END LOOP;
  IF (SELECT count(DISTINCT e ->> 'line') FROM jsonb_array_elements(requested) e)
     <> jsonb_array_length(requested) THEN
    RAISE EXCEPTION 'line ids must be unique within an order' USING ERRCODE = 'invalid_parameter_value';
  END IF;

  -- One order_ref, one allocation: a retry with the same request returns the first result.
  INSERT INTO inventory.inventory_orders AS o
         (order_ref, ship_to, warehouse_id, strategy, allow_split, expires_at, lines, metadata,
          actor)
  VALUES (order_ref, destination, fixed_warehouse_id, how, allow_split, expires_at, requested,
          metadata, session_user)
  ON CONFLICT ON CONSTRAINT inventory_orders_pkey DO NOTHING;
  IF NOT FOUND THEN
    SELECT o.* INTO stored FROM inventory.inventory_orders o
     WHERE o.order_ref = inventory_allocate_order.order_ref;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'could not serialize access: order % was allocated by a concurrent transaction',
                      order_ref
        USING ERRCODE = 'serialization_failure', HINT = 'Retry the transaction.';
    END IF;
    -- expires_at is not compared: a retry computes now() + interval anew, and the first
    -- call's hold stands.
    IF (stored.ship_to, stored.warehouse_id, stored.strategy, stored.allow_split, stored.lines,
        stored.metadata)
       IS DISTINCT FROM (destination, fixed_warehouse_id, how, allow_split, requested, metadata)
    THEN
      RAISE EXCEPTION 'order % was already allocated with a different request', order_ref
        USING ERRCODE = 'IV002',
              HINT = 'Allocate a changed order under a new order_ref, or release it first.';
    END IF;
    RETURN QUERY
      SELECT a ->> 'line', a ->> 'sku', (a ->> 'warehouse_id')::integer,
             (a ->> 'quantity')::bigint, a ->> 'reference_id', (a ->> 'event_id')::uuid, true
        FROM jsonb_array_elements(stored.allocation) a;
    RETURN;
  END IF;

  -- Candidate warehouses in priority order.
  IF fixed_warehouse_id IS NOT NULL THEN
    IF NOT EXISTS (SELECT FROM inventory.inventory_warehouses w WHERE w.id = fixed_warehouse_id) THEN
      RAISE EXCEPTION 'unknown warehouse %', fixed_warehouse_id USING ERRCODE = 'IV003';
    END IF;
    candidates := ARRAY[fixed_warehouse_id];
    priorities := ARRAY[0];
  ELSE
    SELECT array_agg(c.warehouse_id ORDER BY c.priority, c.warehouse_id),
           array_agg(c.priority ORDER BY c.priority, c.warehouse_id)
      INTO candidates, priorities
      FROM inventory.inventory_warehouse_countries c
     WHERE c.country = destination;
    IF candidates IS NULL THEN
      RAISE EXCEPTION 'no warehouse ships to %', destination
        USING ERRCODE = 'IV016',
              HINT = 'Let a warehouse serve it with inventory.inventory_serve_country().';
    END IF;
  END IF;

  -- Lock every level the order may draw on, in the engine's global order, and read what is
  -- sellable there; the engine checks each ALLOCATE again when it is written. A SKU that allows
  -- backorders may be reserved in the first warehouse without a level there yet: create it
  -- first, so that no level is created after a later one was locked.
  SELECT array_agg(DISTINCT e ->> 'sku') INTO skus FROM jsonb_array_elements(requested) e;
  INSERT INTO inventory.inventory_levels AS l
         (sku, warehouse_id, safety_stock, allow_backorder, backorder_limit)
  SELECT p.sku, candidates[1], p.safety_stock, p.allow_backorder, p.backorder_limit
    FROM inventory.inventory_sku_policies p
   WHERE p.sku = ANY (skus) AND p.allow_backorder
   ORDER BY p.sku COLLATE "C"
  ON CONFLICT ON CONSTRAINT inventory_levels_pkey DO NOTHING;
  FOR level IN
    SELECT l.sku, l.warehouse_id, greatest(l.available_to_sell, 0) AS sellable
      FROM inventory.inventory_levels l
     WHERE l.sku = ANY (skus) AND l.warehouse_id = ANY (candidates)
     ORDER BY l.sku COLLATE "C", l.warehouse_id
       FOR UPDATE
  LOOP
    free := free || jsonb_build_object(level.sku || '|' || level.warehouse_id, level.sellable);
  END LOOP;
  SELECT coalesce(jsonb_object_agg(p.sku, true), '{}') INTO backorder
    FROM inventory.inventory_sku_policies p
   WHERE p.sku = ANY (skus) AND p.allow_backorder;

  FOR item IN
    SELECT e ->> 'line' AS line, e ->> 'sku' AS sku, (e ->> 'quantity')::bigint AS quantity
      FROM jsonb_array_elements(requested) e
  LOOP
    remaining := item.quantity;
    -- Warehouses to draw from, best first. PRIORITY: serving priority, then most sellable
    -- units, then warehouse id. MOST_STOCK: most sellable units, then priority, then id.
    FOR chosen, take IN
      SELECT c.id, c.units
        FROM (SELECT u.id, u.priority,
                     coalesce((free ->> (item.sku || '|' || u.id))::bigint, 0) AS units
                FROM unnest(candidates, priorities) AS u(id, priority)) c
       ORDER BY CASE WHEN how = 'MOST_STOCK' THEN -c.units END, c.priority, -c.units, c.id
    LOOP
      EXIT WHEN remaining = 0;
      CONTINUE WHEN take = 0 OR (NOT allow_split AND take < remaining);
      take := least(take, remaining);
      plan := plan || jsonb_build_array(jsonb_build_object(
        'line', item.line, 'sku', item.sku, 'warehouse_id', chosen, 'quantity', take));
      free := free || jsonb_build_object(item.sku || '|' || chosen,
                                         (free ->> (item.sku || '|' || chosen))::bigint - take);
      remaining := remaining - take;
    END LOOP;
    IF remaining > 0 AND backorder ? item.sku THEN
      -- Backorders: the rest waits in the first candidate (the engine applies backorder_limit).
      plan := plan || jsonb_build_array(jsonb_build_object(
        'line', item.line, 'sku', item.sku, 'warehouse_id', candidates[1],
        'quantity', remaining));
      remaining := 0;
    END IF;
    IF remaining > 0 THEN
      RAISE EXCEPTION 'insufficient stock for line % of order %: % units of % requested', item.line,
                      order_ref, item.quantity, item.sku
        USING ERRCODE = 'IV001',
              DETAIL = format('Sellable now in the %s: %s.',
                              CASE WHEN ship_to IS NULL THEN 'warehouse'
                                   ELSE 'warehouses that ship to ' || destination END,
                              (SELECT coalesce(string_agg(format('%s in warehouse %s',
                                 coalesce((free ->> (item.sku || '|' || c)), '0'), c), ', '), 'none')
                                 FROM unnest(candidates) c)),
              HINT = CASE WHEN allow_split THEN 'Nothing was reserved.'
                          ELSE 'Nothing was reserved; allow_split => true may fill it from several warehouses.' END;
    END IF;
  END LOOP;

  -- The references order_ref/line are new: a reservation already under one of them (made by a
  -- plain ALLOCATE) belongs to something else, and this order must not add to it.
  IF EXISTS (SELECT FROM inventory.inventory_reservations r
              WHERE r.reference_id IN (SELECT inventory_allocate_order.order_ref || '/' ||
                                              (p ->> 'line')
                                         FROM jsonb_array_elements(plan) p)) THEN
    RAISE EXCEPTION 'a reservation already uses a reference_id of order % (order_ref/line)',
                    order_ref
      USING ERRCODE = 'IV002',
            HINT = 'Use another order_ref; plain ALLOCATEs should not use order_ref/line references.';
  END IF;

  -- One ALLOCATE per line and warehouse, all or nothing; the reference names order and line.
  SELECT jsonb_agg(jsonb_build_object(
           'sku', p ->> 'sku', 'warehouse_id', (p ->> 'warehouse_id')::integer,
           'event_type', 'ALLOCATE', 'quantity', (p ->> 'quantity')::bigint,
           'reference_id', order_ref || '/' || (p ->> 'line'),
           'expires_at', expires_at,
           'metadata', coalesce(metadata, '{}') || jsonb_build_object('order_ref', order_ref,
                                                                     'line', p ->> 'line'))
           ORDER BY n)
    INTO events
    FROM jsonb_array_elements(plan) WITH ORDINALITY AS x(p, n);
  SELECT jsonb_agg(p || jsonb_build_object('reference_id', order_ref || '/' || (p ->> 'line'),
                                           'event_id', r.event_id) ORDER BY n)
    INTO result
    FROM jsonb_array_elements(plan) WITH ORDINALITY AS x(p, n)
    JOIN inventory.inventory_apply_events(events) r ON r.ordinal = x.n;

  UPDATE inventory.inventory_reservations r
     SET order_ref = inventory_allocate_order.order_ref
   WHERE (r.reference_id, r.sku, r.warehouse_id) IN
         (SELECT a ->> 'reference_id', a ->> 'sku', (a ->> 'warehouse_id')::integer
            FROM jsonb_array_elements(result) a);
  -- The actor as the ledger records it: the caller's role, not this function's owner.
  UPDATE inventory.inventory_orders o
     SET allocation = result,
         actor = (SELECT g.actor FROM inventory.inventory_ledger g
                   WHERE g.id = (result -> 0 ->> 'event_id')::uuid)
   WHERE o.order_ref = inventory_allocate_order.order_ref;

  RETURN QUERY
    SELECT a ->> 'line', a ->> 'sku', (a ->> 'warehouse_id')::integer,
           (a ->> 'quantity')::bigint, a ->> 'reference_id', (a ->> 'event_id')::uuid, false
      FROM jsonb_array_elements(result) a;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_allocate_order(text, jsonb, text, integer, timestamptz, boolean, text, jsonb) IS
  'Reserves every line of an order or none: lines [{"line", "sku", "quantity"}], in one fixed '
  'warehouse or among the warehouses that serve ship_to, by PRIORITY (serving priority, then '
  'most stock, then id) or MOST_STOCK (most stock, then priority, then id); with allow_split a '
  'line may come from several warehouses. Each '
  'reservation''s reference_id is order_ref/line. Returns where each unit was reserved; a retry '
  'with the same order_ref and request returns the first result (replayed = true).';

CREATE FUNCTION inventory.inventory_release_order(order_ref text, reason text DEFAULT 'CANCELLED')
RETURNS TABLE (reference_id text, sku text, warehouse_id integer, released bigint,
               event_id uuid)
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  events jsonb;
  targets jsonb;
BEGIN
  IF order_ref IS NULL THEN
    RAISE EXCEPTION 'order_ref must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF NOT EXISTS (SELECT FROM inventory.inventory_reservations r
                  WHERE r.order_ref = inventory_release_order.order_ref) THEN
    RAISE EXCEPTION 'no reservations for order %', order_ref USING ERRCODE = 'IV013';
  END IF;
  -- Lock the order's levels first (global order), then read what its reservations still hold.
  PERFORM FROM inventory.inventory_levels l
    WHERE (l.sku, l.warehouse_id) IN (SELECT r.sku, r.warehouse_id
                                        FROM inventory.inventory_reservations r
                                       WHERE r.order_ref = inventory_release_order.order_ref)
    ORDER BY l.sku COLLATE "C", l.warehouse_id
    FOR UPDATE;
  SELECT jsonb_agg(jsonb_build_object('reference_id', r.reference_id, 'sku', r.sku,
                                      'warehouse_id', r.warehouse_id, 'quantity', r.held)
                   ORDER BY r.sku COLLATE "C", r.warehouse_id, r.reference_id COLLATE "C")
    INTO targets
    FROM inventory.inventory_reservations r
   WHERE r.order_ref = inventory_release_order.order_ref AND r.status = 'ACTIVE';
  IF targets IS NULL THEN
    RETURN;
  END IF;
  SELECT jsonb_agg(t || jsonb_build_object('event_type', 'DEALLOCATE', 'reason', reason) ORDER BY n)
    INTO events
    FROM jsonb_array_elements(targets) WITH ORDINALITY AS x(t, n);
  RETURN QUERY
    SELECT t ->> 'reference_id', t ->> 'sku', (t ->> 'warehouse_id')::integer,
           (t ->> 'quantity')::bigint, e.event_id
      FROM jsonb_array_elements(targets) WITH ORDINALITY AS x(t, n)
      JOIN inventory.inventory_apply_events(events) e ON e.ordinal = x.n
     ORDER BY x.n;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_release_order(text, text) IS
  'Releases everything an order''s reservations still hold (DEALLOCATE events with the given '
  'reason) and returns one row per release; a second call releases nothing.';

--------------------------------------------------------------------------------------------------
-- Transfers with goods in transit
--------------------------------------------------------------------------------------------------

CREATE TABLE inventory.inventory_transfers (
  transfer_ref      text NOT NULL,
  sku               text NOT NULL,
  from_warehouse_id integer NOT NULL,
  to_warehouse_id   integer NOT NULL,
  quantity          bigint NOT NULL CHECK (quantity > 0),
  received          bigint NOT NULL DEFAULT 0 CHECK (received >= 0),
  in_transit        bigint GENERATED ALWAYS AS (quantity - received) STORED,
  status            text NOT NULL DEFAULT 'IN_TRANSIT',
  out_event_id      uuid NOT NULL,
  dispatched_at     timestamptz NOT NULL DEFAULT now(),
  received_at       timestamptz,
  PRIMARY KEY (transfer_ref, sku),
  CONSTRAINT inventory_transfers_receipt_check CHECK (received <= quantity),
  CONSTRAINT inventory_transfers_status_check
    CHECK (status IN ('IN_TRANSIT', 'RECEIVED') AND (status = 'RECEIVED') = (received = quantity)),
  CONSTRAINT inventory_transfers_route_check CHECK (from_warehouse_id <> to_warehouse_id)
);
CREATE INDEX inventory_transfers_in_transit_idx
  ON inventory.inventory_transfers (sku, to_warehouse_id) WHERE status = 'IN_TRANSIT';
COMMENT ON TABLE inventory.inventory_transfers IS
  'Stock on its way between warehouses: dispatched (a TRANSFER_OUT at the source) and received '
  'in part or whole (TRANSFER_IN events at the destination). Units in transit are in neither '
  'warehouse''s on_hand and never sellable.';
COMMENT ON COLUMN inventory.inventory_transfers.in_transit IS 'Units dispatched, not yet received.';
COMMENT ON COLUMN inventory.inventory_transfers.out_event_id IS 'The TRANSFER_OUT ledger event.';

CREATE FUNCTION inventory.inventory_dispatch_transfer(
  transfer_ref text,
  sku text,
  from_warehouse_id integer,
  to_warehouse_id integer,
  quantity bigint,
  reason text DEFAULT NULL,
  metadata jsonb DEFAULT NULL,
  OUT out_event_id uuid,
  OUT replayed boolean,
  OUT from_on_hand bigint,
  OUT from_available_to_sell bigint,
  OUT in_transit bigint)
RETURNS record
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  existing inventory.inventory_transfers;
  leg record;
BEGIN
  IF transfer_ref IS NULL OR sku IS NULL OR from_warehouse_id IS NULL
     OR to_warehouse_id IS NULL OR quantity IS NULL THEN
    RAISE EXCEPTION 'transfer_ref, sku, from_warehouse_id, to_warehouse_id and quantity must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF from_warehouse_id = to_warehouse_id THEN
    RAISE EXCEPTION 'cannot transfer within one warehouse (%)', from_warehouse_id
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT EXISTS (SELECT FROM inventory.inventory_warehouses w WHERE w.id = to_warehouse_id) THEN
    RAISE EXCEPTION 'unknown warehouse %', to_warehouse_id USING ERRCODE = 'IV003';
  END IF;
  SELECT t.* INTO existing FROM inventory.inventory_transfers t
   WHERE t.transfer_ref = inventory_dispatch_transfer.transfer_ref
     AND t.sku = inventory_dispatch_transfer.sku;
  IF FOUND AND (existing.from_warehouse_id, existing.to_warehouse_id, existing.quantity)
               IS DISTINCT FROM (from_warehouse_id, to_warehouse_id, quantity) THEN
    RAISE EXCEPTION 'transfer % of % was already dispatched differently', transfer_ref, sku
      USING ERRCODE = 'IV002',
            DETAIL = format('It moves %s units from warehouse %s to warehouse %s.',
                            existing.quantity, existing.from_warehouse_id, existing.to_warehouse_id);
  END IF;
  -- The key (reserved for the extension) makes a retried or concurrent dispatch of the same
  -- route replay the first; the engine compares source, quantity, reason and metadata.
  SELECT l.* INTO leg
    FROM inventory.inventory_append_transfer_leg(
           sku, from_warehouse_id, 'TRANSFER_OUT', quantity, transfer_ref,
           'inventory:dispatch:' ||
             md5(transfer_ref || chr(31) || sku || chr(31) || to_warehouse_id::text),
           reason, metadata, NULL) AS l;
  IF NOT leg.replayed THEN
    -- A concurrent dispatch of this transfer to another warehouse got here first: refuse.
    INSERT INTO inventory.inventory_transfers AS t
           (transfer_ref, sku, from_warehouse_id, to_warehouse_id, quantity, out_event_id)
    VALUES (transfer_ref, sku, from_warehouse_id, to_warehouse_id, quantity, leg.event_id)
    ON CONFLICT ON CONSTRAINT inventory_transfers_pkey DO NOTHING;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'transfer % of % was already dispatched differently', transfer_ref, sku
        USING ERRCODE = 'IV002';
    END IF;
  END IF;
  out_event_id := leg.event_id;
  replayed := leg.replayed;
  from_on_hand := leg.on_hand;
  from_available_to_sell := leg.available_to_sell;
  SELECT t.in_transit INTO in_transit FROM inventory.inventory_transfers t
   WHERE t.transfer_ref = inventory_dispatch_transfer.transfer_ref
     AND t.sku = inventory_dispatch_transfer.sku;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_dispatch_transfer(text, text, integer, integer, bigint, text, jsonb) IS
  'Sends unreserved units of a SKU towards another warehouse: a TRANSFER_OUT at the source now; '
  'they arrive with inventory_receive_transfer(). transfer_ref and sku name the transfer and '
  'make the call idempotent.';

CREATE FUNCTION inventory.inventory_receive_transfer(
  transfer_ref text,
  sku text,
  quantity bigint DEFAULT NULL,
  idempotency_key text DEFAULT NULL,
  reason text DEFAULT NULL,
  metadata jsonb DEFAULT NULL,
  OUT in_event_id uuid,
  OUT replayed boolean,
  OUT to_on_hand bigint,
  OUT to_available_to_sell bigint,
  OUT in_transit bigint)
RETURNS record
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  transfer inventory.inventory_transfers;
  units bigint;
  leg record;
BEGIN
  IF transfer_ref IS NULL OR sku IS NULL THEN
    RAISE EXCEPTION 'transfer_ref and sku must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  SELECT t.* INTO transfer FROM inventory.inventory_transfers t
   WHERE t.transfer_ref = inventory_receive_transfer.transfer_ref
     AND t.sku = inventory_receive_transfer.sku
     FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no transfer % of %', transfer_ref, sku USING ERRCODE = 'IV013';
  END IF;
  IF idempotency_key IS NOT NULL AND EXISTS (
       SELECT FROM inventory.inventory_ledger g WHERE g.idempotency_key = inventory_receive_transfer.idempotency_key) THEN
    -- A retry: the engine replays it, or raises IV002 if it differs.
    units := coalesce(quantity, (SELECT g.quantity FROM inventory.inventory_ledger g
                                  WHERE g.idempotency_key = inventory_receive_transfer.idempotency_key));
  ELSE
    IF transfer.status = 'RECEIVED' THEN
      RAISE EXCEPTION 'transfer % of % has been received in full', transfer_ref, sku
        USING ERRCODE = 'IV015';
    END IF;
    units := coalesce(quantity, transfer.in_transit);
    IF units > transfer.in_transit THEN
      RAISE EXCEPTION 'cannot receive % units of transfer % of %: % in transit', units,
                      transfer_ref, sku, transfer.in_transit
        USING ERRCODE = 'IV004';
    END IF;
  END IF;
  SELECT l.* INTO leg
    FROM inventory.inventory_append_transfer_leg(
           sku, transfer.to_warehouse_id, 'TRANSFER_IN', units, transfer_ref, idempotency_key,
           reason, metadata, transfer.out_event_id) AS l;
  IF NOT leg.replayed THEN
    UPDATE inventory.inventory_transfers t
       SET received = t.received + units,
           status = CASE WHEN t.received + units = t.quantity THEN 'RECEIVED' ELSE t.status END,
           received_at = CASE WHEN t.received + units = t.quantity THEN now() END
     WHERE t.transfer_ref = inventory_receive_transfer.transfer_ref
       AND t.sku = inventory_receive_transfer.sku;
  END IF;
  in_event_id := leg.event_id;
  replayed := leg.replayed;
  to_on_hand := leg.on_hand;
  to_available_to_sell := leg.available_to_sell;
  SELECT t.in_transit INTO in_transit FROM inventory.inventory_transfers t
   WHERE t.transfer_ref = inventory_receive_transfer.transfer_ref
     AND t.sku = inventory_receive_transfer.sku;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_receive_transfer(text, text, bigint, text, text, jsonb) IS
  'Books units of a dispatched transfer into its destination (a TRANSFER_IN; all that is in '
  'transit when quantity is NULL). Partial receipts are allowed; never more than is in transit.';

--------------------------------------------------------------------------------------------------
-- Purchase orders: incoming units, visible but not sellable until received
--------------------------------------------------------------------------------------------------

CREATE TABLE inventory.inventory_purchase_orders (
  po_ref       text NOT NULL CHECK (char_length(po_ref) BETWEEN 1 AND 255),
  sku          text NOT NULL,
  warehouse_id integer NOT NULL,
  ordered      bigint NOT NULL CHECK (ordered > 0),
  received     bigint NOT NULL DEFAULT 0 CHECK (received >= 0),
  incoming     bigint GENERATED ALWAYS AS
                 (CASE WHEN status = 'OPEN' THEN greatest(ordered - received, 0) ELSE 0 END) STORED,
  expected_at  timestamptz,
  status       text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'RECEIVED', 'CANCELLED')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (po_ref, sku)
);
CREATE INDEX inventory_purchase_orders_open_idx
  ON inventory.inventory_purchase_orders (sku, warehouse_id) WHERE status = 'OPEN';
COMMENT ON TABLE inventory.inventory_purchase_orders IS
  'Purchase order lines: units ordered from a supplier for a warehouse. What is still to come '
  'is incoming: shown by inventory_availability(), never sellable until received.';
COMMENT ON COLUMN inventory.inventory_purchase_orders.received IS
  'Units received so far (RECEIVE events with reference_id = po_ref); may exceed ordered.';
COMMENT ON COLUMN inventory.inventory_purchase_orders.incoming IS
  'Units still expected: ordered - received while OPEN, else 0.';
COMMENT ON COLUMN inventory.inventory_purchase_orders.status IS
  'OPEN, RECEIVED (everything arrived) or CANCELLED (the rest will not come).';

CREATE FUNCTION inventory.inventory_expect_purchase_order(
  po_ref text, sku text, warehouse_id integer, quantity bigint,
  expected_at timestamptz DEFAULT NULL)
RETURNS inventory.inventory_purchase_orders
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  line inventory.inventory_purchase_orders;
BEGIN
  IF po_ref IS NULL OR warehouse_id IS NULL OR quantity IS NULL THEN
    RAISE EXCEPTION 'po_ref, sku, warehouse_id and quantity must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  PERFORM inventory.inventory_validate_sku(sku);
  IF char_length(po_ref) > 255 OR po_ref = '' OR po_ref ~ '[[:cntrl:]]' THEN
    RAISE EXCEPTION 'po_ref must be 1 to 255 characters without control characters'
      USING ERRCODE = 'IV010';
  END IF;
  IF quantity <= 0 THEN
    RAISE EXCEPTION 'quantity must be positive, not %', quantity USING ERRCODE = 'IV004';
  END IF;
  IF NOT EXISTS (SELECT FROM inventory.inventory_warehouses w
                  WHERE w.id = inventory_expect_purchase_order.warehouse_id) THEN
    RAISE EXCEPTION 'unknown warehouse %', warehouse_id USING ERRCODE = 'IV003';
  END IF;
  SELECT p.* INTO line FROM inventory.inventory_purchase_orders p
   WHERE p.po_ref = inventory_expect_purchase_order.po_ref
     AND p.sku = inventory_expect_purchase_order.sku
     FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO inventory.inventory_purchase_orders (po_ref, sku, warehouse_id, ordered, expected_at)
    VALUES (po_ref, sku, warehouse_id, quantity, expected_at)
    RETURNING * INTO line;
    RETURN line;
  END IF;
  IF line.status <> 'OPEN' THEN
    RAISE EXCEPTION 'purchase order % of % is %', po_ref, sku, lower(line.status)
      USING ERRCODE = 'IV015';
  END IF;
  IF line.warehouse_id <> warehouse_id THEN
    RAISE EXCEPTION 'purchase order % of % goes to warehouse %', po_ref, sku, line.warehouse_id
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF quantity < line.received THEN
    RAISE EXCEPTION 'purchase order % of %: % units were received already', po_ref, sku,
                    line.received
      USING ERRCODE = 'IV004';
  END IF;
  UPDATE inventory.inventory_purchase_orders p
     SET ordered = quantity, expected_at = coalesce(inventory_expect_purchase_order.expected_at, p.expected_at),
         status = CASE WHEN p.received >= quantity THEN 'RECEIVED' ELSE 'OPEN' END,
         updated_at = now()
   WHERE p.po_ref = inventory_expect_purchase_order.po_ref
     AND p.sku = inventory_expect_purchase_order.sku
  RETURNING * INTO line;
  RETURN line;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_expect_purchase_order(text, text, integer, bigint, timestamptz) IS
  'Records (or changes) a purchase order line: quantity units of a SKU expected in a warehouse. '
  'They show as incoming and are never sellable until received.';

CREATE FUNCTION inventory.inventory_receive_purchase_order(
  po_ref text,
  sku text,
  quantity bigint,
  idempotency_key text DEFAULT NULL,
  reason text DEFAULT NULL,
  metadata jsonb DEFAULT NULL,
  OUT event_id uuid,
  OUT replayed boolean,
  OUT on_hand bigint,
  OUT available_to_sell bigint,
  OUT incoming bigint)
RETURNS record
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  line inventory.inventory_purchase_orders;
  ev record;
BEGIN
  IF po_ref IS NULL OR sku IS NULL OR quantity IS NULL THEN
    RAISE EXCEPTION 'po_ref, sku and quantity must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  SELECT p.* INTO line FROM inventory.inventory_purchase_orders p
   WHERE p.po_ref = inventory_receive_purchase_order.po_ref
     AND p.sku = inventory_receive_purchase_order.sku
     FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no purchase order % of %', po_ref, sku USING ERRCODE = 'IV013';
  END IF;
  -- A retry with a used key replays (or is IV002) whatever happened to the line since.
  IF line.status = 'CANCELLED' AND (idempotency_key IS NULL OR NOT EXISTS (
       SELECT FROM inventory.inventory_ledger g
        WHERE g.idempotency_key = inventory_receive_purchase_order.idempotency_key)) THEN
    RAISE EXCEPTION 'purchase order % of % is cancelled', po_ref, sku USING ERRCODE = 'IV015';
  END IF;
  SELECT e.* INTO ev
    FROM inventory.inventory_apply_event(sku, line.warehouse_id, 'RECEIVE', quantity, po_ref,
                                         idempotency_key, reason, metadata) AS e;
  IF NOT ev.replayed THEN
    UPDATE inventory.inventory_purchase_orders p
       SET received = p.received + quantity,
           status = CASE WHEN p.received + quantity >= p.ordered THEN 'RECEIVED' ELSE 'OPEN' END,
           updated_at = now()
     WHERE p.po_ref = inventory_receive_purchase_order.po_ref
       AND p.sku = inventory_receive_purchase_order.sku;
  END IF;
  event_id := ev.event_id;
  replayed := ev.replayed;
  on_hand := ev.on_hand;
  available_to_sell := ev.available_to_sell;
  SELECT p.incoming INTO incoming FROM inventory.inventory_purchase_orders p
   WHERE p.po_ref = inventory_receive_purchase_order.po_ref
     AND p.sku = inventory_receive_purchase_order.sku;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_receive_purchase_order(text, text, bigint, text, text, jsonb) IS
  'Receives units of a purchase order line into its warehouse (a RECEIVE event with '
  'reference_id = po_ref): they become on_hand and sellable, and stop being incoming.';

CREATE FUNCTION inventory.inventory_cancel_purchase_order(po_ref text, sku text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  cancelled integer;
BEGIN
  IF po_ref IS NULL THEN
    RAISE EXCEPTION 'po_ref must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF NOT EXISTS (SELECT FROM inventory.inventory_purchase_orders p
                  WHERE p.po_ref = inventory_cancel_purchase_order.po_ref
                    AND (inventory_cancel_purchase_order.sku IS NULL
                         OR p.sku = inventory_cancel_purchase_order.sku)) THEN
    RAISE EXCEPTION 'no purchase order %', po_ref USING ERRCODE = 'IV013';
  END IF;
  UPDATE inventory.inventory_purchase_orders p
     SET status = 'CANCELLED', updated_at = now()
   WHERE p.po_ref = inventory_cancel_purchase_order.po_ref
     AND (inventory_cancel_purchase_order.sku IS NULL OR p.sku = inventory_cancel_purchase_order.sku)
     AND p.status = 'OPEN';
  GET DIAGNOSTICS cancelled = ROW_COUNT;
  RETURN cancelled;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_cancel_purchase_order(text, text) IS
  'Cancels the open lines of a purchase order (one SKU, or all): what was not received stops '
  'being incoming. Returns how many lines it cancelled.';

--------------------------------------------------------------------------------------------------
-- Warehouses with stock records stay; their serving countries go with them
--------------------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION inventory.inventory_warehouse_guard_trigger()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
    RETURN NEW;
  END IF;
  IF EXISTS (SELECT FROM inventory.inventory_levels l WHERE l.warehouse_id = OLD.id)
     OR EXISTS (SELECT FROM inventory.inventory_ledger g WHERE g.warehouse_id = OLD.id)
     OR EXISTS (SELECT FROM inventory.inventory_transfers t WHERE t.to_warehouse_id = OLD.id)
     OR EXISTS (SELECT FROM inventory.inventory_purchase_orders p WHERE p.warehouse_id = OLD.id)
     OR EXISTS (SELECT FROM inventory.inventory_orders o WHERE o.warehouse_id = OLD.id) THEN
    RAISE EXCEPTION 'warehouse % has stock records and cannot be %', OLD.id,
                    CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'renumbered' END
      USING ERRCODE = 'foreign_key_violation',
            HINT = 'Its ledger is permanent; leave the warehouse in place.';
  END IF;
  IF TG_OP = 'DELETE' THEN
    DELETE FROM inventory.inventory_warehouse_countries c WHERE c.warehouse_id = OLD.id;
    RETURN OLD;
  END IF;
  UPDATE inventory.inventory_warehouse_countries c SET warehouse_id = NEW.id
   WHERE c.warehouse_id = OLD.id;
  RETURN NEW;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_warehouse_guard_trigger() IS
  'BEFORE UPDATE OR DELETE on inventory_warehouses: a warehouse with levels, ledger rows, '
  'incoming transfers, purchase orders or orders keeps its id and cannot be deleted '
  '(SQLSTATE 23503); the countries it serves follow it.';

--------------------------------------------------------------------------------------------------
-- Reading: positions, availability per ship-to country
--------------------------------------------------------------------------------------------------

CREATE VIEW inventory.inventory_stock_positions AS
WITH transit AS (
  SELECT t.sku, t.to_warehouse_id AS warehouse_id, sum(t.in_transit)::bigint AS in_transit
    FROM inventory.inventory_transfers t
   WHERE t.status = 'IN_TRANSIT'
   GROUP BY 1, 2),
incoming AS (
  SELECT p.sku, p.warehouse_id, sum(p.incoming)::bigint AS incoming,
         min(p.expected_at) AS next_expected_at
    FROM inventory.inventory_purchase_orders p
   WHERE p.status = 'OPEN'
   GROUP BY 1, 2),
keys AS (
  SELECT l.sku, l.warehouse_id FROM inventory.inventory_levels l
  UNION SELECT t.sku, t.warehouse_id FROM transit t
  UNION SELECT i.sku, i.warehouse_id FROM incoming i)
SELECT k.sku, k.warehouse_id, coalesce(l.on_hand, 0) AS on_hand,
       coalesce(l.reserved, 0) AS reserved, coalesce(l.available_to_sell, 0) AS available_to_sell,
       coalesce(t.in_transit, 0) AS in_transit, coalesce(i.incoming, 0) AS incoming,
       i.next_expected_at
  FROM keys k
  LEFT JOIN inventory.inventory_levels l ON l.sku = k.sku AND l.warehouse_id = k.warehouse_id
  LEFT JOIN transit t ON t.sku = k.sku AND t.warehouse_id = k.warehouse_id
  LEFT JOIN incoming i ON i.sku = k.sku AND i.warehouse_id = k.warehouse_id;
COMMENT ON VIEW inventory.inventory_stock_positions IS
  'Per SKU and warehouse: on_hand, reserved, available_to_sell, units in transit towards it and '
  'units incoming on open purchase orders (with the earliest expected date). Only '
  'available_to_sell can be sold.';

CREATE FUNCTION inventory.inventory_ats(sku text, ship_to text)
RETURNS bigint
LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF sku IS NULL OR ship_to IS NULL THEN
    RAISE EXCEPTION 'sku and ship_to must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  -- A client that sends both arguments untyped reaches this form even when it means a
  -- warehouse id (text is the preferred type): digits are a warehouse, never a country.
  IF ship_to ~ '^[0-9]{1,10}$' THEN
    RETURN inventory.inventory_ats(sku, ship_to::integer);
  END IF;
  IF upper(ship_to) !~ '^[A-Z]{2}$' THEN
    RAISE EXCEPTION 'ship_to must be an ISO 3166-1 alpha-2 code, not "%"', ship_to
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN (SELECT coalesce(sum(greatest(l.available_to_sell, 0)), 0)::bigint
            FROM inventory.inventory_levels l
            JOIN inventory.inventory_warehouse_countries c ON c.warehouse_id = l.warehouse_id
           WHERE l.sku = inventory_ats.sku AND c.country = upper(ship_to));
END;
$$;
COMMENT ON FUNCTION inventory.inventory_ats(text, text) IS
  'Units of a SKU available to sell to a ship-to country: the sum over the warehouses that '
  'serve it (0 when none does). A ship_to of digits is a warehouse id, as in '
  'inventory_ats(text, integer), for clients that send untyped parameters.';

CREATE FUNCTION inventory.inventory_availability(sku text, ship_to text)
RETURNS jsonb
LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF sku IS NULL THEN
    RAISE EXCEPTION 'sku must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF ship_to IS NOT NULL AND upper(ship_to) !~ '^[A-Z]{2}$' THEN
    RAISE EXCEPTION 'ship_to must be an ISO 3166-1 alpha-2 code, not "%"', ship_to
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN (
    WITH positions AS (
      SELECT p.*, w.code, w.country,
             (SELECT coalesce(jsonb_agg(c.country ORDER BY c.country), '[]')
                FROM inventory.inventory_warehouse_countries c
               WHERE c.warehouse_id = p.warehouse_id) AS serves
        FROM inventory.inventory_stock_positions p
        JOIN inventory.inventory_warehouses w ON w.id = p.warehouse_id
       WHERE p.sku = inventory_availability.sku
         AND (ship_to IS NULL OR EXISTS (
               SELECT FROM inventory.inventory_warehouse_countries c
                WHERE c.warehouse_id = p.warehouse_id AND c.country = upper(ship_to)))),
    countries AS (
      SELECT c.country, sum(greatest(p.available_to_sell, 0))::bigint AS available
        FROM positions p
        JOIN inventory.inventory_warehouse_countries c ON c.warehouse_id = p.warehouse_id
       WHERE ship_to IS NULL OR c.country = upper(ship_to)
       GROUP BY c.country)
    SELECT jsonb_build_object(
             'sku', inventory_availability.sku,
             'available_to_sell', coalesce(sum(greatest(p.available_to_sell, 0)), 0),
             'on_hand', coalesce(sum(p.on_hand), 0),
             'reserved', coalesce(sum(p.reserved), 0),
             'in_transit', coalesce(sum(p.in_transit), 0),
             'incoming', coalesce(sum(p.incoming), 0),
             'countries', coalesce((SELECT jsonb_object_agg(c.country, c.available)
                                      FROM countries c), '{}'),
             'warehouses', coalesce(jsonb_agg(jsonb_build_object(
                 'warehouse_id', p.warehouse_id, 'code', p.code, 'country', p.country,
                 'serves', p.serves, 'on_hand', p.on_hand, 'reserved', p.reserved,
                 'available_to_sell', p.available_to_sell, 'in_transit', p.in_transit,
                 'incoming', p.incoming, 'next_expected_at', p.next_expected_at)
                 ORDER BY p.warehouse_id), '[]'::jsonb))
       || CASE WHEN ship_to IS NULL THEN '{}'::jsonb
               ELSE jsonb_build_object('ship_to', upper(ship_to)) END
      FROM positions p);
END;
$$;
COMMENT ON FUNCTION inventory.inventory_availability(text, text) IS
  'inventory_availability(sku) for one ship-to country: only the warehouses that serve it '
  '(ship_to NULL: every warehouse).';

CREATE OR REPLACE FUNCTION inventory.inventory_availability(sku text)
RETURNS jsonb
LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT inventory.inventory_availability(sku, NULL::text);
$$;
COMMENT ON FUNCTION inventory.inventory_availability(text) IS
  'The source chapter''s availability(sku) as JSON: {"sku", "available_to_sell", "on_hand", '
  '"reserved", "in_transit", "incoming", "countries": {country: available_to_sell}, '
  '"warehouses": [per-warehouse figures]}. Only available_to_sell can be sold.';

--------------------------------------------------------------------------------------------------
-- Every column documented
--------------------------------------------------------------------------------------------------

COMMENT ON COLUMN inventory.inventory_levels.sku IS 'The stock-keeping unit.';
COMMENT ON COLUMN inventory.inventory_levels.warehouse_id IS 'The warehouse (inventory_warehouses.id).';
COMMENT ON COLUMN inventory.inventory_levels.updated_at IS 'When the level last changed.';
COMMENT ON COLUMN inventory.inventory_warehouses.id IS 'Warehouse id, used by every level and event.';
COMMENT ON COLUMN inventory.inventory_warehouses.name IS 'Display name, 1 to 200 characters.';
COMMENT ON COLUMN inventory.inventory_warehouses.created_at IS 'When the warehouse was added.';
COMMENT ON COLUMN inventory.inventory_sku_policies.sku IS 'The SKU the policy applies to.';
COMMENT ON COLUMN inventory.inventory_sku_policies.updated_at IS 'When the policy last changed.';
COMMENT ON COLUMN inventory.inventory_ledger.sku IS 'The stock-keeping unit.';
COMMENT ON COLUMN inventory.inventory_ledger.warehouse_id IS 'The warehouse whose level the event changed.';
COMMENT ON COLUMN inventory.inventory_warehouse_countries.warehouse_id IS 'The warehouse that ships there.';
COMMENT ON COLUMN inventory.inventory_reservations.sku IS 'The SKU reserved.';
COMMENT ON COLUMN inventory.inventory_reservations.warehouse_id IS 'The warehouse the units are held in.';
COMMENT ON COLUMN inventory.inventory_reservations.created_at IS 'When the first ALLOCATE made it.';
COMMENT ON COLUMN inventory.inventory_reservations.updated_at IS 'When an event last changed it.';
COMMENT ON COLUMN inventory.inventory_orders.order_ref IS 'The order''s reference; unique, 1 to 200 characters.';
COMMENT ON COLUMN inventory.inventory_orders.ship_to IS 'Ship-to country, when the warehouses were chosen by it.';
COMMENT ON COLUMN inventory.inventory_orders.warehouse_id IS 'The fixed warehouse, when one was given.';
COMMENT ON COLUMN inventory.inventory_orders.strategy IS 'PRIORITY or MOST_STOCK.';
COMMENT ON COLUMN inventory.inventory_orders.allow_split IS 'Whether a line could come from several warehouses.';
COMMENT ON COLUMN inventory.inventory_orders.expires_at IS 'When the order''s holds end (NULL: never).';
COMMENT ON COLUMN inventory.inventory_orders.metadata IS 'Caller''s JSON object, also stored on each ALLOCATE.';
COMMENT ON COLUMN inventory.inventory_orders.created_at IS 'When the order was allocated.';
COMMENT ON COLUMN inventory.inventory_transfers.transfer_ref IS 'The shipment''s reference (with sku, the key).';
COMMENT ON COLUMN inventory.inventory_transfers.sku IS 'The SKU moved.';
COMMENT ON COLUMN inventory.inventory_transfers.from_warehouse_id IS 'Where the units left.';
COMMENT ON COLUMN inventory.inventory_transfers.to_warehouse_id IS 'Where they arrive.';
COMMENT ON COLUMN inventory.inventory_transfers.quantity IS 'Units dispatched.';
COMMENT ON COLUMN inventory.inventory_transfers.received IS 'Units booked in at the destination so far.';
COMMENT ON COLUMN inventory.inventory_transfers.status IS 'IN_TRANSIT until everything is received, then RECEIVED.';
COMMENT ON COLUMN inventory.inventory_transfers.dispatched_at IS 'When the units left.';
COMMENT ON COLUMN inventory.inventory_transfers.received_at IS 'When the last units arrived.';
COMMENT ON COLUMN inventory.inventory_purchase_orders.po_ref IS 'The purchase order''s reference (with sku, the key).';
COMMENT ON COLUMN inventory.inventory_purchase_orders.sku IS 'The SKU ordered.';
COMMENT ON COLUMN inventory.inventory_purchase_orders.warehouse_id IS 'The warehouse it is delivered to.';
COMMENT ON COLUMN inventory.inventory_purchase_orders.ordered IS 'Units ordered from the supplier.';
COMMENT ON COLUMN inventory.inventory_purchase_orders.expected_at IS 'When the delivery is expected, if known.';
COMMENT ON COLUMN inventory.inventory_purchase_orders.created_at IS 'When the line was recorded.';
COMMENT ON COLUMN inventory.inventory_purchase_orders.updated_at IS 'When it last changed.';

--------------------------------------------------------------------------------------------------
-- Data that pg_dump carries (reservations, transfers and purchase orders are documents whose
-- ledger rows arrive restored; the restore applies those rows to levels only)
--------------------------------------------------------------------------------------------------

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_warehouse_countries', '');
SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_reservations', '');
SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_orders', '');
SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_transfers', '');
SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_purchase_orders', '');

--------------------------------------------------------------------------------------------------
-- Privileges
--------------------------------------------------------------------------------------------------

REVOKE ALL ON inventory.inventory_warehouse_countries, inventory.inventory_reservations,
              inventory.inventory_orders, inventory.inventory_transfers,
              inventory.inventory_purchase_orders, inventory.inventory_stock_positions
  FROM PUBLIC;
GRANT SELECT ON inventory.inventory_warehouse_countries, inventory.inventory_reservations,
                inventory.inventory_orders, inventory.inventory_transfers,
                inventory.inventory_purchase_orders, inventory.inventory_stock_positions
  TO inventory_reader;

REVOKE ALL ON FUNCTION
    inventory.inventory_validate_sku(text),
    inventory.inventory_append_transfer_leg(text, integer, text, bigint, text, text, text, jsonb, uuid),
    inventory.inventory_apply_event(text, integer, text, bigint, text, text, text, jsonb, timestamptz),
    inventory.inventory_serve_country(integer, text, integer),
    inventory.inventory_stop_serving_country(integer, text),
    inventory.inventory_verify_reservations(),
    inventory.inventory_expire_reservations(integer),
    inventory.inventory_allocate_order(text, jsonb, text, integer, timestamptz, boolean, text, jsonb),
    inventory.inventory_release_order(text, text),
    inventory.inventory_dispatch_transfer(text, text, integer, integer, bigint, text, jsonb),
    inventory.inventory_receive_transfer(text, text, bigint, text, text, jsonb),
    inventory.inventory_expect_purchase_order(text, text, integer, bigint, timestamptz),
    inventory.inventory_receive_purchase_order(text, text, bigint, text, text, jsonb),
    inventory.inventory_cancel_purchase_order(text, text),
    inventory.inventory_ats(text, text),
    inventory.inventory_availability(text, text)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    inventory.inventory_apply_event(text, integer, text, bigint, text, text, text, jsonb, timestamptz)
  TO inventory_app, inventory_warehouse;
GRANT EXECUTE ON FUNCTION
    inventory.inventory_allocate_order(text, jsonb, text, integer, timestamptz, boolean, text, jsonb),
    inventory.inventory_release_order(text, text),
    inventory.inventory_expire_reservations(integer)
  TO inventory_app;
GRANT EXECUTE ON FUNCTION
    inventory.inventory_dispatch_transfer(text, text, integer, integer, bigint, text, jsonb),
    inventory.inventory_receive_transfer(text, text, bigint, text, text, jsonb),
    inventory.inventory_expect_purchase_order(text, text, integer, bigint, timestamptz),
    inventory.inventory_receive_purchase_order(text, text, bigint, text, text, jsonb),
    inventory.inventory_cancel_purchase_order(text, text)
  TO inventory_warehouse;
GRANT EXECUTE ON FUNCTION
    inventory.inventory_serve_country(integer, text, integer),
    inventory.inventory_stop_serving_country(integer, text)
  TO inventory_admin;
GRANT EXECUTE ON FUNCTION
    inventory.inventory_ats(text, text),
    inventory.inventory_availability(text, text),
    inventory.inventory_verify_reservations()
  TO inventory_reader;
