-- inventory: Orders: allocation across the warehouses that serve a ship-to country (or a fixed one), and release.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE TABLE IF NOT EXISTS inventory.inventory_orders (
    order_ref text NOT NULL,
    ship_to text,
    warehouse_id integer,
    strategy text NOT NULL,
    allow_split boolean NOT NULL,
    expires_at timestamp with time zone,
    lines jsonb NOT NULL,
    metadata jsonb,
    allocation jsonb,
    actor text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    login text DEFAULT inventory.inventory_login(),
    CONSTRAINT inventory_orders_destination_check CHECK (((ship_to IS NULL) <> (warehouse_id IS NULL))),
    CONSTRAINT inventory_orders_order_ref_check CHECK (((char_length(order_ref) >= 1) AND (char_length(order_ref) <= 200))),
    CONSTRAINT inventory_orders_ship_to_check CHECK ((ship_to ~ '^[A-Z]{2}$'::text)),
    CONSTRAINT inventory_orders_strategy_check CHECK ((strategy = ANY (ARRAY['PRIORITY'::text, 'MOST_STOCK'::text]))),
    CONSTRAINT inventory_orders_pkey PRIMARY KEY (order_ref)
);

COMMENT ON TABLE inventory.inventory_orders IS 'Orders allocated with inventory_allocate_order(): the request as given and where each unit was reserved. The order_ref makes the call idempotent.';

COMMENT ON COLUMN inventory.inventory_orders.order_ref IS 'The order''s reference; unique, 1 to 200 characters.';

COMMENT ON COLUMN inventory.inventory_orders.ship_to IS 'Ship-to country, when the warehouses were chosen by it.';

COMMENT ON COLUMN inventory.inventory_orders.warehouse_id IS 'The fixed warehouse, when one was given.';

COMMENT ON COLUMN inventory.inventory_orders.strategy IS 'PRIORITY or MOST_STOCK.';

COMMENT ON COLUMN inventory.inventory_orders.allow_split IS 'Whether a line could come from several warehouses.';

COMMENT ON COLUMN inventory.inventory_orders.expires_at IS 'When the order''s holds end (NULL: never).';

COMMENT ON COLUMN inventory.inventory_orders.lines IS 'The lines as requested: [{"line", "sku", "quantity"}].';

COMMENT ON COLUMN inventory.inventory_orders.metadata IS 'Caller''s JSON object, also stored on each ALLOCATE.';

COMMENT ON COLUMN inventory.inventory_orders.allocation IS 'Where each line was reserved: [{"line", "sku", "warehouse_id", "quantity", "reference_id", "event_id"}].';

COMMENT ON COLUMN inventory.inventory_orders.actor IS 'The role that allocated the order, as inventory_ledger.actor records it.';

COMMENT ON COLUMN inventory.inventory_orders.created_at IS 'When the order was allocated.';

COMMENT ON COLUMN inventory.inventory_orders.login IS 'The login that allocated the order, as inventory_ledger.login records it; NULL for orders allocated before 0.3.1.';

GRANT SELECT ON TABLE inventory.inventory_orders TO inventory_reader;

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_orders', '');

CREATE OR REPLACE FUNCTION inventory.inventory_allocate_order(order_ref text, lines jsonb, ship_to text DEFAULT NULL::text, fixed_warehouse_id integer DEFAULT NULL::integer, expires_at timestamp with time zone DEFAULT NULL::timestamp with time zone, allow_split boolean DEFAULT false, strategy text DEFAULT 'PRIORITY'::text, metadata jsonb DEFAULT NULL::jsonb, on_shortage text DEFAULT 'error'::text) RETURNS TABLE(line text, sku text, warehouse_id integer, quantity bigint, reference_id text, event_id uuid, replayed boolean, requested bigint, available bigint, shortage bigint)
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_owner_entry';

COMMENT ON FUNCTION inventory.inventory_allocate_order(order_ref text, lines jsonb, ship_to text, fixed_warehouse_id integer, expires_at timestamp with time zone, allow_split boolean, strategy text, metadata jsonb, on_shortage text) IS 'Reserves every line of an order or none: lines [{"line", "sku", "quantity"}] (at most 1000, else 54000), in one fixed warehouse or among the warehouses that serve ship_to, by PRIORITY (serving priority, then most stock, then id) or MOST_STOCK (most stock, then priority, then id); with allow_split a line may come from several warehouses. Each reservation''s reference_id is order_ref/line. Returns where each unit was reserved; a retry with the same order_ref and request returns the first result (replayed = true). When stock is short, on_shortage => ''error'' raises IV001; ''report'' reserves nothing and returns one row per short line with requested, available (what the line could get) and shortage.';

