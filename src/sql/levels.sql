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

COMMENT ON FUNCTION inventory.inventory_rebuild_levels() IS 'Recomputes every level from the ledger and its policy copies from inventory_sku_policies in one set-based pass, holding off new events and policy changes meanwhile (SHARE on the ledger, then on the policies, then the levels), and returns how many levels it changed (0 when they were already true). A level no event touched yet (version 0, empty) is kept.';

REVOKE ALL ON FUNCTION inventory.inventory_rebuild_levels() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_rebuild_levels() TO inventory_admin;

CREATE OR REPLACE FUNCTION inventory.inventory_verify() RETURNS TABLE(sku text, warehouse_id integer, level_on_hand bigint, ledger_on_hand bigint, level_reserved bigint, ledger_reserved bigint, level_version bigint, ledger_events bigint, level_available_to_sell bigint, expected_available_to_sell bigint, problem text)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
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

COMMENT ON FUNCTION inventory.inventory_verify() IS 'Every (sku, warehouse) whose level differs from the sum of its ledger rows, whose available_to_sell does not follow from its on_hand, reserved and the SKU''s safety stock, or whose policy copies differ from inventory_sku_policies (the defaults without a row), with what is wrong in problem; empty when the levels are true. A level no event touched yet (version 0, empty, no ledger rows) is consistent. One set-based pass with plain reads: it waits for no lock.';

REVOKE ALL ON FUNCTION inventory.inventory_verify() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_verify() TO inventory_reader;
