
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
