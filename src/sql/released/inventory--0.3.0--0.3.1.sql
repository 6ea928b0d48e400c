-- inventory 0.3.0 -> 0.3.1: hardening. Generated into inventory--0.3.0--0.3.1.sql by the Makefile
-- from the fragments of updates/0.3.0--0.3.1/, concatenated in file-name order. There is no full
-- 0.3.1 script: CREATE EXTENSION runs inventory--0.2.0.sql and the update scripts after it, so a
-- fresh install and an updated one are the same by construction.
\echo Use "ALTER EXTENSION inventory UPDATE TO '0.3.1'" to load this file. \quit

--------------------------------------------------------------------------------------------------
-- Levels and locks (issue 10, items 1, 3 and 4): levels are created with their SKU's policy
-- copies under the SKU's advisory lock on every path, one order of table locks, and
-- inventory_verify() / inventory_rebuild_levels() check and repair the policy copies.
--------------------------------------------------------------------------------------------------

CREATE FUNCTION inventory.inventory_create_levels(skus text[], warehouse_ids integer[])
RETURNS void
LANGUAGE c VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_create_levels';
COMMENT ON FUNCTION inventory.inventory_create_levels(text[], integer[]) IS
  'Internal (the order code): creates the levels (skus[i], warehouse_ids[i]) that do not exist '
  'yet, empty, with the copies of their SKU''s policy, as the event engine does: ROW EXCLUSIVE on '
  'the ledger first, then the SKUs'' advisory locks (only when a level is missing), then the '
  'policies read after them; 40001 under REPEATABLE READ or SERIALIZABLE when a policy changed '
  'after the snapshot; IV003 for an unknown warehouse. The caller validates the SKUs.';
REVOKE ALL ON FUNCTION inventory.inventory_create_levels(text[], integer[]) FROM PUBLIC;

-- inventory_verify() returns bigint sums and says what is wrong: its result type changes, so it
-- and the view over it are dropped and created again.
DROP VIEW inventory.inventory_reconciliation;
DROP FUNCTION inventory.inventory_verify();

