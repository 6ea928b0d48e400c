-- inventory: The event API: one event, a batch of events, and ADJUST.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE OR REPLACE FUNCTION inventory.inventory_adjust(sku text, change bigint, reason text, warehouse_id integer DEFAULT NULL::integer, reference_id text DEFAULT NULL::text, idempotency_key text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT reserved bigint, OUT available_to_sell bigint) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_adjust';

CREATE OR REPLACE FUNCTION inventory.inventory_apply_event(sku text, warehouse_id integer, event_type text, quantity bigint, reference_id text DEFAULT NULL::text, idempotency_key text DEFAULT NULL::text, reason text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, expires_at timestamp with time zone DEFAULT NULL::timestamp with time zone, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT reserved bigint, OUT available_to_sell bigint) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_apply_event';

CREATE OR REPLACE FUNCTION inventory.inventory_apply_events(events jsonb) RETURNS TABLE(ordinal integer, event_id uuid, replayed boolean, on_hand bigint, reserved bigint, available_to_sell bigint)
    LANGUAGE c ROWS 100
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_apply_events';

COMMENT ON FUNCTION inventory.inventory_apply_events(events jsonb) IS 'Applies a JSON array of events ({"sku", "warehouse_id", "event_type", "quantity", "reference_id", "idempotency_key", "reason", "metadata", "expires_at"}) all or nothing, in array order, after locking every idempotency key and level row once in one global order; one result row per event, as inventory_apply_event would return it.';

REVOKE ALL ON FUNCTION inventory.inventory_apply_events(events jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_apply_events(events jsonb) TO inventory_app;
GRANT ALL ON FUNCTION inventory.inventory_apply_events(events jsonb) TO inventory_warehouse;

COMMENT ON FUNCTION inventory.inventory_adjust(sku text, change bigint, reason text, warehouse_id integer, reference_id text, idempotency_key text, metadata jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT reserved bigint, OUT available_to_sell bigint) IS 'The source chapter''s adjust(sku, change, reason): a signed on_hand change with a required reason. warehouse_id may be left out when exactly one warehouse exists.';

REVOKE ALL ON FUNCTION inventory.inventory_adjust(sku text, change bigint, reason text, warehouse_id integer, reference_id text, idempotency_key text, metadata jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT reserved bigint, OUT available_to_sell bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_adjust(sku text, change bigint, reason text, warehouse_id integer, reference_id text, idempotency_key text, metadata jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT reserved bigint, OUT available_to_sell bigint) TO inventory_warehouse;

COMMENT ON FUNCTION inventory.inventory_apply_event(sku text, warehouse_id integer, event_type text, quantity bigint, reference_id text, idempotency_key text, reason text, metadata jsonb, expires_at timestamp with time zone, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT reserved bigint, OUT available_to_sell bigint) IS 'Appends one event to the ledger and returns the level after it. ALLOCATE with a reference_id reserves for that order line (until expires_at, when given); FULFILL and DEALLOCATE with a reference_id take only from that reservation. With an idempotency key already used for the same payload it returns the original event (replayed = true) and changes nothing; for a different payload it raises IV002.';

REVOKE ALL ON FUNCTION inventory.inventory_apply_event(sku text, warehouse_id integer, event_type text, quantity bigint, reference_id text, idempotency_key text, reason text, metadata jsonb, expires_at timestamp with time zone, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT reserved bigint, OUT available_to_sell bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_apply_event(sku text, warehouse_id integer, event_type text, quantity bigint, reference_id text, idempotency_key text, reason text, metadata jsonb, expires_at timestamp with time zone, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT reserved bigint, OUT available_to_sell bigint) TO inventory_app;
GRANT ALL ON FUNCTION inventory.inventory_apply_event(sku text, warehouse_id integer, event_type text, quantity bigint, reference_id text, idempotency_key text, reason text, metadata jsonb, expires_at timestamp with time zone, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT reserved bigint, OUT available_to_sell bigint) TO inventory_warehouse;
