-- inventory: Levels: on-hand, reserved and available-to-sell per SKU and warehouse, kept equal to the ledger; creating, verifying and rebuilding them.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE TABLE IF NOT EXISTS inventory.inventory_level_stripes (
    sku text NOT NULL,
    warehouse_id integer NOT NULL,
    on_hand bigint DEFAULT 0 NOT NULL,
    reserved bigint DEFAULT 0 NOT NULL,
    available_to_sell bigint DEFAULT 0 NOT NULL,
    safety_stock bigint DEFAULT 0 NOT NULL,
    allow_backorder boolean DEFAULT false NOT NULL,
    backorder_limit bigint,
    version bigint DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    stripe smallint DEFAULT 0 NOT NULL,
    stripe_count smallint DEFAULT 1 NOT NULL,
    CONSTRAINT inventory_levels_available_check CHECK (((available_to_sell >= 0) OR allow_backorder)),
    CONSTRAINT inventory_levels_backorder_limit_check CHECK ((available_to_sell >= (- backorder_limit))),
    CONSTRAINT inventory_levels_covered_check CHECK (((on_hand >= reserved) OR allow_backorder)),
    CONSTRAINT inventory_levels_on_hand_check CHECK ((on_hand >= 0)),
    CONSTRAINT inventory_levels_reserved_check CHECK ((reserved >= 0)),
    CONSTRAINT inventory_level_stripes_stripe_check CHECK (((stripe >= 0) AND (stripe < 64))),
    CONSTRAINT inventory_level_stripes_pkey PRIMARY KEY (sku, warehouse_id, stripe)
)
WITH (fillfactor = 50);

COMMENT ON TABLE inventory.inventory_level_stripes IS 'Where the stock of each level is held: one row per SKU, warehouse and stripe (stripe 0 only, unless the SKU''s policy stripes it), each written in the same transaction as its ledger rows (by the event engine, or by the ledger trigger for a row inserted directly) and locked independently; inventory_levels is their sum. Never write it directly.';

COMMENT ON COLUMN inventory.inventory_level_stripes.sku IS 'The stock-keeping unit.';

COMMENT ON COLUMN inventory.inventory_level_stripes.warehouse_id IS 'The warehouse (inventory_warehouses.id).';

COMMENT ON COLUMN inventory.inventory_level_stripes.on_hand IS 'Physical, sellable units on the shelf held in this stripe.';

COMMENT ON COLUMN inventory.inventory_level_stripes.reserved IS 'Units bought but not yet shipped, reserved in this stripe.';

COMMENT ON COLUMN inventory.inventory_level_stripes.available_to_sell IS 'Of this stripe alone: on_hand - reserved - safety_stock, never below 0 unless backordered (then on_hand - reserved). The level''s own is in inventory_levels.';

COMMENT ON COLUMN inventory.inventory_level_stripes.safety_stock IS 'Copy of the SKU''s policy, taken when the stripe is created and updated by the policy trigger, so that the CHECK constraints can see it.';

COMMENT ON COLUMN inventory.inventory_level_stripes.allow_backorder IS 'Copy of the SKU''s policy, taken when the stripe is created and updated by the policy trigger, so that the CHECK constraints can see it.';

COMMENT ON COLUMN inventory.inventory_level_stripes.backorder_limit IS 'Copy of the SKU''s policy, taken when the stripe is created and updated by the policy trigger, so that the CHECK constraints can see it.';

COMMENT ON COLUMN inventory.inventory_level_stripes.version IS 'Number of ledger events applied to this stripe; equals level_version of its last ledger row.';

COMMENT ON COLUMN inventory.inventory_level_stripes.updated_at IS 'When the stripe last changed.';

COMMENT ON COLUMN inventory.inventory_level_stripes.stripe IS 'The stripe (0, 1, ...): 0 for a SKU that is not striped; stripes at or beyond the policy''s count are drained (they keep their reservations until those end).';

COMMENT ON COLUMN inventory.inventory_level_stripes.stripe_count IS 'How many stripe rows the level has, in each of them: a transaction that waited for a stripe sees in the version it locked whether a policy change added stripes meanwhile.';

COMMENT ON INDEX inventory.inventory_level_stripes_pkey IS 'The stripes of a level in stripe order (the order a transaction waits for them in): the event engine''s probes.';

GRANT SELECT ON TABLE inventory.inventory_level_stripes TO inventory_reader;

