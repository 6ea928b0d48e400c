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
    AS 'MODULE_PATHNAME', 'inventory_owner_entry';

COMMENT ON FUNCTION inventory.inventory_cancel_purchase_order(po_ref text, sku text) IS 'Cancels the open lines of a purchase order (one SKU, or all): what was not received stops being incoming. Returns how many lines it cancelled.';

REVOKE ALL ON FUNCTION inventory.inventory_cancel_purchase_order(po_ref text, sku text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_cancel_purchase_order(po_ref text, sku text) TO inventory_warehouse;

CREATE OR REPLACE FUNCTION inventory.inventory_cancel_purchase_order_body(po_ref text, sku text DEFAULT NULL::text) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  cancelled integer;
BEGIN
  IF po_ref IS NULL THEN
    RAISE EXCEPTION 'po_ref must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF NOT EXISTS (SELECT FROM inventory.inventory_purchase_orders p
                  WHERE p.po_ref = inventory_cancel_purchase_order_body.po_ref
                    AND (inventory_cancel_purchase_order_body.sku IS NULL
                         OR p.sku = inventory_cancel_purchase_order_body.sku)) THEN
    RAISE EXCEPTION 'no purchase order %', po_ref USING ERRCODE = 'IV013';
  END IF;
  UPDATE inventory.inventory_purchase_orders p
     SET status = 'CANCELLED', updated_at = now()
   WHERE p.po_ref = inventory_cancel_purchase_order_body.po_ref
     AND (inventory_cancel_purchase_order_body.sku IS NULL OR p.sku = inventory_cancel_purchase_order_body.sku)
     AND p.status = 'OPEN';
  GET DIAGNOSTICS cancelled = ROW_COUNT;
  RETURN cancelled;
END;
$$;

COMMENT ON FUNCTION inventory.inventory_cancel_purchase_order_body(po_ref text, sku text) IS 'The code of inventory.inventory_cancel_purchase_order(); runs as the extension''s owner and is granted to nobody: inventory.inventory_cancel_purchase_order() checks its caller and calls it.';

REVOKE ALL ON FUNCTION inventory.inventory_cancel_purchase_order_body(po_ref text, sku text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION inventory.inventory_expect_purchase_order(po_ref text, sku text, warehouse_id integer, quantity bigint, expected_at timestamp with time zone DEFAULT NULL::timestamp with time zone) RETURNS inventory.inventory_purchase_orders
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_owner_entry';

COMMENT ON FUNCTION inventory.inventory_expect_purchase_order(po_ref text, sku text, warehouse_id integer, quantity bigint, expected_at timestamp with time zone) IS 'Records (or changes) a purchase order line: quantity units of a SKU expected in a warehouse. They show as incoming and are never sellable until received.';

REVOKE ALL ON FUNCTION inventory.inventory_expect_purchase_order(po_ref text, sku text, warehouse_id integer, quantity bigint, expected_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_expect_purchase_order(po_ref text, sku text, warehouse_id integer, quantity bigint, expected_at timestamp with time zone) TO inventory_warehouse;

CREATE OR REPLACE FUNCTION inventory.inventory_expect_purchase_order_body(po_ref text, sku text, warehouse_id integer, quantity bigint, expected_at timestamp with time zone DEFAULT NULL::timestamp with time zone) RETURNS inventory.inventory_purchase_orders
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
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
                  WHERE w.id = inventory_expect_purchase_order_body.warehouse_id) THEN
    RAISE EXCEPTION 'unknown warehouse %', warehouse_id USING ERRCODE = 'IV003';
  END IF;
  SELECT p.* INTO line FROM inventory.inventory_purchase_orders p
   WHERE p.po_ref = inventory_expect_purchase_order_body.po_ref
     AND p.sku = inventory_expect_purchase_order_body.sku
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
     SET ordered = quantity, expected_at = coalesce(inventory_expect_purchase_order_body.expected_at, p.expected_at),
         status = CASE WHEN p.received >= quantity THEN 'RECEIVED' ELSE 'OPEN' END,
         updated_at = now()
   WHERE p.po_ref = inventory_expect_purchase_order_body.po_ref
     AND p.sku = inventory_expect_purchase_order_body.sku
  RETURNING * INTO line;
  RETURN line;
END;
$$;

COMMENT ON FUNCTION inventory.inventory_expect_purchase_order_body(po_ref text, sku text, warehouse_id integer, quantity bigint, expected_at timestamp with time zone) IS 'The code of inventory.inventory_expect_purchase_order(); runs as the extension''s owner and is granted to nobody: inventory.inventory_expect_purchase_order() checks its caller and calls it.';

REVOKE ALL ON FUNCTION inventory.inventory_expect_purchase_order_body(po_ref text, sku text, warehouse_id integer, quantity bigint, expected_at timestamp with time zone) FROM PUBLIC;

CREATE OR REPLACE FUNCTION inventory.inventory_receive_purchase_order(po_ref text, sku text, quantity bigint, idempotency_key text DEFAULT NULL::text, reason text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT available_to_sell bigint, OUT incoming bigint) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_owner_entry';

CREATE OR REPLACE FUNCTION inventory.inventory_receive_purchase_order_body(po_ref text, sku text, quantity bigint, idempotency_key text DEFAULT NULL::text, reason text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT available_to_sell bigint, OUT incoming bigint) RETURNS record
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
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
   WHERE p.po_ref = inventory_receive_purchase_order_body.po_ref
     AND p.sku = inventory_receive_purchase_order_body.sku
     FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no purchase order % of %', po_ref, sku USING ERRCODE = 'IV013';
  END IF;
  -- A retry with a used key replays (or is IV002) whatever happened to the line since.
  IF line.status = 'CANCELLED' AND (idempotency_key IS NULL OR NOT EXISTS (
       SELECT FROM inventory.inventory_ledger g
        WHERE g.idempotency_key = inventory_receive_purchase_order_body.idempotency_key)) THEN
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
     WHERE p.po_ref = inventory_receive_purchase_order_body.po_ref
       AND p.sku = inventory_receive_purchase_order_body.sku;
  END IF;
  event_id := ev.event_id;
  replayed := ev.replayed;
  on_hand := ev.on_hand;
  available_to_sell := ev.available_to_sell;
  SELECT p.incoming INTO incoming FROM inventory.inventory_purchase_orders p
   WHERE p.po_ref = inventory_receive_purchase_order_body.po_ref
     AND p.sku = inventory_receive_purchase_order_body.sku;
END;
$$;

COMMENT ON FUNCTION inventory.inventory_receive_purchase_order(po_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT available_to_sell bigint, OUT incoming bigint) IS 'Receives units of a purchase order line into its warehouse (a RECEIVE event with reference_id = po_ref): they become on_hand and sellable, and stop being incoming.';

REVOKE ALL ON FUNCTION inventory.inventory_receive_purchase_order(po_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT available_to_sell bigint, OUT incoming bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_receive_purchase_order(po_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT available_to_sell bigint, OUT incoming bigint) TO inventory_warehouse;

COMMENT ON FUNCTION inventory.inventory_receive_purchase_order_body(po_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT available_to_sell bigint, OUT incoming bigint) IS 'The code of inventory.inventory_receive_purchase_order(); runs as the extension''s owner and is granted to nobody: inventory.inventory_receive_purchase_order() checks its caller and calls it.';

REVOKE ALL ON FUNCTION inventory.inventory_receive_purchase_order_body(po_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT available_to_sell bigint, OUT incoming bigint) FROM PUBLIC;
