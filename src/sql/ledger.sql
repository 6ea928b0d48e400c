-- inventory: The ledger: every stock change as an immutable event, and the trigger that applies rows written by hand or restored.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE TABLE IF NOT EXISTS inventory.inventory_ledger (
    id uuid DEFAULT inventory.inventory_uuidv7() NOT NULL,
    sku text NOT NULL,
    warehouse_id integer NOT NULL,
    event_type text NOT NULL,
    quantity bigint NOT NULL,
    on_hand_change bigint NOT NULL,
    reserved_change bigint NOT NULL,
    on_hand_after bigint NOT NULL,
    reserved_after bigint NOT NULL,
    available_after bigint NOT NULL,
    level_version bigint NOT NULL,
    reference_id text,
    idempotency_key text,
    reason text,
    metadata jsonb,
    related_event_id uuid,
    actor text DEFAULT CURRENT_USER NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    expires_at timestamp with time zone,
    transaction_id xid8 DEFAULT pg_current_xact_id(),
    login text,
    stripe smallint DEFAULT 0 NOT NULL,
    CONSTRAINT inventory_ledger_pkey PRIMARY KEY (id)
);

COMMENT ON TABLE inventory.inventory_ledger IS 'Every stock change as an immutable event. UPDATE, DELETE and TRUNCATE are refused; fix a mistake with a compensating event. Levels are the running sum of this table.';

COMMENT ON COLUMN inventory.inventory_ledger.id IS 'UUIDv7: time-ordered event id.';

COMMENT ON COLUMN inventory.inventory_ledger.sku IS 'The stock-keeping unit.';

COMMENT ON COLUMN inventory.inventory_ledger.warehouse_id IS 'The warehouse whose level the event changed.';

COMMENT ON COLUMN inventory.inventory_ledger.event_type IS 'RECEIVE, ALLOCATE, DEALLOCATE, FULFILL, RETURN, ADJUST, COUNT, TRANSFER_OUT, TRANSFER_IN or REBALANCE (stock moved between the stripes of one level, written by the engine only; the rows of one move sum to zero).';

COMMENT ON COLUMN inventory.inventory_ledger.quantity IS 'As given: a positive magnitude, the signed change for ADJUST, the counted units for COUNT.';

COMMENT ON COLUMN inventory.inventory_ledger.on_hand_change IS 'Signed change of on_hand.';

COMMENT ON COLUMN inventory.inventory_ledger.reserved_change IS 'Signed change of reserved.';

COMMENT ON COLUMN inventory.inventory_ledger.on_hand_after IS 'on_hand of the level (of its stripe, for a striped SKU) after this event.';

COMMENT ON COLUMN inventory.inventory_ledger.reserved_after IS 'reserved of the level (of its stripe, for a striped SKU) after this event.';

COMMENT ON COLUMN inventory.inventory_ledger.available_after IS 'available_to_sell of the level (of its stripe alone, for a striped SKU) after this event.';

COMMENT ON COLUMN inventory.inventory_ledger.level_version IS 'Position of this event in its stripe''s history (1, 2, ...): the order it was applied in.';

COMMENT ON COLUMN inventory.inventory_ledger.reference_id IS 'Caller''s reference, e.g. an order line.';

COMMENT ON COLUMN inventory.inventory_ledger.idempotency_key IS 'Unique: a retried request with the same key and payload returns this event instead of a new one.';

COMMENT ON COLUMN inventory.inventory_ledger.reason IS 'RETURN: RESTOCK or DAMAGED. ADJUST: DAMAGED, SHRINKAGE, THEFT, CORRECTION, OFFLINE_SALE, EXPIRED, FOUND, SAMPLE or OTHER. Other events: free text.';

COMMENT ON COLUMN inventory.inventory_ledger.metadata IS 'Caller''s JSON object, stored as given.';

COMMENT ON COLUMN inventory.inventory_ledger.related_event_id IS 'TRANSFER_IN: the id of its TRANSFER_OUT.';

COMMENT ON COLUMN inventory.inventory_ledger.actor IS 'The role that acted: the current user of the code that called the extension, as PostgreSQL''s own privilege checks see it (inside a SECURITY DEFINER function: its owner).';