CREATE OR REPLACE VIEW inventory.inventory_levels AS
 SELECT s.sku,
    s.warehouse_id,
    (sum(s.on_hand))::bigint AS on_hand,
    (sum(s.reserved))::bigint AS reserved,
        CASE
            WHEN (count(*) = 1) THEN (max(s.available_to_sell))::bigint
            WHEN ((sum(s.on_hand) - sum(s.reserved)) < (0)::numeric) THEN ((sum(s.on_hand) - sum(s.reserved)))::bigint
            ELSE (GREATEST(((sum(s.on_hand) - sum(s.reserved)) - (max(s.safety_stock))::numeric), (0)::numeric))::bigint
        END AS available_to_sell,
    max(s.safety_stock) AS safety_stock,
    bool_or(s.allow_backorder) AS allow_backorder,
    max(s.backorder_limit) AS backorder_limit,
    (sum(s.version))::bigint AS version,
    max(s.updated_at) AS updated_at,
    (count(*))::integer AS stripes
   FROM inventory.inventory_level_stripes s
  GROUP BY s.sku, s.warehouse_id;

COMMENT ON VIEW inventory.inventory_levels IS 'Current stock per SKU per warehouse: the sum of the level''s stripes (one row for a SKU that is not striped), kept equal to the ledger in the same transaction as each event. available_to_sell is the level''s own: on_hand - reserved - safety_stock, never below 0 unless backordered (then on_hand - reserved). Read-only.';

COMMENT ON COLUMN inventory.inventory_levels.sku IS 'The stock-keeping unit.';

COMMENT ON COLUMN inventory.inventory_levels.warehouse_id IS 'The warehouse (inventory_warehouses.id).';

COMMENT ON COLUMN inventory.inventory_levels.on_hand IS 'Physical, sellable units on the shelf.';

COMMENT ON COLUMN inventory.inventory_levels.reserved IS 'Units bought but not yet shipped.';

COMMENT ON COLUMN inventory.inventory_levels.available_to_sell IS 'on_hand - reserved - safety_stock, never below 0 unless backordered (then on_hand - reserved).';

COMMENT ON COLUMN inventory.inventory_levels.safety_stock IS 'The SKU''s policy as the level''s CHECK constraints see it.';

COMMENT ON COLUMN inventory.inventory_levels.allow_backorder IS 'The SKU''s policy as the level''s CHECK constraints see it.';

COMMENT ON COLUMN inventory.inventory_levels.backorder_limit IS 'The SKU''s policy as the level''s CHECK constraints see it.';

COMMENT ON COLUMN inventory.inventory_levels.version IS 'Number of ledger events applied to this level (over all its stripes).';

COMMENT ON COLUMN inventory.inventory_levels.updated_at IS 'When the level last changed.';

COMMENT ON COLUMN inventory.inventory_levels.stripes IS 'How many stripe rows hold the level (1: not striped).';

GRANT SELECT ON TABLE inventory.inventory_levels TO inventory_reader;

CREATE OR REPLACE FUNCTION inventory.inventory_create_levels(skus text[], warehouse_ids integer[]) RETURNS void
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_create_levels';

COMMENT ON FUNCTION inventory.inventory_create_levels(skus text[], warehouse_ids integer[]) IS 'Internal, granted to no role (the owner''s tool to prepare levels): creates the levels (skus[i], warehouse_ids[i]) that do not exist yet, empty, with the copies of their SKU''s policy, as the event engine does: ROW EXCLUSIVE on the ledger first, then the SKUs'' advisory locks (only when a level is missing), then the policies read after them; 40001 under REPEATABLE READ or SERIALIZABLE when a policy changed after the snapshot; IV003 for an unknown warehouse. The caller validates the SKUs.';

REVOKE ALL ON FUNCTION inventory.inventory_create_levels(skus text[], warehouse_ids integer[]) FROM PUBLIC;

CREATE OR REPLACE FUNCTION inventory.inventory_rebuild_levels() RETURNS bigint
    LANGUAGE c SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_rebuild_levels';

COMMENT ON FUNCTION inventory.inventory_rebuild_levels() IS 'Recomputes every level from the ledger, stripe by stripe (each row of inventory_level_stripes from the ledger rows of its stripe), and the policy copies from inventory_sku_policies in one set-based pass, holding off new events and policy changes meanwhile (SHARE on the ledger, then on the policies, then the stripe rows), and returns how many levels it changed (0 when they were already true). A missing level is created with all its policy''s stripes, a missing stripe row of a level inserted; a stripe no event touched yet (version 0, empty) is kept, any other stripe row without ledger rows removed.';

REVOKE ALL ON FUNCTION inventory.inventory_rebuild_levels() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_rebuild_levels() TO inventory_admin;

