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

CREATE OR REPLACE FUNCTION inventory.inventory_append_transfer_leg(sku text, warehouse_id integer, event_type text, quantity bigint, reference_id text, idempotency_key text, reason text, metadata jsonb, related_event_id uuid, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT reserved bigint, OUT available_to_sell bigint) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_append_transfer_leg';

CREATE OR REPLACE FUNCTION inventory.inventory_dispatch_transfer(transfer_ref text, sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reason text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, OUT out_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT in_transit bigint) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_owner_entry';

CREATE OR REPLACE FUNCTION inventory.inventory_dispatch_transfer_body(transfer_ref text, sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reason text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, OUT out_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT in_transit bigint) RETURNS record
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
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
   WHERE t.transfer_ref = inventory_dispatch_transfer_body.transfer_ref
     AND t.sku = inventory_dispatch_transfer_body.sku;
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
   WHERE t.transfer_ref = inventory_dispatch_transfer_body.transfer_ref
     AND t.sku = inventory_dispatch_transfer_body.sku;
END;
$$;

CREATE OR REPLACE FUNCTION inventory.inventory_receive_transfer(transfer_ref text, sku text, quantity bigint DEFAULT NULL::bigint, idempotency_key text DEFAULT NULL::text, reason text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, OUT in_event_id uuid, OUT replayed boolean, OUT to_on_hand bigint, OUT to_available_to_sell bigint, OUT in_transit bigint) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_owner_entry';

CREATE OR REPLACE FUNCTION inventory.inventory_receive_transfer_body(transfer_ref text, sku text, quantity bigint DEFAULT NULL::bigint, idempotency_key text DEFAULT NULL::text, reason text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, OUT in_event_id uuid, OUT replayed boolean, OUT to_on_hand bigint, OUT to_available_to_sell bigint, OUT in_transit bigint) RETURNS record
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
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
   WHERE t.transfer_ref = inventory_receive_transfer_body.transfer_ref
     AND t.sku = inventory_receive_transfer_body.sku
     FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no transfer % of %', transfer_ref, sku USING ERRCODE = 'IV013';
  END IF;
  IF idempotency_key IS NOT NULL AND EXISTS (
       SELECT FROM inventory.inventory_ledger g WHERE g.idempotency_key = inventory_receive_transfer_body.idempotency_key) THEN
    -- A retry: the engine replays it, or raises IV002 if it differs.
    units := coalesce(quantity, (SELECT g.quantity FROM inventory.inventory_ledger g
                                  WHERE g.idempotency_key = inventory_receive_transfer_body.idempotency_key));
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
     WHERE t.transfer_ref = inventory_receive_transfer_body.transfer_ref
       AND t.sku = inventory_receive_transfer_body.sku;
  END IF;
  in_event_id := leg.event_id;
  replayed := leg.replayed;
  to_on_hand := leg.on_hand;
  to_available_to_sell := leg.available_to_sell;
  SELECT t.in_transit INTO in_transit FROM inventory.inventory_transfers t
   WHERE t.transfer_ref = inventory_receive_transfer_body.transfer_ref
     AND t.sku = inventory_receive_transfer_body.sku;
END;
$$;

CREATE OR REPLACE FUNCTION inventory.inventory_transfer(sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reference_id text DEFAULT NULL::text, idempotency_key text DEFAULT NULL::text, reason text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, OUT out_event_id uuid, OUT in_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT to_on_hand bigint, OUT to_available_to_sell bigint) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_transfer';

COMMENT ON FUNCTION inventory.inventory_append_transfer_leg(sku text, warehouse_id integer, event_type text, quantity bigint, reference_id text, idempotency_key text, reason text, metadata jsonb, related_event_id uuid, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT reserved bigint, OUT available_to_sell bigint) IS 'One TRANSFER_OUT or TRANSFER_IN event through the event engine; internal to inventory_dispatch_transfer and inventory_receive_transfer.';