COMMENT ON COLUMN inventory.inventory_ledger.created_at IS 'When the event was written (clock_timestamp(), under its level''s row lock): increases along each level''s history.';

COMMENT ON COLUMN inventory.inventory_ledger.expires_at IS 'ALLOCATE with a reference_id: when the reservation''s hold ends (NULL: it does not expire).';

COMMENT ON COLUMN inventory.inventory_ledger.transaction_id IS 'Top-level transaction that appended the row (pg_current_xact_id()); the change feed (inventory_level_changes) compares it with snapshots. NULL for rows appended before 0.3.1.';

COMMENT ON COLUMN inventory.inventory_ledger.stripe IS 'The stripe of the level the row changed (0 for a SKU that is not striped): on_hand_after, reserved_after, available_after and level_version are that stripe''s.';

COMMENT ON COLUMN inventory.inventory_ledger.login IS 'The login that authenticated the session (not changed by SET ROLE or SET SESSION AUTHORIZATION); NULL for rows written before 0.3.1.';

GRANT SELECT ON TABLE inventory.inventory_ledger TO inventory_reader;

COMMENT ON INDEX inventory.inventory_ledger_pkey IS 'The event''s identity (results and related_event_id name it); UUIDv7, so new rows append at the right edge.';

CREATE INDEX IF NOT EXISTS inventory_ledger_history_idx ON inventory.inventory_ledger USING btree (sku, warehouse_id, stripe, created_at, level_version) INCLUDE (on_hand_after, reserved_after, available_after);

COMMENT ON INDEX inventory.inventory_ledger_history_idx IS 'Time travel (inventory_levels_at): the last row of a stripe at or before a time, one backward index-only probe per stripe, whatever the history''s length.';

CREATE UNIQUE INDEX IF NOT EXISTS inventory_ledger_idempotency_key_key ON inventory.inventory_ledger USING btree (idempotency_key);

COMMENT ON INDEX inventory.inventory_ledger_idempotency_key_key IS 'One event per idempotency key: the replay lookup of a stored key, the wait for a key in flight (a dirty-snapshot probe of this index, by name) and the unique check that catches a key a concurrent transaction committed.';

CREATE UNIQUE INDEX IF NOT EXISTS inventory_ledger_level_version_key ON inventory.inventory_ledger USING btree (sku, warehouse_id, stripe, level_version);

COMMENT ON INDEX inventory.inventory_ledger_level_version_key IS 'One event per position of a stripe''s history: level_version is unique per stripe also for restored rows; serves the rebuild''s per-stripe existence probes.';

CREATE INDEX IF NOT EXISTS inventory_ledger_related_event_id_idx ON inventory.inventory_ledger USING btree (related_event_id) WHERE (related_event_id IS NOT NULL);

COMMENT ON INDEX inventory.inventory_ledger_related_event_id_idx IS 'The TRANSFER_IN of a TRANSFER_OUT, read when a transfer''s idempotency key is replayed; partial: only transfer legs have the column.';

CREATE INDEX IF NOT EXISTS inventory_ledger_transaction_id_idx ON inventory.inventory_ledger USING btree (transaction_id) WHERE (transaction_id IS NOT NULL);

COMMENT ON INDEX inventory.inventory_ledger_transaction_id_idx IS 'The change feed (inventory_level_changes): the rows of the transactions a position did not see, read from its oldest running transaction on; partial: rows appended before 0.3.1 have no transaction_id.';

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_ledger', '');

CREATE OR REPLACE FUNCTION inventory.inventory_ledger_apply_trigger() RETURNS trigger
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'inventory_ledger_apply_trigger';

COMMENT ON FUNCTION inventory.inventory_ledger_apply_trigger() IS 'BEFORE INSERT on inventory_ledger. The event engine writes its rows without firing it (it has applied them). A row inserted directly is validated, its level locked (created if missing), its changes and after-values computed, and inventory_levels and inventory_reservations updated. A row that arrives with its computed columns filled (a restore) is checked and sets the level to its after-values instead.';

