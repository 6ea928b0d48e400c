-- inventory: Purchase orders: incoming units that are visible but never sellable until received.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE TABLE IF NOT EXISTS inventory.inventory_purchase_orders (
    po_ref text NOT NULL,
    sku text NOT NULL,
    warehouse_id integer NOT NULL,
    ordered bigint NOT NULL,
    received bigint DEFAULT 0 NOT NULL,
    incoming bigint GENERATED ALWAYS AS (
CASE
    WHEN (status = 'OPEN'::text) THEN GREATEST((ordered - received), (0)::bigint)
    ELSE (0)::bigint
END) STORED,
    expected_at timestamp with time zone,
    status text DEFAULT 'OPEN'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT inventory_purchase_orders_ordered_check CHECK ((ordered > 0)),
    CONSTRAINT inventory_purchase_orders_po_ref_check CHECK (((char_length(po_ref) >= 1) AND (char_length(po_ref) <= 255))),
    CONSTRAINT inventory_purchase_orders_received_check CHECK ((received >= 0)),
    CONSTRAINT inventory_purchase_orders_status_check CHECK ((status = ANY (ARRAY['OPEN'::text, 'RECEIVED'::text, 'CANCELLED'::text]))),
    CONSTRAINT inventory_purchase_orders_pkey PRIMARY KEY (po_ref, sku)
);

COMMENT ON TABLE inventory.inventory_purchase_orders IS 'Purchase order lines: units ordered from a supplier for a warehouse. What is still to come is incoming: shown by inventory_availability(), never sellable until received.';

COMMENT ON COLUMN inventory.inventory_purchase_orders.po_ref IS 'The purchase order''s reference (with sku, the key).';

COMMENT ON COLUMN inventory.inventory_purchase_orders.sku IS 'The SKU ordered.';

COMMENT ON COLUMN inventory.inventory_purchase_orders.warehouse_id IS 'The warehouse it is delivered to.';

COMMENT ON COLUMN inventory.inventory_purchase_orders.ordered IS 'Units ordered from the supplier.';

COMMENT ON COLUMN inventory.inventory_purchase_orders.received IS 'Units received so far (RECEIVE events with reference_id = po_ref); may exceed ordered.';

COMMENT ON COLUMN inventory.inventory_purchase_orders.incoming IS 'Units still expected: ordered - received while OPEN, else 0.';

COMMENT ON COLUMN inventory.inventory_purchase_orders.expected_at IS 'When the delivery is expected, if known.';

COMMENT ON COLUMN inventory.inventory_purchase_orders.status IS 'OPEN, RECEIVED (everything arrived) or CANCELLED (the rest will not come).';

COMMENT ON COLUMN inventory.inventory_purchase_orders.created_at IS 'When the line was recorded.';

COMMENT ON COLUMN inventory.inventory_purchase_orders.updated_at IS 'When it last changed.';

GRANT SELECT ON TABLE inventory.inventory_purchase_orders TO inventory_reader;

CREATE INDEX IF NOT EXISTS inventory_purchase_orders_open_idx ON inventory.inventory_purchase_orders USING btree (sku, warehouse_id) WHERE (status = 'OPEN'::text);

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_purchase_orders', '');

CREATE OR REPLACE FUNCTION inventory.inventory_cancel_purchase_order(po_ref text, sku text DEFAULT NULL::text) RETURNS integer
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_cancel_purchase_order';

COMMENT ON FUNCTION inventory.inventory_cancel_purchase_order(po_ref text, sku text) IS 'Cancels the open lines of a purchase order (one SKU, or all): what was not received stops being incoming. Returns how many lines it cancelled.';

REVOKE ALL ON FUNCTION inventory.inventory_cancel_purchase_order(po_ref text, sku text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_cancel_purchase_order(po_ref text, sku text) TO inventory_warehouse;

CREATE OR REPLACE FUNCTION inventory.inventory_expect_purchase_order(po_ref text, sku text, warehouse_id integer, quantity bigint, expected_at timestamp with time zone DEFAULT NULL::timestamp with time zone) RETURNS inventory.inventory_purchase_orders
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_expect_purchase_order';

COMMENT ON FUNCTION inventory.inventory_expect_purchase_order(po_ref text, sku text, warehouse_id integer, quantity bigint, expected_at timestamp with time zone) IS 'Records (or changes) a purchase order line: quantity units of a SKU expected in a warehouse. They show as incoming and are never sellable until received.';

REVOKE ALL ON FUNCTION inventory.inventory_expect_purchase_order(po_ref text, sku text, warehouse_id integer, quantity bigint, expected_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_expect_purchase_order(po_ref text, sku text, warehouse_id integer, quantity bigint, expected_at timestamp with time zone) TO inventory_warehouse;

CREATE OR REPLACE FUNCTION inventory.inventory_receive_purchase_order(po_ref text, sku text, quantity bigint, idempotency_key text DEFAULT NULL::text, reason text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT available_to_sell bigint, OUT incoming bigint) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_receive_purchase_order';

COMMENT ON FUNCTION inventory.inventory_receive_purchase_order(po_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT available_to_sell bigint, OUT incoming bigint) IS 'Receives units of a purchase order line into its warehouse (a RECEIVE event with reference_id = po_ref): they become on_hand and sellable, and stop being incoming.';

REVOKE ALL ON FUNCTION inventory.inventory_receive_purchase_order(po_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT available_to_sell bigint, OUT incoming bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_receive_purchase_order(po_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT available_to_sell bigint, OUT incoming bigint) TO inventory_warehouse;