CREATE OR REPLACE FUNCTION inventory.inventory_verify() RETURNS TABLE(sku text, warehouse_id integer, level_on_hand bigint, ledger_on_hand bigint, level_reserved bigint, ledger_reserved bigint, level_version bigint, ledger_events bigint, level_available_to_sell bigint, expected_available_to_sell bigint, problem text)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  WITH sums AS (
    SELECT g.sku, g.warehouse_id, g.stripe, sum(g.on_hand_change) AS on_hand,
           sum(g.reserved_change) AS reserved, count(*) AS events
      FROM inventory.inventory_ledger g
     GROUP BY g.sku, g.warehouse_id, g.stripe),
  -- One row per stripe that has a stripe row or ledger rows (or both).
  checked AS (
    SELECT coalesce(l.sku, s.sku) AS sku, coalesce(l.warehouse_id, s.warehouse_id) AS warehouse_id,
           coalesce(l.stripe, s.stripe) AS stripe,
           l.on_hand AS level_on_hand, s.on_hand AS ledger_on_hand,
           l.reserved AS level_reserved, s.reserved AS ledger_reserved,
           l.version AS level_version, s.events AS ledger_events,
           l.available_to_sell AS level_available, l.safety_stock AS level_safety_stock,
           CASE WHEN l.on_hand - l.reserved < 0 THEN l.on_hand - l.reserved
                ELSE greatest(l.on_hand - l.reserved - coalesce(p.safety_stock, 0), 0)
           END AS expected_available,
           l.sku IS NULL AS no_level,
           s.sku IS NULL AS no_ledger,
           -- How many stripe rows the level has (0: the level itself is missing).
           count(l.sku) OVER (PARTITION BY coalesce(l.sku, s.sku),
                                           coalesce(l.warehouse_id, s.warehouse_id)) AS level_rows,
           -- A stripe no event touched yet (an order creates levels, a policy their stripes):
           -- empty, version 0.
           l.version = 0 AND l.on_hand = 0 AND l.reserved = 0 AS untouched,
           p.sku IS NOT NULL AS has_policy, p.safety_stock AS policy_safety_stock,
           coalesce(p.stripes, 1) AS policy_stripes,
           (l.safety_stock, l.allow_backorder, l.backorder_limit)
             IS DISTINCT FROM (coalesce(p.safety_stock, 0), coalesce(p.allow_backorder, false),
                               p.backorder_limit) AS policy_differs
      FROM inventory.inventory_level_stripes l
      FULL JOIN sums s ON s.sku = l.sku AND s.warehouse_id = l.warehouse_id AND s.stripe = l.stripe
      LEFT JOIN inventory.inventory_sku_policies p ON p.sku = coalesce(l.sku, s.sku)),
  -- Per (sku, warehouse): the level as inventory_levels sums it, and the ledger's sums.
  levels AS (
    SELECT c.sku, c.warehouse_id,
           sum(c.level_on_hand) AS level_on_hand, sum(c.ledger_on_hand) AS ledger_on_hand,
           sum(c.level_reserved) AS level_reserved, sum(c.ledger_reserved) AS ledger_reserved,
           sum(c.level_version) AS level_version, sum(c.ledger_events) AS ledger_events,
           count(*) FILTER (WHERE NOT c.no_level) AS level_rows,
           max(c.level_available) FILTER (WHERE NOT c.no_level) AS one_available,
           max(c.expected_available) FILTER (WHERE NOT c.no_level) AS one_expected,
           max(c.level_safety_stock) AS level_safety_stock,
           coalesce(max(c.policy_safety_stock), 0) AS policy_safety_stock,
           max(c.policy_stripes) AS policy_stripes,
           -- Problems name their stripes unless the level is one stripe 0 (not striped).
           count(*) > 1 OR max(c.stripe) > 0 AS striped
      FROM checked c
     GROUP BY c.sku, c.warehouse_id),
  -- Each problem of a stripe, numbered in the order the problem column lists them.
  stripe_problems AS (
    SELECT c.sku, c.warehouse_id, c.stripe, pr.kind, pr.text
      FROM checked c
     CROSS JOIN LATERAL unnest(ARRAY[
             CASE WHEN c.no_level AND c.level_rows = 0 THEN 'ledger rows without a level'
                  WHEN c.no_level THEN 'ledger rows without their stripe row' END,
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
                  THEN 'ledger sum outside the bigint range' END]) WITH ORDINALITY AS pr(text, kind)
     WHERE pr.text IS NOT NULL
    UNION ALL
    -- A level has a row for each of its policy's stripes (it is created with them, and a new
    -- stripe count creates the missing ones); a missing one with ledger rows is reported above.
    SELECT v.sku, v.warehouse_id, n.stripe, 9,
           format('no stripe row (the SKU''s policy has %s stripe%s)', v.policy_stripes,
                  CASE WHEN v.policy_stripes = 1 THEN '' ELSE 's' END)
      FROM levels v
     CROSS JOIN LATERAL generate_series(0, v.policy_stripes - 1) AS n(stripe)
     WHERE v.level_rows > 0
       AND NOT EXISTS (SELECT FROM checked c
                        WHERE c.sku = v.sku AND c.warehouse_id = v.warehouse_id
                          AND c.stripe = n.stripe)),
  -- A problem shared by several stripes is listed once, naming them: 'stripes 1, 3: ...'.
  grouped AS (
    SELECT p.sku, p.warehouse_id, p.kind,
           CASE WHEN v.striped
                THEN CASE WHEN count(*) = 1 THEN 'stripe ' ELSE 'stripes ' END
                     || string_agg(p.stripe::text, ', ' ORDER BY p.stripe) || ': '
                ELSE '' END || p.text AS text
      FROM stripe_problems p
      JOIN levels v ON v.sku = p.sku AND v.warehouse_id = p.warehouse_id
     GROUP BY p.sku, p.warehouse_id, p.kind, p.text, v.striped
    UNION ALL
    -- The level's total, when it is the sum of several stripes.
    SELECT v.sku, v.warehouse_id, 10, 'ledger sum outside the bigint range'
      FROM levels v
     WHERE v.striped
       AND (v.ledger_on_hand NOT BETWEEN -9223372036854775808 AND 9223372036854775807
            OR v.ledger_reserved NOT BETWEEN -9223372036854775808 AND 9223372036854775807)),
  found AS (
    SELECT g.sku, g.warehouse_id, string_agg(g.text, '; ' ORDER BY g.kind, g.text) AS problems
      FROM grouped g
     GROUP BY g.sku, g.warehouse_id)
  SELECT v.sku, v.warehouse_id, v.level_on_hand::bigint,
         CASE WHEN v.ledger_on_hand BETWEEN -9223372036854775808 AND 9223372036854775807
              THEN v.ledger_on_hand::bigint END,
         v.level_reserved::bigint,
         CASE WHEN v.ledger_reserved BETWEEN -9223372036854775808 AND 9223372036854775807
              THEN v.ledger_reserved::bigint END,
         v.level_version::bigint, v.ledger_events::bigint,
         -- The level's own available_to_sell, as inventory_levels computes it, and what it
         -- should be: of its one stripe, or from its totals and the SKU's safety stock.
         CASE WHEN v.level_rows = 1 THEN v.one_available
              WHEN v.level_rows = 0 THEN NULL
              WHEN v.level_on_hand - v.level_reserved < 0 THEN (v.level_on_hand - v.level_reserved)::bigint
              ELSE greatest(v.level_on_hand - v.level_reserved - v.level_safety_stock, 0)::bigint END,
         CASE WHEN v.level_rows = 1 THEN v.one_expected
              WHEN v.level_rows = 0 THEN 0
              WHEN v.level_on_hand - v.level_reserved < 0 THEN (v.level_on_hand - v.level_reserved)::bigint
              ELSE greatest(v.level_on_hand - v.level_reserved - v.policy_safety_stock, 0)::bigint END,
         f.problems
    FROM found f
    JOIN levels v ON v.sku = f.sku AND v.warehouse_id = f.warehouse_id
   ORDER BY 1, 2;
$$;

COMMENT ON FUNCTION inventory.inventory_verify() IS 'Every (sku, warehouse) whose level differs from the ledger, with what is wrong in problem; empty when the levels are true. Each stripe row (inventory_level_stripes) is checked against the sum of its ledger rows (same sku, warehouse and stripe: on_hand, reserved, version = their number), its available_to_sell against on_hand, reserved and the SKU''s safety stock, and its policy copies against inventory_sku_policies (the defaults without a row); a level lacking a row for one of its policy''s stripes is reported too. One row per level: the level columns are sums over its stripes, the ledger columns the ledger''s sums, available_to_sell the level''s own (of its one stripe, or from its totals), and a problem of a striped level names its stripes (''stripe 3: on_hand differs from the ledger''). A stripe no event touched yet (version 0, empty, no ledger rows) is consistent. One set-based pass with plain reads: it waits for no lock.';

REVOKE ALL ON FUNCTION inventory.inventory_verify() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_verify() TO inventory_reader;