REVOKE ALL ON FUNCTION inventory.inventory_allocate_order(order_ref text, lines jsonb, ship_to text, fixed_warehouse_id integer, expires_at timestamp with time zone, allow_split boolean, strategy text, metadata jsonb, on_shortage text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_allocate_order(order_ref text, lines jsonb, ship_to text, fixed_warehouse_id integer, expires_at timestamp with time zone, allow_split boolean, strategy text, metadata jsonb, on_shortage text) TO inventory_app;

CREATE OR REPLACE FUNCTION inventory.inventory_allocate_order_body(order_ref text, lines jsonb, ship_to text DEFAULT NULL::text, fixed_warehouse_id integer DEFAULT NULL::integer, expires_at timestamp with time zone DEFAULT NULL::timestamp with time zone, allow_split boolean DEFAULT false, strategy text DEFAULT 'PRIORITY'::text, metadata jsonb DEFAULT NULL::jsonb, on_shortage text DEFAULT 'error'::text) RETURNS TABLE(line text, sku text, warehouse_id integer, quantity bigint, reference_id text, event_id uuid, replayed boolean, requested bigint, available bigint, shortage bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
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
     WHERE o.order_ref = inventory_allocate_order_body.order_ref;
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
    DELETE FROM inventory.inventory_orders o WHERE o.order_ref = inventory_allocate_order_body.order_ref;
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
              WHERE r.reference_id = ANY (SELECT inventory_allocate_order_body.order_ref || '/' || u.id
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
     SET order_ref = inventory_allocate_order_body.order_ref
   WHERE (r.reference_id, r.sku, r.warehouse_id) IN
         (SELECT inventory_allocate_order_body.order_ref || '/' || p.line, p.sku, p.wh
            FROM unnest(plan_line, plan_sku, plan_wh) AS p(line, sku, wh));
  -- The actor as the ledger records it: the caller's role, not this function's owner.
  UPDATE inventory.inventory_orders o
     SET allocation = result,
         actor = (SELECT g.actor FROM inventory.inventory_ledger g WHERE g.id = event_ids[1])
   WHERE o.order_ref = inventory_allocate_order_body.order_ref;

  RETURN QUERY
    SELECT p.line, p.sku, p.wh, p.qty, order_ref || '/' || p.line, p.id, false,
           NULL::bigint, NULL::bigint, NULL::bigint
      FROM unnest(plan_line, plan_sku, plan_wh, plan_qty, event_ids)
             WITH ORDINALITY AS p(line, sku, wh, qty, id, n)
     ORDER BY p.n;
END;
$_$;

COMMENT ON FUNCTION inventory.inventory_allocate_order_body(order_ref text, lines jsonb, ship_to text, fixed_warehouse_id integer, expires_at timestamp with time zone, allow_split boolean, strategy text, metadata jsonb, on_shortage text) IS 'The code of inventory.inventory_allocate_order(); runs as the extension''s owner and is granted to nobody: inventory.inventory_allocate_order() checks its caller and calls it.';

REVOKE ALL ON FUNCTION inventory.inventory_allocate_order_body(order_ref text, lines jsonb, ship_to text, fixed_warehouse_id integer, expires_at timestamp with time zone, allow_split boolean, strategy text, metadata jsonb, on_shortage text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION inventory.inventory_release_order(order_ref text, reason text DEFAULT 'CANCELLED'::text) RETURNS TABLE(reference_id text, sku text, warehouse_id integer, released bigint, event_id uuid)
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_owner_entry';

COMMENT ON FUNCTION inventory.inventory_release_order(order_ref text, reason text) IS 'Releases everything an order''s reservations still hold (DEALLOCATE events with the given reason) and returns one row per release; a second call releases nothing.';

REVOKE ALL ON FUNCTION inventory.inventory_release_order(order_ref text, reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_release_order(order_ref text, reason text) TO inventory_app;

CREATE OR REPLACE FUNCTION inventory.inventory_release_order_body(order_ref text, reason text DEFAULT 'CANCELLED'::text) RETURNS TABLE(reference_id text, sku text, warehouse_id integer, released bigint, event_id uuid)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  events jsonb;
  targets jsonb;
BEGIN
  IF order_ref IS NULL THEN
    RAISE EXCEPTION 'order_ref must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF NOT EXISTS (SELECT FROM inventory.inventory_reservations r
                  WHERE r.order_ref = inventory_release_order_body.order_ref) THEN
    RAISE EXCEPTION 'no reservations for order %', order_ref USING ERRCODE = 'IV013';
  END IF;
  LOCK TABLE inventory.inventory_ledger IN ROW EXCLUSIVE MODE;
  -- Lock the order's levels first (global order), then read what its reservations still hold.
  PERFORM FROM inventory.inventory_levels l
    WHERE (l.sku, l.warehouse_id) IN (SELECT r.sku, r.warehouse_id
                                        FROM inventory.inventory_reservations r
                                       WHERE r.order_ref = inventory_release_order_body.order_ref)
    ORDER BY l.sku COLLATE "C", l.warehouse_id
    FOR UPDATE;
  SELECT jsonb_agg(jsonb_build_object('reference_id', r.reference_id, 'sku', r.sku,
                                      'warehouse_id', r.warehouse_id, 'quantity', r.held)
                   ORDER BY r.sku COLLATE "C", r.warehouse_id, r.reference_id COLLATE "C")
    INTO targets
    FROM inventory.inventory_reservations r
   WHERE r.order_ref = inventory_release_order_body.order_ref AND r.status = 'ACTIVE';
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

COMMENT ON FUNCTION inventory.inventory_release_order_body(order_ref text, reason text) IS 'The code of inventory.inventory_release_order(); runs as the extension''s owner and is granted to nobody: inventory.inventory_release_order() checks its caller and calls it.';

REVOKE ALL ON FUNCTION inventory.inventory_release_order_body(order_ref text, reason text) FROM PUBLIC;
