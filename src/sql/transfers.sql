-- inventory: Transfers between warehouses: instant, or dispatched with the units in transit until received.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE TABLE IF NOT EXISTS inventory.inventory_transfers (
    transfer_ref text NOT NULL,
    sku text NOT NULL,
    from_warehouse_id integer NOT NULL,
    to_warehouse_id integer NOT NULL,
    quantity bigint NOT NULL,
    received bigint DEFAULT 0 NOT NULL,
    in_transit bigint GENERATED ALWAYS AS ((quantity - received)) STORED,
    status text DEFAULT 'IN_TRANSIT'::text NOT NULL,
    out_event_id uuid NOT NULL,
    dispatched_at timestamp with time zone DEFAULT now() NOT NULL,
    received_at timestamp with time zone,
    CONSTRAINT inventory_transfers_quantity_check CHECK ((quantity > 0)),
    CONSTRAINT inventory_transfers_receipt_check CHECK ((received <= quantity)),
    CONSTRAINT inventory_transfers_received_check CHECK ((received >= 0)),
    CONSTRAINT inventory_transfers_route_check CHECK ((from_warehouse_id <> to_warehouse_id)),
    CONSTRAINT inventory_transfers_status_check CHECK (((status = ANY (ARRAY['IN_TRANSIT'::text, 'RECEIVED'::text])) AND ((status = 'RECEIVED'::text) = (received = quantity)))),
    CONSTRAINT inventory_transfers_pkey PRIMARY KEY (transfer_ref, sku)
);

COMMENT ON TABLE inventory.inventory_transfers IS 'Stock on its way between warehouses: dispatched (a TRANSFER_OUT at the source) and received in part or whole (TRANSFER_IN events at the destination). Units in transit are in neither warehouse''s on_hand and never sellable.';

COMMENT ON COLUMN inventory.inventory_transfers.transfer_ref IS 'The shipment''s reference (with sku, the key).';

COMMENT ON COLUMN inventory.inventory_transfers.sku IS 'The SKU moved.';

COMMENT ON COLUMN inventory.inventory_transfers.from_warehouse_id IS 'Where the units left.';

COMMENT ON COLUMN inventory.inventory_transfers.to_warehouse_id IS 'Where they arrive.';

COMMENT ON COLUMN inventory.inventory_transfers.quantity IS 'Units dispatched.';

COMMENT ON COLUMN inventory.inventory_transfers.received IS 'Units booked in at the destination so far.';

COMMENT ON COLUMN inventory.inventory_transfers.in_transit IS 'Units dispatched, not yet received.';

COMMENT ON COLUMN inventory.inventory_transfers.status IS 'IN_TRANSIT until everything is received, then RECEIVED.';

COMMENT ON COLUMN inventory.inventory_transfers.out_event_id IS 'The TRANSFER_OUT ledger event.';

COMMENT ON COLUMN inventory.inventory_transfers.dispatched_at IS 'When the units left.';

COMMENT ON COLUMN inventory.inventory_transfers.received_at IS 'When the last units arrived.';

GRANT SELECT ON TABLE inventory.inventory_transfers TO inventory_reader;

CREATE INDEX IF NOT EXISTS inventory_transfers_in_transit_idx ON inventory.inventory_transfers USING btree (sku, to_warehouse_id) WHERE (status = 'IN_TRANSIT'::text);

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_transfers', '');

CREATE OR REPLACE FUNCTION inventory.inventory_dispatch_transfer(transfer_ref text, sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reason text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, OUT out_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT in_transit bigint) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_dispatch_transfer';

CREATE OR REPLACE FUNCTION inventory.inventory_receive_transfer(transfer_ref text, sku text, quantity bigint DEFAULT NULL::bigint, idempotency_key text DEFAULT NULL::text, reason text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, OUT in_event_id uuid, OUT replayed boolean, OUT to_on_hand bigint, OUT to_available_to_sell bigint, OUT in_transit bigint) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_receive_transfer';

CREATE OR REPLACE FUNCTION inventory.inventory_transfer(sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reference_id text DEFAULT NULL::text, idempotency_key text DEFAULT NULL::text, reason text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, OUT out_event_id uuid, OUT in_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT to_on_hand bigint, OUT to_available_to_sell bigint) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_transfer';

COMMENT ON FUNCTION inventory.inventory_dispatch_transfer(transfer_ref text, sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reason text, metadata jsonb, OUT out_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT in_transit bigint) IS 'Sends unreserved units of a SKU towards another warehouse: a TRANSFER_OUT at the source now; they arrive with inventory_receive_transfer(). transfer_ref and sku name the transfer and make the call idempotent.';

REVOKE ALL ON FUNCTION inventory.inventory_dispatch_transfer(transfer_ref text, sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reason text, metadata jsonb, OUT out_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT in_transit bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_dispatch_transfer(transfer_ref text, sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reason text, metadata jsonb, OUT out_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT in_transit bigint) TO inventory_warehouse;

SET default_tablespace = '';

SET default_table_access_method = heap;

COMMENT ON FUNCTION inventory.inventory_receive_transfer(transfer_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT in_event_id uuid, OUT replayed boolean, OUT to_on_hand bigint, OUT to_available_to_sell bigint, OUT in_transit bigint) IS 'Books units of a dispatched transfer into its destination (a TRANSFER_IN; all that is in transit when quantity is NULL). Partial receipts are allowed; never more than is in transit. Idempotency keys starting with "inventory:" are the extension''s (IV010).';

REVOKE ALL ON FUNCTION inventory.inventory_receive_transfer(transfer_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT in_event_id uuid, OUT replayed boolean, OUT to_on_hand bigint, OUT to_available_to_sell bigint, OUT in_transit bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_receive_transfer(transfer_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT in_event_id uuid, OUT replayed boolean, OUT to_on_hand bigint, OUT to_available_to_sell bigint, OUT in_transit bigint) TO inventory_warehouse;

COMMENT ON FUNCTION inventory.inventory_transfer(sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reference_id text, idempotency_key text, reason text, metadata jsonb, OUT out_event_id uuid, OUT in_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT to_on_hand bigint, OUT to_available_to_sell bigint) IS 'Moves unreserved units between warehouses: a TRANSFER_OUT and a TRANSFER_IN event in one transaction, level rows locked in (warehouse_id) order. Idempotent like inventory_apply_event.';

REVOKE ALL ON FUNCTION inventory.inventory_transfer(sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reference_id text, idempotency_key text, reason text, metadata jsonb, OUT out_event_id uuid, OUT in_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT to_on_hand bigint, OUT to_available_to_sell bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_transfer(sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reference_id text, idempotency_key text, reason text, metadata jsonb, OUT out_event_id uuid, OUT in_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT to_on_hand bigint, OUT to_available_to_sell bigint) TO inventory_warehouse;