CREATE FUNCTION inventory.inventory_verify()
RETURNS TABLE (sku text, warehouse_id integer,
               level_on_hand bigint, ledger_on_hand bigint,
               level_reserved bigint, ledger_reserved bigint,
               level_version bigint, ledger_events bigint,
               level_available_to_sell bigint, expected_available_to_sell bigint,
               problem text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  WITH sums AS (
    SELECT g.sku, g.warehouse_id, sum(g.on_hand_change) AS on_hand,
           sum(g.reserved_change) AS reserved, count(*) AS events
      FROM inventory.inventory_ledger g
     GROUP BY g.sku, g.warehouse_id),
  checked AS (
    SELECT coalesce(l.sku, s.sku) AS sku, coalesce(l.warehouse_id, s.warehouse_id) AS warehouse_id,
           l.on_hand AS level_on_hand, s.on_hand AS ledger_on_hand,
           l.reserved AS level_reserved, s.reserved AS ledger_reserved,
           l.version AS level_version, s.events AS ledger_events,
           l.available_to_sell AS level_available,
           CASE WHEN l.on_hand - l.reserved < 0 THEN l.on_hand - l.reserved
                ELSE greatest(l.on_hand - l.reserved - coalesce(p.safety_stock, 0), 0)
           END AS expected_available,
           l.sku IS NULL AS no_level,
           s.sku IS NULL AS no_ledger,
           -- A level no event touched yet (an order creates them): empty, version 0.
           l.version = 0 AND l.on_hand = 0 AND l.reserved = 0 AS untouched,
           p.sku IS NOT NULL AS has_policy,
           (l.safety_stock, l.allow_backorder, l.backorder_limit)
             IS DISTINCT FROM (coalesce(p.safety_stock, 0), coalesce(p.allow_backorder, false),
                               p.backorder_limit) AS policy_differs
      FROM inventory.inventory_levels l
      FULL JOIN sums s ON s.sku = l.sku AND s.warehouse_id = l.warehouse_id
      LEFT JOIN inventory.inventory_sku_policies p ON p.sku = coalesce(l.sku, s.sku)),
  found AS (
    SELECT c.*, array_remove(ARRAY[
             CASE WHEN c.no_level THEN 'ledger rows without a level' END,
             CASE WHEN c.no_ledger AND NOT c.no_level AND NOT c.untouched
                  THEN 'level without ledger rows' END,
             CASE WHEN NOT c.no_level AND NOT c.no_ledger AND c.ledger_on_hand IS DISTINCT FROM c.level_on_hand
                  THEN 'on_hand differs from the ledger' END,
             CASE WHEN NOT c.no_level AND NOT c.no_ledger AND c.ledger_reserved IS DISTINCT FROM c.level_reserved
                  THEN 'reserved differs from the ledger' END,
             CASE WHEN NOT c.no_level AND NOT c.no_ledger AND c.ledger_events IS DISTINCT FROM c.level_version
                  THEN 'version differs from the number of ledger events' END,
             CASE WHEN NOT c.no_level AND c.level_available IS DISTINCT FROM c.expected_available
                  THEN 'available_to_sell does not follow from on_hand, reserved and safety_stock' END,
             CASE WHEN NOT c.no_level AND c.policy_differs
                  THEN CASE WHEN c.has_policy THEN 'policy copies differ from inventory_sku_policies'
                            ELSE 'policy copies differ from the defaults (no policy row)' END END,
             CASE WHEN c.ledger_on_hand NOT BETWEEN -9223372036854775808 AND 9223372036854775807
                    OR c.ledger_reserved NOT BETWEEN -9223372036854775808 AND 9223372036854775807
                  THEN 'ledger sum outside the bigint range' END], NULL) AS problems
      FROM checked c)
  SELECT f.sku, f.warehouse_id, f.level_on_hand,
         CASE WHEN f.ledger_on_hand BETWEEN -9223372036854775808 AND 9223372036854775807
              THEN f.ledger_on_hand::bigint END,
         f.level_reserved,
         CASE WHEN f.ledger_reserved BETWEEN -9223372036854775808 AND 9223372036854775807
              THEN f.ledger_reserved::bigint END,
         f.level_version, f.ledger_events, f.level_available, f.expected_available,
         array_to_string(f.problems, '; ')
    FROM found f
   WHERE cardinality(f.problems) > 0
   ORDER BY 1, 2;
$$;
COMMENT ON FUNCTION inventory.inventory_verify() IS
  'Every (sku, warehouse) whose level differs from the sum of its ledger rows, whose '
  'available_to_sell does not follow from its on_hand, reserved and the SKU''s safety stock, or '
  'whose policy copies differ from inventory_sku_policies (the defaults without a row), with '
  'what is wrong in problem; empty when the levels are true. A level no event touched yet '
  '(version 0, empty, no ledger rows) is consistent. One set-based pass with plain reads: it '
  'waits for no lock.';
REVOKE ALL ON FUNCTION inventory.inventory_verify() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION inventory.inventory_verify() TO inventory_reader;

CREATE VIEW inventory.inventory_reconciliation AS
SELECT * FROM inventory.inventory_verify();
COMMENT ON VIEW inventory.inventory_reconciliation IS
  'Levels that differ from the ledger or from their SKU''s policy (inventory_verify()), with '
  'the problem; empty when consistent.';
GRANT SELECT ON inventory.inventory_reconciliation TO inventory_reader;

CREATE OR REPLACE FUNCTION inventory.inventory_rebuild_levels()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  changed bigint;
  repaired bigint;
  removed bigint;
  missing_skus text[];
  missing_warehouses integer[];
BEGIN
  -- The one order of locks (README: Locks): SHARE ROW EXCLUSIVE on the ledger waits for every
  -- writer in progress and holds off new ones (each takes ROW EXCLUSIVE on the ledger before
  -- anything else) and for another rebuild (plain SHARE would let two rebuilds in, and each
  -- would then wait for the other's lock to create a missing level: 40P01); SHARE on the
  -- policies does the same for policy changes; then the levels. Readers, inventory_verify()
  -- among them, go on meanwhile.
  LOCK TABLE inventory.inventory_ledger IN SHARE ROW EXCLUSIVE MODE;
  LOCK TABLE inventory.inventory_sku_policies IN SHARE MODE;

  -- Levels missing for ledger rows are created as every path creates them, with their SKU's
  -- policy copies (under REPEATABLE READ, 40001 when a policy changed after the snapshot).
  SELECT array_agg(m.sku ORDER BY m.sku COLLATE "C", m.warehouse_id),
         array_agg(m.warehouse_id ORDER BY m.sku COLLATE "C", m.warehouse_id)
    INTO missing_skus, missing_warehouses
    FROM (SELECT g.sku, g.warehouse_id FROM inventory.inventory_ledger g
           WHERE NOT EXISTS (SELECT FROM inventory.inventory_levels l
                              WHERE l.sku = g.sku AND l.warehouse_id = g.warehouse_id)
           GROUP BY g.sku, g.warehouse_id) m;
  IF missing_skus IS NOT NULL THEN
    PERFORM inventory.inventory_create_levels(missing_skus, missing_warehouses);
  END IF;
  LOCK TABLE inventory.inventory_levels IN SHARE ROW EXCLUSIVE MODE;

  WITH sums AS (
    SELECT g.sku, g.warehouse_id, sum(g.on_hand_change)::bigint AS on_hand,
           sum(g.reserved_change)::bigint AS reserved, count(*) AS events
      FROM inventory.inventory_ledger g
     GROUP BY g.sku, g.warehouse_id),
  computed AS (
    SELECT s.*, coalesce(p.safety_stock, 0) AS safety_stock,
           coalesce(p.allow_backorder, false) AS allow_backorder, p.backorder_limit
      FROM sums s LEFT JOIN inventory.inventory_sku_policies p ON p.sku = s.sku)
  INSERT INTO inventory.inventory_levels AS l
         (sku, warehouse_id, on_hand, reserved, available_to_sell, safety_stock, allow_backorder,
          backorder_limit, version, updated_at)
  SELECT c.sku, c.warehouse_id, c.on_hand, c.reserved,
         CASE WHEN c.on_hand - c.reserved < 0 THEN c.on_hand - c.reserved
              ELSE greatest(c.on_hand - c.reserved - c.safety_stock, 0) END,
         c.safety_stock, c.allow_backorder OR c.on_hand < c.reserved, c.backorder_limit,
         c.events, now()
    FROM computed c
  ON CONFLICT (sku, warehouse_id) DO UPDATE
     SET on_hand = EXCLUDED.on_hand, reserved = EXCLUDED.reserved,
         available_to_sell = EXCLUDED.available_to_sell, safety_stock = EXCLUDED.safety_stock,
         allow_backorder = EXCLUDED.allow_backorder, backorder_limit = EXCLUDED.backorder_limit,
         version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
   WHERE (l.on_hand, l.reserved, l.available_to_sell, l.safety_stock, l.allow_backorder,
          l.backorder_limit, l.version)
         IS DISTINCT FROM
         (EXCLUDED.on_hand, EXCLUDED.reserved, EXCLUDED.available_to_sell, EXCLUDED.safety_stock,
          EXCLUDED.allow_backorder, EXCLUDED.backorder_limit, EXCLUDED.version);
  GET DIAGNOSTICS changed = ROW_COUNT;

  -- Levels without ledger rows: one no event touched yet (version 0, empty; an order creates
  -- them) stays, with its policy copies repaired; any other is removed.
  WITH untouched AS (
    SELECT l.sku, l.warehouse_id, coalesce(p.safety_stock, 0) AS safety_stock,
           coalesce(p.allow_backorder, false) AS allow_backorder, p.backorder_limit
      FROM inventory.inventory_levels l
      LEFT JOIN inventory.inventory_sku_policies p ON p.sku = l.sku
     WHERE l.version = 0 AND l.on_hand = 0 AND l.reserved = 0
       AND NOT EXISTS (SELECT FROM inventory.inventory_ledger g
                        WHERE g.sku = l.sku AND g.warehouse_id = l.warehouse_id))
  UPDATE inventory.inventory_levels l
     SET safety_stock = u.safety_stock, allow_backorder = u.allow_backorder,
         backorder_limit = u.backorder_limit, available_to_sell = 0, updated_at = now()
    FROM untouched u
   WHERE l.sku = u.sku AND l.warehouse_id = u.warehouse_id
     AND (l.safety_stock, l.allow_backorder, l.backorder_limit, l.available_to_sell)
         IS DISTINCT FROM (u.safety_stock, u.allow_backorder, u.backorder_limit, 0::bigint);
  GET DIAGNOSTICS repaired = ROW_COUNT;

  DELETE FROM inventory.inventory_levels l
   WHERE NOT (l.version = 0 AND l.on_hand = 0 AND l.reserved = 0)
     AND NOT EXISTS (SELECT FROM inventory.inventory_ledger g
                      WHERE g.sku = l.sku AND g.warehouse_id = l.warehouse_id);
  GET DIAGNOSTICS removed = ROW_COUNT;
  -- The change feed (40-change-feed.sql): a rebuild that changed levels changed them without
  -- ledger rows; one mark says "every level" to the consumers. One that changed nothing, none.
  IF changed + repaired + removed > 0 THEN
    INSERT INTO inventory.inventory_feed_marks (sku) VALUES (NULL);
  END IF;
  RETURN changed + repaired + removed;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_rebuild_levels() IS
  'Recomputes every level from the ledger and its policy copies from inventory_sku_policies in '
  'one set-based pass, holding off new events and policy changes meanwhile (SHARE on the ledger, '
  'then on the policies, then the levels), and returns how many levels it changed (0 when they '
  'were already true). A level no event touched yet (version 0, empty) is kept.';

--------------------------------------------------------------------------------------------------
-- Orders, expiry, transfers in transit, purchase orders (issue 10: items 3, 5 and 6)
-- Every function here that writes events first takes the ledger's ROW EXCLUSIVE lock, then level
-- row locks: one order of table locks with inventory_rebuild_levels() (SHARE on the ledger).
-- Case folding is ASCII (COLLATE "C"), whatever the database's LC_CTYPE.
--------------------------------------------------------------------------------------------------

-- The caller's idempotency key, checked by the C rule (validate_options, KeyOrigin::Caller):
-- for keys that SQL functions hand on to internal paths that accept the extension's own keys.
CREATE FUNCTION inventory.inventory_validate_idempotency_key(idempotency_key text)
RETURNS void
LANGUAGE c IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_validate_idempotency_key';
COMMENT ON FUNCTION inventory.inventory_validate_idempotency_key(text) IS
  'Raises IV010 for an idempotency key a caller may not use (too long, control characters, or '
  'the prefix reserved for the extension); NULL passes. Internal.';
REVOKE ALL ON FUNCTION inventory.inventory_validate_idempotency_key(text) FROM PUBLIC;

--------------------------------------------------------------------------------------------------
-- Expiry: the function (inside the caller's transaction) and the procedure (commits per batch)
--------------------------------------------------------------------------------------------------

DROP FUNCTION inventory.inventory_expire_reservations(integer);
CREATE FUNCTION inventory.inventory_expire_reservations(
  max_reservations integer DEFAULT 1000,
  skip_locked boolean DEFAULT false)
RETURNS TABLE (reference_id text, sku text, warehouse_id integer, released bigint,
               event_id uuid)
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION inventory.inventory_expire_reservations(integer, boolean) IS
  'Releases what expired reservations still hold (at most max_reservations per call) with a '
  'DEALLOCATE event of reason EXPIRED, and returns one row per release. Runs in the caller''s '
  'transaction and keeps every level it locked until that ends; skip_locked => true passes over '
  'levels other transactions hold (left for the next run) instead of waiting. Safe to run '
  'concurrently and repeatedly: a reservation is released once. For pg_cron use the procedure '
  'inventory_expire_reservations_in_batches(), which commits after each batch.';

CREATE PROCEDURE inventory.inventory_expire_reservations_in_batches(
  batch_size integer DEFAULT 100,
  max_batches integer DEFAULT 100)
LANGUAGE plpgsql
SECURITY INVOKER
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
COMMENT ON PROCEDURE inventory.inventory_expire_reservations_in_batches(integer, integer) IS
  'Releases expired reservations like inventory_expire_reservations(), batch_size at a time, '
  'committing after each batch (at most max_batches), so no level stays locked longer than one '
  'batch; reservations whose level another transaction holds are left for the next run. CALL it '
  'outside a transaction block, e.g. from pg_cron: '
  'CALL inventory.inventory_expire_reservations_in_batches();';

--------------------------------------------------------------------------------------------------
-- Orders
--------------------------------------------------------------------------------------------------

DROP FUNCTION inventory.inventory_allocate_order(text, jsonb, text, integer, timestamptz, boolean, text, jsonb);
CREATE FUNCTION inventory.inventory_allocate_order(
  order_ref text,
  lines jsonb,
  ship_to text DEFAULT NULL,
  fixed_warehouse_id integer DEFAULT NULL,
  expires_at timestamptz DEFAULT NULL,
  allow_split boolean DEFAULT false,
  strategy text DEFAULT 'PRIORITY',
  metadata jsonb DEFAULT NULL,
  on_shortage text DEFAULT 'error')
RETURNS TABLE (line text, sku text, warehouse_id integer, quantity bigint, reference_id text,
               event_id uuid, replayed boolean, requested bigint, available bigint,
               shortage bigint)
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  -- At most this many lines: the order's levels stay locked while it is planned and written.
  max_lines CONSTANT integer := 1000;
  destination text := upper(ship_to COLLATE "C");
  how text := upper(strategy COLLATE "C");
  shortage_mode text := lower(on_shortage COLLATE "C");
  line_count integer;
  bad record;
  sku_text text;
  canonical jsonb;
  line_ids text[];
  line_skus text[];
  line_qty bigint[];
  line_sku_no integer[];
  stored inventory.inventory_orders;
  candidates integer[];
  priorities integer[];
  cand_count integer;
  skus text[];
  backorderable boolean[];
  policy_limits bigint[];    -- per SKU: its policy's backorder_limit (NULL: none)
  first_level boolean[];     -- per SKU: whether its level in candidates[1] exists
  can_backorder boolean[];   -- per SKU: as the level in candidates[1] (or the policy) says
  room bigint[];             -- per SKU: backorder units left in candidates[1] (NULL: no limit)
  room_start bigint;
  first_free bigint;
  missing text[];            -- SKUs whose backorder needs a level in candidates[1]
  free bigint[];             -- per SKU and candidate: units still sellable in this allocation
  slice bigint[];
  ranks integer[];
  plan_line text[];
  plan_sku text[];
  plan_wh integer[];
  plan_qty bigint[];
  plan_n integer;
  plan_start integer;
  short_line integer[];
  short_available bigint[];
  short_n integer;
  pass integer;
  i integer;
  j integer;
  k integer;
  s integer;
  base integer;
  remaining bigint;
  take bigint;
  can_get bigint;
  event_ids uuid[];
  events jsonb;
  result jsonb;
BEGIN
  IF order_ref IS NULL OR lines IS NULL OR allow_split IS NULL OR strategy IS NULL
     OR on_shortage IS NULL THEN
    RAISE EXCEPTION 'order_ref, lines, allow_split, strategy and on_shortage must not be NULL'
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
  IF shortage_mode NOT IN ('error', 'report') THEN
    RAISE EXCEPTION 'on_shortage must be ''error'' or ''report'', not "%"', on_shortage
      USING ERRCODE = 'invalid_parameter_value',
            HINT = '''report'' reserves nothing and returns one row per short line instead of raising IV001.';
  END IF;
  IF char_length(order_ref) NOT BETWEEN 1 AND 200 OR order_ref ~ '[[:cntrl:]]' THEN
    RAISE EXCEPTION 'order_ref must be 1 to 200 characters without control characters'
      USING ERRCODE = 'IV010';
  END IF;
  IF metadata IS NOT NULL AND jsonb_typeof(metadata) <> 'object' THEN
    RAISE EXCEPTION 'metadata must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
  END IF;

  -- The lines, checked (all at once, reporting the first bad line) and in a canonical form:
  -- [{"line", "sku", "quantity"}]. Nothing is locked yet.
  IF jsonb_typeof(lines) <> 'array' OR jsonb_array_length(lines) = 0 THEN
    RAISE EXCEPTION 'lines must be a non-empty JSON array of {"sku", "quantity", "line"} objects'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  line_count := jsonb_array_length(lines);
  IF line_count > max_lines THEN
    RAISE EXCEPTION 'an order may have at most % lines, this one has %', max_lines, line_count
      USING ERRCODE = 'program_limit_exceeded',
            HINT = 'Split it into several orders (each order_ref is reserved all or nothing).';
  END IF;
  SELECT x.i, x.v, x.problem INTO bad
    FROM (SELECT e.i, e.v,
                 CASE WHEN jsonb_typeof(e.v) <> 'object' THEN 1
                      WHEN EXISTS (SELECT FROM jsonb_object_keys(e.v) AS o(k)
                                    WHERE o.k NOT IN ('line', 'sku', 'quantity')) THEN 1
                      WHEN NOT e.v ? 'sku' OR jsonb_typeof(e.v -> 'sku') = 'null' THEN 2
                      WHEN jsonb_typeof(e.v -> 'sku') <> 'string' THEN 3
                      WHEN jsonb_typeof(e.v -> 'quantity') IS DISTINCT FROM 'number' THEN 5
                      WHEN (e.v ->> 'quantity')::numeric NOT BETWEEN 1 AND 9223372036854775807
                        OR (e.v ->> 'quantity')::numeric
                           <> trunc((e.v ->> 'quantity')::numeric) THEN 5
                      -- No "/" in a line id: order_ref/line then names one order line only.
                      WHEN NOT e.v ? 'line' THEN NULL
                      WHEN jsonb_typeof(e.v -> 'line') NOT IN ('string', 'number') THEN 6
                      WHEN char_length(e.v ->> 'line') NOT BETWEEN 1 AND 50
                        OR (e.v ->> 'line') ~ '[[:cntrl:]/]' THEN 6
                 END AS problem
            FROM jsonb_array_elements(lines) WITH ORDINALITY AS e(v, i)) x
   WHERE x.problem IS NOT NULL
   ORDER BY x.i
   LIMIT 1;
  -- The SKUs of the lines before the first bad one (and of that one, if its SKU is a string)
  -- are checked first, as a line-by-line check would.
  FOR sku_text IN
    SELECT e.v ->> 'sku'
      FROM jsonb_array_elements(lines) WITH ORDINALITY AS e(v, i)
     WHERE bad.i IS NULL OR e.i < bad.i OR (e.i = bad.i AND bad.problem > 4)
     ORDER BY e.i
  LOOP
    PERFORM inventory.inventory_validate_sku(sku_text);
  END LOOP;
  CASE bad.problem
    WHEN 1 THEN
      RAISE EXCEPTION 'line % is not an object of the keys line, sku and quantity', bad.i
        USING ERRCODE = 'invalid_parameter_value';
    WHEN 2 THEN
      RAISE EXCEPTION 'line %: sku must not be NULL', bad.i USING ERRCODE = 'null_value_not_allowed';
    WHEN 3 THEN
      RAISE EXCEPTION 'line %: sku must be a string', bad.i USING ERRCODE = 'invalid_parameter_value';
    WHEN 5 THEN
      RAISE EXCEPTION 'line %: quantity must be a positive whole number, not %', bad.i,
                      coalesce((bad.v -> 'quantity')::text, 'null')
        USING ERRCODE = 'IV004';
    WHEN 6 THEN
      RAISE EXCEPTION 'line %: line must be a string or number of 1 to 50 characters, without "/"',
                      bad.i
        USING ERRCODE = 'invalid_parameter_value';
    ELSE
      NULL;
  END CASE;
  SELECT array_agg(coalesce(e.v ->> 'line', e.i::text) ORDER BY e.i),
         array_agg(e.v ->> 'sku' ORDER BY e.i),
         array_agg((e.v ->> 'quantity')::numeric::bigint ORDER BY e.i),
         jsonb_agg(jsonb_build_object('line', coalesce(e.v ->> 'line', e.i::text),
                                      'sku', e.v ->> 'sku',
                                      'quantity', (e.v ->> 'quantity')::numeric::bigint)
                   ORDER BY e.i)
    INTO line_ids, line_skus, line_qty, canonical
    FROM jsonb_array_elements(lines) WITH ORDINALITY AS e(v, i);
  IF (SELECT count(DISTINCT u.id) FROM unnest(line_ids) AS u(id)) <> line_count THEN
    RAISE EXCEPTION 'line ids must be unique within an order' USING ERRCODE = 'invalid_parameter_value';
  END IF;

  -- One order_ref, one allocation: a retry with the same request returns the first result.
  INSERT INTO inventory.inventory_orders AS o
         (order_ref, ship_to, warehouse_id, strategy, allow_split, expires_at, lines, metadata,
          actor)
  VALUES (order_ref, destination, fixed_warehouse_id, how, allow_split, expires_at, canonical,
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
       IS DISTINCT FROM (destination, fixed_warehouse_id, how, allow_split, canonical, metadata)
    THEN
      RAISE EXCEPTION 'order % was already allocated with a different request', order_ref
        USING ERRCODE = 'IV002',
              HINT = 'Allocate a changed order under a new order_ref, or release it first.';
    END IF;
    RETURN QUERY
      SELECT a ->> 'line', a ->> 'sku', (a ->> 'warehouse_id')::integer,
             (a ->> 'quantity')::bigint, a ->> 'reference_id', (a ->> 'event_id')::uuid, true,
             NULL::bigint, NULL::bigint, NULL::bigint
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
  cand_count := cardinality(candidates);

  -- The order's SKUs (bytewise order), each line's SKU number, and which SKUs allow backorders.
  SELECT array_agg(d.s ORDER BY d.s COLLATE "C") INTO skus
    FROM (SELECT DISTINCT u.s FROM unnest(line_skus) AS u(s)) d;
  SELECT array_agg(d.no ORDER BY u.i) INTO line_sku_no
    FROM unnest(line_skus) WITH ORDINALITY AS u(s, i)
    JOIN unnest(skus) WITH ORDINALITY AS d(s, no) ON d.s = u.s;
  SELECT array_agg(p.sku IS NOT NULL ORDER BY d.no),
         array_agg(p.backorder_limit ORDER BY d.no),
         array_agg(l.sku IS NOT NULL ORDER BY d.no)
    INTO backorderable, policy_limits, first_level
    FROM unnest(skus) WITH ORDINALITY AS d(s, no)
    LEFT JOIN inventory.inventory_sku_policies p ON p.sku = d.s AND p.allow_backorder
    LEFT JOIN inventory.inventory_levels l ON l.sku = d.s AND l.warehouse_id = candidates[1];

  LOCK TABLE inventory.inventory_ledger IN ROW EXCLUSIVE MODE;

  -- Pass 1 (only when a SKU that allows backorders has no level in the first candidate yet)
  -- plans on unlocked reads to find the levels its backorders need; they are created before
  -- any level is locked, so that no level is created after a later one was locked. Pass 2
  -- locks every level the order may draw on, in the engine's global order, and plans for real;
  -- the engine checks each ALLOCATE again when it is written.
  missing := '{}';
  FOR pass IN (CASE WHEN EXISTS (SELECT FROM unnest(backorderable, first_level) AS b(ok, has)
                                  WHERE b.ok AND NOT b.has) THEN 1 ELSE 2 END) .. 2 LOOP
    IF pass = 2 THEN
      IF cardinality(missing) > 0 THEN
        PERFORM inventory.inventory_create_levels(missing, array_fill(candidates[1],
                                                                      ARRAY[cardinality(missing)]));
        SELECT array_agg(l.sku IS NOT NULL ORDER BY d.no) INTO first_level
          FROM unnest(skus) WITH ORDINALITY AS d(s, no)
          LEFT JOIN inventory.inventory_levels l
            ON l.sku = d.s AND l.warehouse_id = candidates[1];
      END IF;
      PERFORM FROM inventory.inventory_levels l
        WHERE l.sku = ANY (skus) AND l.warehouse_id = ANY (candidates)
        ORDER BY l.sku COLLATE "C", l.warehouse_id
          FOR UPDATE;
    END IF;
    SELECT array_agg(coalesce(greatest(l.available_to_sell, 0), 0) ORDER BY d.no, c.k)
      INTO free
      FROM unnest(skus) WITH ORDINALITY AS d(s, no)
     CROSS JOIN unnest(candidates) WITH ORDINALITY AS c(w, k)
      LEFT JOIN inventory.inventory_levels l ON l.sku = d.s AND l.warehouse_id = c.w;
    -- What a backorder may take in the first candidate, by the engine's rule (its allowance is
    -- the limit less what is backordered already): from the level there (locked in pass 2), or,
    -- where it does not exist yet, from the policy.
    SELECT array_agg(CASE WHEN l.sku IS NOT NULL THEN l.allow_backorder ELSE b.ok END
                     ORDER BY d.no),
           array_agg(CASE WHEN l.sku IS NOT NULL THEN
                            CASE WHEN NOT l.allow_backorder THEN 0
                                 WHEN l.backorder_limit IS NULL THEN NULL
                                 ELSE greatest(l.backorder_limit
                                               - greatest(l.reserved - l.on_hand, 0), 0) END
                          WHEN b.ok THEN b.lim ELSE 0 END ORDER BY d.no)
      INTO can_backorder, room
      FROM unnest(skus) WITH ORDINALITY AS d(s, no)
      JOIN unnest(backorderable, policy_limits) WITH ORDINALITY AS b(ok, lim, no) ON b.no = d.no
      LEFT JOIN inventory.inventory_levels l ON l.sku = d.s AND l.warehouse_id = candidates[1];

    plan_line := '{}'; plan_sku := '{}'; plan_wh := '{}'; plan_qty := '{}';
    plan_n := 0;
    short_line := '{}'; short_available := '{}'; short_n := 0;
    FOR i IN 1 .. line_count LOOP
      s := line_sku_no[i];
      base := (s - 1) * cand_count;
      remaining := line_qty[i];
      slice := free[base + 1 : base + cand_count];
      -- Warehouses to draw from, best first. PRIORITY: serving priority, then most sellable
      -- units, then warehouse id. MOST_STOCK: most sellable units, then priority, then id.
      IF cand_count = 1 THEN
        ranks := ARRAY[1];
      ELSE
        SELECT array_agg(c.k ORDER BY CASE WHEN how = 'MOST_STOCK' THEN -c.units END,
                                      c.priority, -c.units, c.id)
          INTO ranks
          FROM unnest(candidates, priorities, slice) WITH ORDINALITY AS c(id, priority, units, k);
      END IF;
      plan_start := plan_n;
      room_start := room[s];
      FOREACH k IN ARRAY ranks LOOP
        EXIT WHEN remaining = 0;
        take := free[base + k];
        CONTINUE WHEN take = 0 OR (NOT allow_split AND take < remaining);
        take := least(take, remaining);
        plan_n := plan_n + 1;
        plan_line[plan_n] := line_ids[i];
        plan_sku[plan_n] := line_skus[i];
        plan_wh[plan_n] := candidates[k];
        plan_qty[plan_n] := take;
        free[base + k] := free[base + k] - take;
        remaining := remaining - take;
      END LOOP;
      first_free := free[base + 1];
      take := CASE WHEN room[s] IS NULL THEN remaining ELSE least(remaining, first_free + room[s]) END;
      IF remaining > 0 AND can_backorder[s] AND take > 0 THEN
        -- Backorders: the rest waits in the first candidate, within its backorder allowance.
        IF NOT first_level[s] THEN
          IF pass = 1 THEN
            missing := missing || line_skus[i];
          ELSE
            RAISE EXCEPTION 'could not serialize access: stock of % changed while order % was planned',
                            line_skus[i], order_ref
              USING ERRCODE = 'serialization_failure', HINT = 'Retry the transaction.';
          END IF;
        END IF;
        plan_n := plan_n + 1;
        plan_line[plan_n] := line_ids[i];
        plan_sku[plan_n] := line_skus[i];
        plan_wh[plan_n] := candidates[1];
        plan_qty[plan_n] := take;
        free[base + 1] := greatest(first_free - take, 0);
        IF room[s] IS NOT NULL THEN room[s] := room[s] - greatest(take - first_free, 0); END IF;
        remaining := remaining - take;
      END IF;
      IF remaining > 0 AND pass = 2 THEN
        IF shortage_mode = 'error' THEN
          RAISE EXCEPTION 'insufficient stock for line % of order %: % units of % requested',
                          line_ids[i], order_ref, line_qty[i], line_skus[i]
            USING ERRCODE = 'IV001',
                  DETAIL = format('Sellable now in the %s: %s.',
                                  CASE WHEN ship_to IS NULL THEN 'warehouse'
                                       ELSE 'warehouses that ship to ' || destination END,
                                  (SELECT string_agg(format('%s in warehouse %s', c.units, c.id),
                                                     ', ' ORDER BY c.k)
                                     FROM unnest(candidates, slice)
                                            WITH ORDINALITY AS c(id, units, k)))
                           || CASE WHEN can_backorder[s]
                                   THEN format(' Backorders may take %s more in warehouse %s.',
                                               room_start, candidates[1])
                                   ELSE '' END,
                  HINT = CASE WHEN allow_split THEN 'Nothing was reserved.'
                              ELSE 'Nothing was reserved; allow_split => true may fill it from several warehouses.' END;
        END IF;
        -- Report: what this line could get as the order stands (all candidates with a split,
        -- the best one without); it takes nothing, and the lines after it are planned on.
        -- A backorderable SKU adds what its backorder may still take in the first candidate.
        SELECT CASE WHEN allow_split THEN sum(u.units) ELSE max(u.units) END INTO can_get
          FROM unnest(slice) AS u(units);
        IF can_backorder[s] THEN
          can_get := CASE WHEN allow_split THEN can_get + room_start
                          ELSE greatest(can_get, slice[1] + room_start) END;
        END IF;
        -- The line takes nothing: its SKU's figures are as they were before it.
        FOR j IN 1 .. cand_count LOOP
          free[base + j] := slice[j];
        END LOOP;
        room[s] := room_start;
        plan_n := plan_start;
        short_n := short_n + 1;
        short_line[short_n] := i;
        short_available[short_n] := can_get;
      END IF;
    END LOOP;
  END LOOP;

  IF short_n > 0 THEN
    -- on_shortage => 'report': nothing is reserved, and the order_ref stays free.
    DELETE FROM inventory.inventory_orders o WHERE o.order_ref = inventory_allocate_order.order_ref;
    RETURN QUERY
      SELECT line_ids[u.i], line_skus[u.i], NULL::integer, 0::bigint, NULL::text, NULL::uuid,
             false, line_qty[u.i], u.units, line_qty[u.i] - u.units
        FROM unnest(short_line, short_available) WITH ORDINALITY AS u(i, units, n)
       ORDER BY u.n;
    RETURN;
  END IF;

  plan_line := plan_line[1 : plan_n];
  plan_sku := plan_sku[1 : plan_n];
  plan_wh := plan_wh[1 : plan_n];
  plan_qty := plan_qty[1 : plan_n];

  -- The references order_ref/line are new: a reservation already under one of them (made by a
  -- plain ALLOCATE) belongs to something else, and this order must not add to it.
  IF EXISTS (SELECT FROM inventory.inventory_reservations r
              WHERE r.reference_id = ANY (SELECT inventory_allocate_order.order_ref || '/' || u.id
                                            FROM unnest(line_ids) AS u(id))) THEN
    RAISE EXCEPTION 'a reservation already uses a reference_id of order % (order_ref/line)',
                    order_ref
      USING ERRCODE = 'IV002',
            HINT = 'Use another order_ref; plain ALLOCATEs should not use order_ref/line references.';
  END IF;

  -- One ALLOCATE per line and warehouse, all or nothing; the reference names order and line.
  SELECT jsonb_agg(jsonb_build_object(
           'sku', p.sku, 'warehouse_id', p.wh, 'event_type', 'ALLOCATE', 'quantity', p.qty,
           'reference_id', order_ref || '/' || p.line,
           'expires_at', expires_at,
           'metadata', coalesce(metadata, '{}') || jsonb_build_object('order_ref', order_ref,
                                                                     'line', p.line))
           ORDER BY p.n)
    INTO events
    FROM unnest(plan_line, plan_sku, plan_wh, plan_qty) WITH ORDINALITY AS p(line, sku, wh, qty, n);
  SELECT array_agg(r.event_id ORDER BY r.ordinal) INTO event_ids
    FROM inventory.inventory_apply_events(events) r;
  SELECT jsonb_agg(jsonb_build_object('line', p.line, 'sku', p.sku, 'warehouse_id', p.wh,
                                      'quantity', p.qty,
                                      'reference_id', order_ref || '/' || p.line,
                                      'event_id', p.id)
                   ORDER BY p.n)
    INTO result
    FROM unnest(plan_line, plan_sku, plan_wh, plan_qty, event_ids)
           WITH ORDINALITY AS p(line, sku, wh, qty, id, n);

  UPDATE inventory.inventory_reservations r
     SET order_ref = inventory_allocate_order.order_ref
   WHERE (r.reference_id, r.sku, r.warehouse_id) IN
         (SELECT inventory_allocate_order.order_ref || '/' || p.line, p.sku, p.wh
            FROM unnest(plan_line, plan_sku, plan_wh) AS p(line, sku, wh));
  -- The actor as the ledger records it: the caller's role, not this function's owner.
  UPDATE inventory.inventory_orders o
     SET allocation = result,
         actor = (SELECT g.actor FROM inventory.inventory_ledger g WHERE g.id = event_ids[1])
   WHERE o.order_ref = inventory_allocate_order.order_ref;

  RETURN QUERY
    SELECT p.line, p.sku, p.wh, p.qty, order_ref || '/' || p.line, p.id, false,
           NULL::bigint, NULL::bigint, NULL::bigint
      FROM unnest(plan_line, plan_sku, plan_wh, plan_qty, event_ids)
             WITH ORDINALITY AS p(line, sku, wh, qty, id, n)
     ORDER BY p.n;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_allocate_order(text, jsonb, text, integer, timestamptz, boolean, text, jsonb, text) IS
  'Reserves every line of an order or none: lines [{"line", "sku", "quantity"}] (at most 1000, '
  'else 54000), in one fixed warehouse or among the warehouses that serve ship_to, by PRIORITY '
  '(serving priority, then most stock, then id) or MOST_STOCK (most stock, then priority, then '
  'id); with allow_split a line may come from several warehouses. Each reservation''s '
  'reference_id is order_ref/line. Returns where each unit was reserved; a retry with the same '
  'order_ref and request returns the first result (replayed = true). When stock is short, '
  'on_shortage => ''error'' raises IV001; ''report'' reserves nothing and returns one row per '
  'short line with requested, available (what the line could get) and shortage.';

CREATE OR REPLACE FUNCTION inventory.inventory_release_order(order_ref text, reason text DEFAULT 'CANCELLED')
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
  LOCK TABLE inventory.inventory_ledger IN ROW EXCLUSIVE MODE;
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

--------------------------------------------------------------------------------------------------
-- Transfers with goods in transit
--------------------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION inventory.inventory_dispatch_transfer(
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
  IF transfer_ref IS NULL OR sku IS NULL OR from_warehouse_id IS NULL OR to_warehouse_id IS NULL
     OR quantity IS NULL THEN
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
  LOCK TABLE inventory.inventory_ledger IN ROW EXCLUSIVE MODE;
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

CREATE OR REPLACE FUNCTION inventory.inventory_receive_transfer(
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
  -- The TRANSFER_IN leg accepts the extension's keys: the caller's key is checked as a
  -- caller's here (IV010 for the reserved prefix).
  PERFORM inventory.inventory_validate_idempotency_key(idempotency_key);
  LOCK TABLE inventory.inventory_ledger IN ROW EXCLUSIVE MODE;
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
  'transit when quantity is NULL). Partial receipts are allowed; never more than is in transit. '
  'Idempotency keys starting with "inventory:" are the extension''s (IV010).';

--------------------------------------------------------------------------------------------------
-- Purchase orders
--------------------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION inventory.inventory_expect_purchase_order(
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
    RAISE EXCEPTION 'purchase order % of % is %', po_ref, sku, lower(line.status COLLATE "C")
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

CREATE OR REPLACE FUNCTION inventory.inventory_receive_purchase_order(
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
  -- Before the key is looked up: an extension's key must not pass as a replay (IV010).
  PERFORM inventory.inventory_validate_idempotency_key(idempotency_key);
  LOCK TABLE inventory.inventory_ledger IN ROW EXCLUSIVE MODE;
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

--------------------------------------------------------------------------------------------------
-- Privileges of what this fragment (re)created
--------------------------------------------------------------------------------------------------

REVOKE ALL ON FUNCTION
    inventory.inventory_expire_reservations(integer, boolean),
    inventory.inventory_allocate_order(text, jsonb, text, integer, timestamptz, boolean, text, jsonb, text)
  FROM PUBLIC;
REVOKE ALL ON PROCEDURE inventory.inventory_expire_reservations_in_batches(integer, integer)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    inventory.inventory_expire_reservations(integer, boolean),
    inventory.inventory_allocate_order(text, jsonb, text, integer, timestamptz, boolean, text, jsonb, text)
  TO inventory_app;
GRANT EXECUTE ON PROCEDURE inventory.inventory_expire_reservations_in_batches(integer, integer)
  TO inventory_app;

--------------------------------------------------------------------------------------------------
-- 40: the change feed (issue 10, item 2: LISTEN inventory_levels).
-- The NOTIFY carries no payload any more (src/pg/change_feed.cpp): anyone may LISTEN, so the
-- notification only says that levels changed. A consumer in inventory_reader then asks
-- inventory_level_changes(position) what changed. The position is a snapshot, not a sequence
-- value or UUIDv7: those are assigned before commit, so "everything after P" skips a
-- transaction that commits late. A row is new to a reader when the transaction that wrote it
-- is not visible in the reader's previous snapshot; the transaction ids are kept as xid8
-- (no wraparound) in a column DEFAULT, so no writer's statement names them.
--------------------------------------------------------------------------------------------------

-- Added without a default first, so that the existing rows are not rewritten and keep NULL
-- (they were all committed before any position could exist), then the default for new rows.
ALTER TABLE inventory.inventory_ledger ADD COLUMN transaction_id xid8;
ALTER TABLE inventory.inventory_ledger
  ALTER COLUMN transaction_id SET DEFAULT pg_catalog.pg_current_xact_id();
COMMENT ON COLUMN inventory.inventory_ledger.transaction_id IS
  'Top-level transaction that appended the row (pg_current_xact_id()); the change feed '
  '(inventory_level_changes) compares it with snapshots. NULL for rows appended before 0.3.1.';
-- The feed's lookup: rows of the transactions at or after the previous position's xmin. The
-- xids of a busy ledger only grow, so a poll reads the index's right edge, never the ledger.
-- Partial: the rows older than 0.3.1 are not in it, so the update builds it at once.
CREATE INDEX inventory_ledger_transaction_id_idx
  ON inventory.inventory_ledger (transaction_id) WHERE transaction_id IS NOT NULL;

-- Level changes that come without a ledger row: a SKU policy change moves available_to_sell
-- (all levels of the SKU), inventory_rebuild_levels() repairs levels (all levels), a level can
-- be deleted (rebuild removes levels without ledger rows). Rare and small: not dumped, since a
-- restored database starts a new feed.
CREATE TABLE inventory.inventory_feed_marks (
  sku            text,
  warehouse_id   integer,
  transaction_id xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
  created_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
  CONSTRAINT inventory_feed_marks_warehouse_needs_sku CHECK (warehouse_id IS NULL OR sku IS NOT NULL)
);
CREATE INDEX inventory_feed_marks_transaction_id_idx
  ON inventory.inventory_feed_marks (transaction_id);
COMMENT ON TABLE inventory.inventory_feed_marks IS
  'Levels changed without a ledger row (SKU policy changes, rebuilds, deleted levels), for '
  'inventory_level_changes(); written by the extension only.';
COMMENT ON COLUMN inventory.inventory_feed_marks.sku IS
  'The SKU whose levels changed; NULL: every level (a rebuild).';
COMMENT ON COLUMN inventory.inventory_feed_marks.warehouse_id IS
  'The one level of the SKU that changed; NULL: every level of the SKU.';
COMMENT ON COLUMN inventory.inventory_feed_marks.transaction_id IS
  'Top-level transaction that made the change (pg_current_xact_id()).';
COMMENT ON COLUMN inventory.inventory_feed_marks.created_at IS 'When the mark was written.';

CREATE FUNCTION inventory.inventory_feed_policy_trigger()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO inventory.inventory_feed_marks (sku) VALUES (OLD.sku);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.sku IS DISTINCT FROM OLD.sku) THEN
    INSERT INTO inventory.inventory_feed_marks (sku) VALUES (NEW.sku);
  END IF;
  RETURN NULL;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_feed_policy_trigger() IS
  'AFTER INSERT, UPDATE or DELETE on inventory_sku_policies: marks the SKU''s levels as changed '
  'for the change feed (a policy change moves available_to_sell without a ledger row).';
CREATE TRIGGER inventory_sku_policy_feed
  AFTER INSERT OR UPDATE OR DELETE ON inventory.inventory_sku_policies
  FOR EACH ROW EXECUTE FUNCTION inventory.inventory_feed_policy_trigger();
ALTER TABLE inventory.inventory_sku_policies ENABLE ALWAYS TRIGGER inventory_sku_policy_feed;
COMMENT ON TRIGGER inventory_sku_policy_feed ON inventory.inventory_sku_policies IS
  'Change feed: a policy change is a change of every level of the SKU.';

-- A deleted level (a rebuild removes levels without ledger rows) reads as empty to the
-- consumers. inventory_rebuild_levels() marks every level itself when it changed any.
CREATE FUNCTION inventory.inventory_feed_levels_trigger()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  INSERT INTO inventory.inventory_feed_marks (sku, warehouse_id)
  VALUES (OLD.sku, OLD.warehouse_id);
  RETURN NULL;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_feed_levels_trigger() IS
  'AFTER DELETE on inventory_levels: marks the deleted level as changed for the change feed.';
CREATE TRIGGER inventory_levels_feed_delete
  AFTER DELETE ON inventory.inventory_levels
  FOR EACH ROW EXECUTE FUNCTION inventory.inventory_feed_levels_trigger();
ALTER TABLE inventory.inventory_levels ENABLE ALWAYS TRIGGER inventory_levels_feed_delete;
COMMENT ON TRIGGER inventory_levels_feed_delete ON inventory.inventory_levels IS
  'Change feed: a deleted level reads as empty to the feed''s consumers.';

-- The position: '<system identifier>/<database oid>/<pg_snapshot>'. The first two parts refuse
-- a position of another database (a restore, a copy); the snapshot says which transactions the
-- consumer has seen.
CREATE FUNCTION inventory.inventory_level_changes(since text DEFAULT NULL)
RETURNS TABLE (sku text, warehouse_id integer, on_hand bigint, reserved bigint,
               available_to_sell bigint, version bigint, next_position text)
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  origin constant text := (SELECT s.system_identifier::text FROM pg_control_system() s)
                          || '/' || (SELECT d.oid::text FROM pg_database d
                                      WHERE d.datname = current_database());
  seen pg_snapshot;
BEGIN
  IF since IS NULL THEN
    -- The full state, and the position that goes with it (one statement: one snapshot).
    RETURN QUERY
      WITH snap AS MATERIALIZED (SELECT origin || '/' || pg_current_snapshot()::text AS pos),
      state AS (
        SELECT l.sku, l.warehouse_id, l.on_hand, l.reserved, l.available_to_sell, l.version
          FROM inventory.inventory_levels l)
      SELECT s.*, snap.pos FROM state s, snap
      UNION ALL
      SELECT NULL, NULL, NULL, NULL, NULL, NULL, snap.pos FROM snap
       WHERE NOT EXISTS (SELECT FROM state);
    RETURN;
  END IF;

  IF since !~ '^[0-9]+/[0-9]+/[0-9]+:[0-9]+:([0-9]+(,[0-9]+)*)?$' THEN
    RAISE EXCEPTION 'invalid change feed position "%"', left(since, 100)
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Pass the next_position of the previous call, or NULL for the full state.';
  END IF;
  BEGIN
    seen := substr(since, length(split_part(since, '/', 1)) + length(split_part(since, '/', 2)) + 3)
            ::pg_snapshot;
  EXCEPTION WHEN invalid_text_representation THEN
    RAISE EXCEPTION 'invalid change feed position "%"', left(since, 100)
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Pass the next_position of the previous call, or NULL for the full state.';
  END;
  IF split_part(since, '/', 1) || '/' || split_part(since, '/', 2) <> origin
     OR pg_snapshot_xmax(seen) > pg_snapshot_xmax(pg_current_snapshot()) THEN
    RAISE EXCEPTION 'change feed position belongs to another database'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'The database was restored or copied, or the position is from another server.',
            HINT = 'Start again from the full state: since => NULL.';
  END IF;

  -- Changed: rows of transactions that the previous snapshot did not see (at or after its xmin,
  -- not visible in it) and that this statement's snapshot sees (MVCC shows only those; the
  -- upper bound keeps out transaction ids copied in by a restore).
  RETURN QUERY
    WITH snap AS MATERIALIZED (SELECT pg_current_snapshot() AS cur),
    marks AS MATERIALIZED (
      SELECT m.sku, m.warehouse_id
        FROM inventory.inventory_feed_marks m, snap
       WHERE m.transaction_id >= pg_snapshot_xmin(seen)
         AND m.transaction_id < pg_snapshot_xmax(snap.cur)
         AND NOT pg_visible_in_snapshot(m.transaction_id, seen)),
    changed AS (
      SELECT g.sku, g.warehouse_id
        FROM inventory.inventory_ledger g, snap
       WHERE g.transaction_id >= pg_snapshot_xmin(seen)
         AND g.transaction_id < pg_snapshot_xmax(snap.cur)
         AND NOT pg_visible_in_snapshot(g.transaction_id, seen)
      UNION
      SELECT m.sku, m.warehouse_id FROM marks m WHERE m.warehouse_id IS NOT NULL
      UNION
      SELECT l.sku, l.warehouse_id
        FROM marks m JOIN inventory.inventory_levels l ON l.sku = m.sku
       WHERE m.warehouse_id IS NULL),
    result AS (
      -- Each changed level by its key (a LATERAL probe of the primary key: a poll never reads
      -- all levels); one that no longer exists reads as empty, as inventory_ats() reads it.
      SELECT c.sku, c.warehouse_id, coalesce(l.on_hand, 0), coalesce(l.reserved, 0),
             coalesce(l.available_to_sell, 0), coalesce(l.version, 0)
        FROM changed c
        LEFT JOIN LATERAL (
              SELECT l.on_hand, l.reserved, l.available_to_sell, l.version
                FROM inventory.inventory_levels l
               WHERE l.sku = c.sku AND l.warehouse_id = c.warehouse_id LIMIT 1) l ON true
       WHERE NOT EXISTS (SELECT FROM marks m WHERE m.sku IS NULL)
      UNION ALL
      -- After a rebuild: every level, and the changed ones that no longer exist.
      SELECT l.sku, l.warehouse_id, l.on_hand, l.reserved, l.available_to_sell, l.version
        FROM inventory.inventory_levels l
       WHERE EXISTS (SELECT FROM marks m WHERE m.sku IS NULL)
      UNION ALL
      SELECT c.sku, c.warehouse_id, 0, 0, 0, 0
        FROM changed c
       WHERE EXISTS (SELECT FROM marks m WHERE m.sku IS NULL)
         AND NOT EXISTS (SELECT FROM inventory.inventory_levels l
                          WHERE l.sku = c.sku AND l.warehouse_id = c.warehouse_id))
    SELECT r.*, origin || '/' || snap.cur::text FROM result r, snap
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, origin || '/' || snap.cur::text FROM snap
     WHERE NOT EXISTS (SELECT FROM result);
END;
$$;
COMMENT ON FUNCTION inventory.inventory_level_changes(text) IS
  'The change feed: the current figures of every level changed since the position "since" '
  '(NULL: every level), each row with the next_position to pass next time; one row with a '
  'NULL sku when nothing changed. Commit-safe: a transaction that commits after the position '
  'was taken is returned by the next call, however early it wrote.';

REVOKE ALL ON TABLE inventory.inventory_feed_marks FROM PUBLIC;
GRANT SELECT ON TABLE inventory.inventory_feed_marks TO inventory_reader;
REVOKE ALL ON FUNCTION inventory.inventory_feed_policy_trigger(),
                       inventory.inventory_feed_levels_trigger(),
                       inventory.inventory_level_changes(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION inventory.inventory_level_changes(text) TO inventory_reader;
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

--------------------------------------------------------------------------------------------------
-- Input that lies (issue 10, items 5 and 6): look-alike SKUs, warehouses in C
--------------------------------------------------------------------------------------------------

-- Why a SKU would be refused, without raising: h6's report of stored SKUs uses it.
CREATE FUNCTION inventory.inventory_sku_problem(sku text)
RETURNS text
LANGUAGE c STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_sku_problem';
COMMENT ON FUNCTION inventory.inventory_sku_problem(text) IS
  'NULL when the ledger accepts the SKU, else the reason it refuses it (IV009): empty or over '
  '255 characters, control, bidirectional or invisible characters, a space, separator or format '
  'character at either end, or not in Unicode normalization form NFC. 22004 for NULL.';
REVOKE ALL ON FUNCTION inventory.inventory_sku_problem(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION inventory.inventory_sku_problem(text) TO inventory_reader;

-- The warehouse functions, in C: 22023 for a bad code, name or country (0.3.0 let the table's
-- CHECK answer 23514), countries upper-cased in ASCII whatever the database's LC_CTYPE (upper()
-- follows it: under tr_TR 'it' became 'İT'), and no internal SQL as error CONTEXT. CREATE OR
-- REPLACE keeps their grants and comments; every attribute is restated.
CREATE OR REPLACE FUNCTION inventory.inventory_create_warehouse(
  code text, name text, country text, id integer DEFAULT NULL)
RETURNS integer
LANGUAGE c VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_create_warehouse';

CREATE OR REPLACE FUNCTION inventory.inventory_serve_country(
  warehouse_id integer, country text, priority integer DEFAULT 100)
RETURNS void
LANGUAGE c VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_serve_country';

CREATE OR REPLACE FUNCTION inventory.inventory_stop_serving_country(warehouse_id integer,
                                                                   country text)
RETURNS boolean
LANGUAGE c VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_stop_serving_country';
--------------------------------------------------------------------------------------------------
-- Views that tell the truth, and data that needs a person (issue 10, item 4)
--------------------------------------------------------------------------------------------------

-- inventory_losses: readable whatever an old row's metadata holds (only a unit_cost that is a
-- non-negative JSON number is valued; 0.3.1 refuses any other on write), and every COUNT
-- shortfall is a loss whatever its free-text reason (only ADJUST's reason codes say that a
-- decrease is no loss). Same columns and types, so CREATE OR REPLACE keeps grants and users'
-- dependent views.
CREATE OR REPLACE VIEW inventory.inventory_losses AS
WITH losses AS (
  SELECT g.created_at, g.sku, g.warehouse_id,
         CASE WHEN g.event_type = 'COUNT' THEN 'COUNT_SHORTFALL'
              WHEN g.event_type = 'RETURN' THEN 'DAMAGED_RETURN'
              ELSE g.reason END AS reason,
         CASE WHEN g.event_type = 'RETURN' THEN g.quantity ELSE -g.on_hand_change END AS units,
         CASE WHEN jsonb_typeof(g.metadata -> 'unit_cost') = 'number' THEN
           CASE WHEN (g.metadata ->> 'unit_cost')::numeric >= 0
                THEN (g.metadata ->> 'unit_cost')::numeric END
         END AS unit_cost
    FROM inventory.inventory_ledger g
   WHERE (g.event_type = 'COUNT' AND g.on_hand_change < 0)
      OR (g.event_type = 'ADJUST' AND g.on_hand_change < 0
          AND coalesce(g.reason, '') NOT IN ('OFFLINE_SALE', 'SAMPLE', 'CORRECTION'))
      OR (g.event_type = 'RETURN' AND g.reason = 'DAMAGED'))
SELECT l.sku, l.warehouse_id, l.reason, count(*) AS events, sum(l.units) AS units,
       sum(l.units * l.unit_cost) AS value, min(l.created_at) AS first_at,
       max(l.created_at) AS last_at
  FROM losses l
 GROUP BY 1, 2, 3;
COMMENT ON VIEW inventory.inventory_losses IS
  'Shrinkage and damage per SKU, warehouse and reason: ADJUST losses (DAMAGED, SHRINKAGE, '
  'THEFT, EXPIRED, OTHER), every COUNT shortfall (whatever its reason) and damaged returns. '
  'value sums units times the event''s metadata unit_cost where that is a non-negative number '
  '(rows written before 0.3.1 may hold another; inventory_verify_data() lists them).';

-- What 0.3.0 accepted and 0.3.1 refuses. The update keeps such rows (the ledger is append-only
-- and history stays as it was); this lists them for a person to correct with compensating
-- events. Empty when nothing needs attention.
CREATE FUNCTION inventory.inventory_verify_data()
RETURNS TABLE (kind text, sku text, warehouse_id integer, event_id uuid, problem text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  WITH skus AS (
    SELECT g.sku, g.warehouse_id FROM inventory.inventory_ledger g
    UNION SELECT l.sku, l.warehouse_id FROM inventory.inventory_levels l
    UNION SELECT o.sku, o.warehouse_id FROM inventory.inventory_purchase_orders o
    UNION SELECT p.sku, NULL::integer FROM inventory.inventory_sku_policies p
  )
  SELECT 'sku'::text, s.sku, s.warehouse_id, NULL::uuid, inventory.inventory_sku_problem(s.sku)
    FROM skus s
   WHERE inventory.inventory_sku_problem(s.sku) IS NOT NULL
  UNION ALL
  SELECT 'unit_cost', g.sku, g.warehouse_id, g.id,
         'metadata unit_cost is ' || (g.metadata -> 'unit_cost')::text
         || ', not a non-negative number: inventory_losses leaves it out of value'
    FROM inventory.inventory_ledger g
   WHERE g.metadata ? 'unit_cost'
     AND CASE WHEN jsonb_typeof(g.metadata -> 'unit_cost') = 'number'
              THEN (g.metadata ->> 'unit_cost')::numeric < 0 ELSE true END
  ORDER BY 1, 2, 3, 4
$$;
COMMENT ON FUNCTION inventory.inventory_verify_data() IS
  'Data written before 0.3.1 that 0.3.1 refuses: SKUs its validation rejects (kind sku, per '
  'stock record, SKU policy or purchase order) and ledger rows whose metadata unit_cost is not '
  'a non-negative number (kind unit_cost); empty when nothing needs a person''s attention.';
REVOKE ALL ON FUNCTION inventory.inventory_verify_data() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION inventory.inventory_verify_data() TO inventory_reader;

--------------------------------------------------------------------------------------------------
-- Roles that fail closed and follow PostgreSQL's rules (issue 10, item 2). Runs after every
-- other fragment: it converts the functions as the earlier fragments left them.
--------------------------------------------------------------------------------------------------

-- Who acted and who logged in. Rows written before 0.3.1 have no login (NULL).
ALTER TABLE inventory.inventory_ledger ADD COLUMN login text;
COMMENT ON COLUMN inventory.inventory_ledger.actor IS
  'The role that acted: the current user of the code that called the extension, as '
  'PostgreSQL''s own privilege checks see it (inside a SECURITY DEFINER function: its owner).';
COMMENT ON COLUMN inventory.inventory_ledger.login IS
  'The login that authenticated the session (not changed by SET ROLE or SET SESSION '
  'AUTHORIZATION); NULL for rows written before 0.3.1.';

CREATE FUNCTION inventory.inventory_login()
RETURNS text
LANGUAGE c STABLE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_login';
COMMENT ON FUNCTION inventory.inventory_login() IS
  'The session''s authenticated login, as inventory_ledger.login records it; internal (the '
  'default of inventory_orders.login).';

ALTER TABLE inventory.inventory_orders ADD COLUMN login text;
ALTER TABLE inventory.inventory_orders ALTER COLUMN login SET DEFAULT inventory.inventory_login();
COMMENT ON COLUMN inventory.inventory_orders.actor IS
  'The role that allocated the order, as inventory_ledger.actor records it.';
COMMENT ON COLUMN inventory.inventory_orders.login IS
  'The login that allocated the order, as inventory_ledger.login records it; NULL for orders '
  'allocated before 0.3.1.';

-- The writing C functions check their caller (the current user) and then run as their owner
-- themselves: SECURITY INVOKER, so that the rights checked are those of the code that calls.
ALTER FUNCTION inventory.inventory_apply_event(text, integer, text, bigint, text, text, text, jsonb, timestamptz)
  SECURITY INVOKER;
ALTER FUNCTION inventory.inventory_apply_events(jsonb) SECURITY INVOKER;
ALTER FUNCTION inventory.inventory_transfer(text, integer, integer, bigint, text, text, text, jsonb)
  SECURITY INVOKER;

-- The PL/pgSQL writers whose behaviour depends on their caller. Each keeps its code as
-- `<name>_body` (SECURITY DEFINER, granted to nobody); the public `<name>` becomes a thin C
-- entry point (SECURITY INVOKER, same signature, defaults, result and comment) that checks the
-- caller's rights (src/core/capability.cpp: the same list), records the caller and calls the
-- body through fmgr. Signatures, defaults and results are read from the catalog, so the list
-- holds names only. A SECURITY DEFINER function of the extension that writes events must be in
-- it: otherwise the engine would check (and record) the function's owner instead of its caller.
-- THE LIST OF CONVERTED FUNCTIONS, with the group role granted EXECUTE on the public name
-- (README.md, Roles):
DO $convert$
DECLARE
  converted CONSTANT text[][] := ARRAY[
    ['inventory_adjust',                 'inventory_warehouse'],
    ['inventory_allocate_order',         'inventory_app'],
    ['inventory_release_order',          'inventory_app'],
    ['inventory_expire_reservations',    'inventory_app'],
    ['inventory_dispatch_transfer',      'inventory_warehouse'],
    ['inventory_receive_transfer',       'inventory_warehouse'],
    ['inventory_expect_purchase_order',  'inventory_warehouse'],
    ['inventory_receive_purchase_order', 'inventory_warehouse'],
    ['inventory_cancel_purchase_order',  'inventory_warehouse']];
  i integer;
  fn text;
  body text;
  f oid;
  proc record;
  arguments text;
  identity text;
  definition text;
  grantee oid;
BEGIN
  FOR i IN 1 .. pg_catalog.array_length(converted, 1) LOOP
    fn := converted[i][1];
    body := fn || '_body';
    SELECT p.oid INTO STRICT f  -- exactly one function of that name
      FROM pg_catalog.pg_proc p
     WHERE p.pronamespace OPERATOR(pg_catalog.=) 'inventory'::pg_catalog.regnamespace
       AND p.proname OPERATOR(pg_catalog.=) fn AND p.prokind OPERATOR(pg_catalog.=) 'f';
    SELECT p.proretset, p.prorows, p.prosecdef, pg_catalog.obj_description(p.oid, 'pg_proc') AS comment,
           pg_catalog.pg_get_function_result(p.oid) AS result
      INTO STRICT proc FROM pg_catalog.pg_proc p WHERE p.oid OPERATOR(pg_catalog.=) f;
    IF NOT proc.prosecdef THEN
      RAISE EXCEPTION 'inventory: % is not SECURITY DEFINER', fn;
    END IF;
    arguments := pg_catalog.pg_get_function_arguments(f);
    identity := pg_catalog.pg_get_function_identity_arguments(f);

    EXECUTE pg_catalog.format('ALTER FUNCTION inventory.%I(%s) RENAME TO %I', fn, identity, body);
    -- PL/pgSQL names the function's outermost block after the function: qualified references
    -- to its parameters (`fn.order_ref`) follow the new name.
    definition := pg_catalog.pg_get_functiondef(f);
    IF definition OPERATOR(pg_catalog.~) ('\m' || fn || '\.') THEN
      EXECUTE pg_catalog.regexp_replace(definition, '\m' || fn || '\.', body || '.', 'g');
    END IF;
    EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION inventory.%I(%s) FROM PUBLIC', body, identity);
    FOR grantee IN
      SELECT DISTINCT a.grantee
        FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
       WHERE p.oid OPERATOR(pg_catalog.=) f AND a.grantee OPERATOR(pg_catalog.<>) 0
         AND a.grantee OPERATOR(pg_catalog.<>) p.proowner
    LOOP
      EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION inventory.%I(%s) FROM %I', body, identity,
                                grantee::pg_catalog.regrole::text);
    END LOOP;
    EXECUTE pg_catalog.format('COMMENT ON FUNCTION inventory.%I(%s) IS %L', body, identity,
      'The code of inventory.' || fn || '(); runs as the extension''s owner and is granted to '
      'nobody: inventory.' || fn || '() checks its caller and calls it.');

    EXECUTE pg_catalog.format(
      'CREATE FUNCTION inventory.%I(%s) RETURNS %s LANGUAGE c VOLATILE CALLED ON NULL INPUT %s '
      'SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS %L, %L',
      fn, arguments, proc.result,
      CASE WHEN proc.proretset THEN 'ROWS ' || proc.prorows ELSE '' END,
      'MODULE_PATHNAME', 'inventory_owner_entry');
    EXECUTE pg_catalog.format('COMMENT ON FUNCTION inventory.%I(%s) IS %L', fn, identity,
                              proc.comment);
    EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION inventory.%I(%s) FROM PUBLIC', fn, identity);
    EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION inventory.%I(%s) TO %I', fn, identity,
                              converted[i][2]);
  END LOOP;
END;
$convert$;

-- Grants exactly as README.md's Roles table: inventory_transfer is the warehouse's (0.2.0
-- granted it, and inventory_adjust, to inventory_app too).
REVOKE ALL ON FUNCTION inventory.inventory_login() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION
    inventory.inventory_transfer(text, integer, integer, bigint, text, text, text, jsonb)
  FROM inventory_app;
