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
    AS 'MODULE_PATHNAME', 'inventory_allocate_order';

COMMENT ON FUNCTION inventory.inventory_allocate_order(order_ref text, lines jsonb, ship_to text, fixed_warehouse_id integer, expires_at timestamp with time zone, allow_split boolean, strategy text, metadata jsonb, on_shortage text) IS 'Reserves every line of an order or none: lines [{"line", "sku", "quantity"}] (at most 1000, else 54000), in one fixed warehouse or among the warehouses that serve ship_to, by PRIORITY (serving priority, then most stock, then id) or MOST_STOCK (most stock, then priority, then id); with allow_split a line may come from several warehouses. Each reservation''s reference_id is order_ref/line. Returns where each unit was reserved; a retry with the same order_ref and request returns the first result (replayed = true). When stock is short, on_shortage => ''error'' raises IV001; ''report'' reserves nothing and returns one row per short line with requested, available (what the line could get) and shortage.';

REVOKE ALL ON FUNCTION inventory.inventory_allocate_order(order_ref text, lines jsonb, ship_to text, fixed_warehouse_id integer, expires_at timestamp with time zone, allow_split boolean, strategy text, metadata jsonb, on_shortage text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_allocate_order(order_ref text, lines jsonb, ship_to text, fixed_warehouse_id integer, expires_at timestamp with time zone, allow_split boolean, strategy text, metadata jsonb, on_shortage text) TO inventory_app;

CREATE OR REPLACE FUNCTION inventory.inventory_release_order(order_ref text, reason text DEFAULT 'CANCELLED'::text) RETURNS TABLE(reference_id text, sku text, warehouse_id integer, released bigint, event_id uuid)
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_release_order';

COMMENT ON FUNCTION inventory.inventory_release_order(order_ref text, reason text) IS 'Releases everything an order''s reservations still hold (DEALLOCATE events with the given reason) and returns one row per release; a second call releases nothing.';

REVOKE ALL ON FUNCTION inventory.inventory_release_order(order_ref text, reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_release_order(order_ref text, reason text) TO inventory_app;

