-- The PL/pgSQL reference the benchmark suite measures the extension against: what a team would
-- write instead. Same apply-event semantics (lock the level row, check, insert the ledger row
-- with an idempotency key, update the level) and the same indexes on its tables. Only a
-- baseline for test/bench: it is not part of the extension.
CREATE SCHEMA bench_baseline;

CREATE TABLE bench_baseline.levels (
  sku text NOT NULL,
  warehouse_id integer NOT NULL,
  on_hand bigint NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
  reserved bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  available_to_sell bigint NOT NULL DEFAULT 0 CHECK (available_to_sell >= 0),
  version bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sku, warehouse_id)
);

CREATE TABLE bench_baseline.ledger (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  sku text NOT NULL,
  warehouse_id integer NOT NULL,
  event_type text NOT NULL,
  quantity bigint NOT NULL,
  on_hand_change bigint NOT NULL,
  reserved_change bigint NOT NULL,
  on_hand_after bigint NOT NULL,
  reserved_after bigint NOT NULL,
  level_version bigint NOT NULL,
  reference_id text,
  idempotency_key text UNIQUE,
  reason text,
  metadata jsonb,
  actor text NOT NULL DEFAULT current_user,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX ON bench_baseline.ledger (sku, warehouse_id, level_version);

CREATE FUNCTION bench_baseline.apply_event(
  p_sku text, p_warehouse_id integer, p_event_type text, p_quantity bigint,
  p_reference_id text DEFAULT NULL, p_idempotency_key text DEFAULT NULL,
  p_reason text DEFAULT NULL,
  OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT reserved bigint,
  OUT available_to_sell bigint)
LANGUAGE plpgsql AS $$
DECLARE
  lvl bench_baseline.levels;
  prior bench_baseline.ledger;
  d_on_hand bigint := 0;
  d_reserved bigint := 0;
BEGIN
  IF p_quantity IS NULL OR p_quantity <= 0 THEN
    RAISE EXCEPTION 'quantity must be positive' USING ERRCODE = 'IV004';
  END IF;
  -- A concurrent duplicate is left to the unique index (it raises 23505): no lock per key,
  -- which would also overflow the lock table in a transaction of many events.
  IF p_idempotency_key IS NOT NULL THEN
    SELECT * INTO prior FROM bench_baseline.ledger WHERE idempotency_key = p_idempotency_key;
    IF FOUND THEN
      IF (prior.sku, prior.warehouse_id, prior.event_type, prior.quantity)
         IS DISTINCT FROM (p_sku, p_warehouse_id, p_event_type, p_quantity) THEN
        RAISE EXCEPTION 'idempotency key reused' USING ERRCODE = 'IV002';
      END IF;
      event_id := prior.id;
      replayed := true;
      on_hand := prior.on_hand_after;
      reserved := prior.reserved_after;
      available_to_sell := prior.on_hand_after - prior.reserved_after;
      RETURN;
    END IF;
  END IF;

  SELECT * INTO lvl FROM bench_baseline.levels
   WHERE sku = p_sku AND warehouse_id = p_warehouse_id FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO bench_baseline.levels (sku, warehouse_id) VALUES (p_sku, p_warehouse_id)
    ON CONFLICT DO NOTHING;
    SELECT * INTO lvl FROM bench_baseline.levels
     WHERE sku = p_sku AND warehouse_id = p_warehouse_id FOR UPDATE;
  END IF;

  CASE p_event_type
    WHEN 'RECEIVE' THEN d_on_hand := p_quantity;
    WHEN 'ALLOCATE' THEN
      IF p_quantity > lvl.on_hand - lvl.reserved THEN
        RAISE EXCEPTION 'insufficient stock' USING ERRCODE = 'IV001';
      END IF;
      d_reserved := p_quantity;
    WHEN 'DEALLOCATE' THEN
      IF p_quantity > lvl.reserved THEN
        RAISE EXCEPTION 'insufficient reserved' USING ERRCODE = 'IV007';
      END IF;
      d_reserved := -p_quantity;
    WHEN 'FULFILL' THEN
      IF p_quantity > lvl.reserved THEN
        RAISE EXCEPTION 'insufficient reserved' USING ERRCODE = 'IV007';
      END IF;
      d_on_hand := -p_quantity;
      d_reserved := -p_quantity;
    ELSE
      RAISE EXCEPTION 'unknown event type %', p_event_type USING ERRCODE = 'IV005';
  END CASE;

  INSERT INTO bench_baseline.ledger (sku, warehouse_id, event_type, quantity, on_hand_change,
                                     reserved_change, on_hand_after, reserved_after,
                                     level_version, reference_id, idempotency_key, reason)
  VALUES (p_sku, p_warehouse_id, p_event_type, p_quantity, d_on_hand, d_reserved,
          lvl.on_hand + d_on_hand, lvl.reserved + d_reserved, lvl.version + 1, p_reference_id,
          p_idempotency_key, p_reason)
  RETURNING id INTO event_id;

  UPDATE bench_baseline.levels
     SET on_hand = lvl.on_hand + d_on_hand, reserved = lvl.reserved + d_reserved,
         available_to_sell = lvl.on_hand + d_on_hand - lvl.reserved - d_reserved,
         version = lvl.version + 1, updated_at = now()
   WHERE sku = p_sku AND warehouse_id = p_warehouse_id;

  replayed := false;
  on_hand := lvl.on_hand + d_on_hand;
  reserved := lvl.reserved + d_reserved;
  available_to_sell := on_hand - reserved;
END;
$$;

-- (c) The floor of a hot row: one bare UPDATE of a one-row table per transaction, no function,
-- no ledger, what PostgreSQL itself pays for a row that every client updates.
CREATE TABLE bench_baseline.hot_row (
  id integer PRIMARY KEY,
  n bigint NOT NULL
);
