-- inventory: Selling policy per SKU: safety stock and backorders; the levels keep copies of it.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE TABLE IF NOT EXISTS inventory.inventory_sku_policies (
    sku text NOT NULL,
    allow_backorder boolean DEFAULT false NOT NULL,
    backorder_limit bigint,
    safety_stock bigint DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    stripes integer DEFAULT 1 NOT NULL,
    CONSTRAINT inventory_sku_policies_backorder_limit_check CHECK ((backorder_limit >= 0)),
    CONSTRAINT inventory_sku_policies_limit_needs_backorder CHECK (((backorder_limit IS NULL) OR allow_backorder)),
    CONSTRAINT inventory_sku_policies_safety_stock_check CHECK ((safety_stock >= 0)),
    CONSTRAINT inventory_sku_policies_stripes_check CHECK (((stripes >= 1) AND (stripes <= 64))),
    CONSTRAINT inventory_sku_policies_sku_check CHECK (((char_length(sku) >= 1) AND (char_length(sku) <= 255))),
    CONSTRAINT inventory_sku_policies_pkey PRIMARY KEY (sku)
);

COMMENT ON TABLE inventory.inventory_sku_policies IS 'Selling policy per SKU; a SKU without a row has no safety stock and no backorders. Change it with inventory_set_sku_policy(), which also refreshes the levels.';

COMMENT ON COLUMN inventory.inventory_sku_policies.sku IS 'The SKU the policy applies to.';

COMMENT ON COLUMN inventory.inventory_sku_policies.allow_backorder IS 'When true, ALLOCATE may reserve more than is available; available_to_sell then goes negative.';

COMMENT ON COLUMN inventory.inventory_sku_policies.backorder_limit IS 'With backorders: at most this many units beyond available_to_sell; NULL means no limit.';

COMMENT ON COLUMN inventory.inventory_sku_policies.safety_stock IS 'Units per warehouse held back from available_to_sell (never from on_hand).';

COMMENT ON COLUMN inventory.inventory_sku_policies.updated_at IS 'When the policy last changed.';

COMMENT ON COLUMN inventory.inventory_sku_policies.stripes IS 'Into how many independently locked rows (stripes) each level of the SKU is split, 1 to 64 (1: not striped). A hot SKU with N stripes takes N sales at once; see README: Flash sales.';

GRANT SELECT ON TABLE inventory.inventory_sku_policies TO inventory_reader;

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_sku_policies', '');

CREATE OR REPLACE FUNCTION inventory.inventory_set_sku_policy(sku text, allow_backorder boolean DEFAULT false, safety_stock bigint DEFAULT 0, backorder_limit bigint DEFAULT NULL::bigint, stripes integer DEFAULT 1) RETURNS inventory.inventory_sku_policies
    LANGUAGE c SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_set_sku_policy';

COMMENT ON FUNCTION inventory.inventory_set_sku_policy(sku text, allow_backorder boolean, safety_stock bigint, backorder_limit bigint, stripes integer) IS 'Sets a SKU''s safety stock, backorder policy and stripe count and recomputes its levels'' available_to_sell; a new stripe count re-spreads each level''s free stock over its stripes (REBALANCE rows), safe while the SKU sells. Refuses (IV011) to forbid backorders while a level of the SKU is backordered; a SKU the ledger refuses is IV009, a negative safety_stock or backorder_limit, a limit without backorders or a stripe count outside 1..64, 22023.';

REVOKE ALL ON FUNCTION inventory.inventory_set_sku_policy(sku text, allow_backorder boolean, safety_stock bigint, backorder_limit bigint, stripes integer) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_set_sku_policy(sku text, allow_backorder boolean, safety_stock bigint, backorder_limit bigint, stripes integer) TO inventory_admin;

CREATE OR REPLACE FUNCTION inventory.inventory_sku_policy_trigger() RETURNS trigger
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'inventory_sku_policy_trigger';

COMMENT ON FUNCTION inventory.inventory_sku_policy_trigger() IS 'AFTER INSERT/UPDATE/DELETE on inventory_sku_policies: recomputes available_to_sell of the SKU''s levels under the new policy, refusing a policy the current levels break.';

REVOKE ALL ON FUNCTION inventory.inventory_sku_policy_trigger() FROM PUBLIC;

CREATE OR REPLACE TRIGGER inventory_sku_policy_refresh AFTER INSERT OR DELETE OR UPDATE ON inventory.inventory_sku_policies FOR EACH ROW EXECUTE FUNCTION inventory.inventory_sku_policy_trigger();

ALTER TABLE inventory.inventory_sku_policies ENABLE ALWAYS TRIGGER inventory_sku_policy_refresh;

COMMENT ON TRIGGER inventory_sku_policy_refresh ON inventory.inventory_sku_policies IS 'Keeps the policy copies and available_to_sell in inventory_levels current.';