REVOKE ALL ON FUNCTION inventory.inventory_append_transfer_leg(sku text, warehouse_id integer, event_type text, quantity bigint, reference_id text, idempotency_key text, reason text, metadata jsonb, related_event_id uuid, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT reserved bigint, OUT available_to_sell bigint) FROM PUBLIC;

COMMENT ON FUNCTION inventory.inventory_dispatch_transfer(transfer_ref text, sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reason text, metadata jsonb, OUT out_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT in_transit bigint) IS 'Sends unreserved units of a SKU towards another warehouse: a TRANSFER_OUT at the source now; they arrive with inventory_receive_transfer(). transfer_ref and sku name the transfer and make the call idempotent.';

REVOKE ALL ON FUNCTION inventory.inventory_dispatch_transfer(transfer_ref text, sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reason text, metadata jsonb, OUT out_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT in_transit bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_dispatch_transfer(transfer_ref text, sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reason text, metadata jsonb, OUT out_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT in_transit bigint) TO inventory_warehouse;

COMMENT ON FUNCTION inventory.inventory_dispatch_transfer_body(transfer_ref text, sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reason text, metadata jsonb, OUT out_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT in_transit bigint) IS 'The code of inventory.inventory_dispatch_transfer(); runs as the extension''s owner and is granted to nobody: inventory.inventory_dispatch_transfer() checks its caller and calls it.';


SET default_tablespace = '';

SET default_table_access_method = heap;

REVOKE ALL ON FUNCTION inventory.inventory_dispatch_transfer_body(transfer_ref text, sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reason text, metadata jsonb, OUT out_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT in_transit bigint) FROM PUBLIC;

COMMENT ON FUNCTION inventory.inventory_receive_transfer(transfer_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT in_event_id uuid, OUT replayed boolean, OUT to_on_hand bigint, OUT to_available_to_sell bigint, OUT in_transit bigint) IS 'Books units of a dispatched transfer into its destination (a TRANSFER_IN; all that is in transit when quantity is NULL). Partial receipts are allowed; never more than is in transit. Idempotency keys starting with "inventory:" are the extension''s (IV010).';

REVOKE ALL ON FUNCTION inventory.inventory_receive_transfer(transfer_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT in_event_id uuid, OUT replayed boolean, OUT to_on_hand bigint, OUT to_available_to_sell bigint, OUT in_transit bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_receive_transfer(transfer_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT in_event_id uuid, OUT replayed boolean, OUT to_on_hand bigint, OUT to_available_to_sell bigint, OUT in_transit bigint) TO inventory_warehouse;

COMMENT ON FUNCTION inventory.inventory_receive_transfer_body(transfer_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT in_event_id uuid, OUT replayed boolean, OUT to_on_hand bigint, OUT to_available_to_sell bigint, OUT in_transit bigint) IS 'The code of inventory.inventory_receive_transfer(); runs as the extension''s owner and is granted to nobody: inventory.inventory_receive_transfer() checks its caller and calls it.';

REVOKE ALL ON FUNCTION inventory.inventory_receive_transfer_body(transfer_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT in_event_id uuid, OUT replayed boolean, OUT to_on_hand bigint, OUT to_available_to_sell bigint, OUT in_transit bigint) FROM PUBLIC;

COMMENT ON FUNCTION inventory.inventory_transfer(sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reference_id text, idempotency_key text, reason text, metadata jsonb, OUT out_event_id uuid, OUT in_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT to_on_hand bigint, OUT to_available_to_sell bigint) IS 'Moves unreserved units between warehouses: a TRANSFER_OUT and a TRANSFER_IN event in one transaction, level rows locked in (warehouse_id) order. Idempotent like inventory_apply_event.';

REVOKE ALL ON FUNCTION inventory.inventory_transfer(sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reference_id text, idempotency_key text, reason text, metadata jsonb, OUT out_event_id uuid, OUT in_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT to_on_hand bigint, OUT to_available_to_sell bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_transfer(sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reference_id text, idempotency_key text, reason text, metadata jsonb, OUT out_event_id uuid, OUT in_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT to_on_hand bigint, OUT to_available_to_sell bigint) TO inventory_warehouse;