REVOKE ALL ON FUNCTION inventory.inventory_ledger_apply_trigger() FROM PUBLIC;

CREATE OR REPLACE FUNCTION inventory.inventory_ledger_immutable_trigger() RETURNS trigger
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'inventory_ledger_immutable_trigger';

COMMENT ON FUNCTION inventory.inventory_ledger_immutable_trigger() IS 'Refuses UPDATE, DELETE and TRUNCATE of inventory_ledger (SQLSTATE IV008).';

REVOKE ALL ON FUNCTION inventory.inventory_ledger_immutable_trigger() FROM PUBLIC;

CREATE OR REPLACE FUNCTION inventory.inventory_verify_data() RETURNS TABLE(kind text, sku text, warehouse_id integer, event_id uuid, problem text)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  WITH skus AS (
    SELECT g.sku, g.warehouse_id FROM inventory.inventory_ledger g
    UNION SELECT l.sku, l.warehouse_id FROM inventory.inventory_level_stripes l
    UNION SELECT o.sku, o.warehouse_id FROM inventory.inventory_purchase_orders o
    UNION SELECT p.sku, NULL::integer FROM inventory.inventory_sku_policies p
  )
  SELECT 'sku'::text, s.sku, s.warehouse_id, NULL::uuid, inventory.inventory_sku_problem(s.sku)
    FROM skus s
   WHERE inventory.inventory_sku_problem(s.sku) IS NOT NULL
  UNION ALL
  SELECT 'unit_cost', g.sku, g.warehouse_id, g.id,
         'metadata unit_cost is ' || (g.metadata -> 'unit_cost')::text
         || ', not a non-negative number: inventory_losses leaves it out of value'
    FROM inventory.inventory_ledger g
   WHERE g.metadata ? 'unit_cost'
     AND CASE WHEN jsonb_typeof(g.metadata -> 'unit_cost') = 'number'
              THEN (g.metadata ->> 'unit_cost')::numeric < 0 ELSE true END
  ORDER BY 1, 2, 3, 4
$$;

COMMENT ON FUNCTION inventory.inventory_verify_data() IS 'Data written before 0.3.1 that 0.3.1 refuses: SKUs its validation rejects (kind sku, per stock record, SKU policy or purchase order) and ledger rows whose metadata unit_cost is not a non-negative number (kind unit_cost); empty when nothing needs a person''s attention.';

REVOKE ALL ON FUNCTION inventory.inventory_verify_data() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_verify_data() TO inventory_reader;

CREATE OR REPLACE TRIGGER inventory_ledger_apply BEFORE INSERT ON inventory.inventory_ledger FOR EACH ROW EXECUTE FUNCTION inventory.inventory_ledger_apply_trigger();

ALTER TABLE inventory.inventory_ledger ENABLE ALWAYS TRIGGER inventory_ledger_apply;

COMMENT ON TRIGGER inventory_ledger_apply ON inventory.inventory_ledger IS 'Keeps inventory_levels equal to the ledger for every appended row, whatever the path.';

CREATE OR REPLACE TRIGGER inventory_ledger_immutable_row BEFORE DELETE OR UPDATE ON inventory.inventory_ledger FOR EACH ROW EXECUTE FUNCTION inventory.inventory_ledger_immutable_trigger();

ALTER TABLE inventory.inventory_ledger ENABLE ALWAYS TRIGGER inventory_ledger_immutable_row;

COMMENT ON TRIGGER inventory_ledger_immutable_row ON inventory.inventory_ledger IS 'The ledger is append-only.';

CREATE OR REPLACE TRIGGER inventory_ledger_immutable_truncate BEFORE TRUNCATE ON inventory.inventory_ledger FOR EACH STATEMENT EXECUTE FUNCTION inventory.inventory_ledger_immutable_trigger();

ALTER TABLE inventory.inventory_ledger ENABLE ALWAYS TRIGGER inventory_ledger_immutable_truncate;

COMMENT ON TRIGGER inventory_ledger_immutable_truncate ON inventory.inventory_ledger IS 'The ledger is append-only.';
