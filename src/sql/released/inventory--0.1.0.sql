-- inventory 0.1.0: ledger, levels, warehouses, per-SKU policies and the functions that keep them
-- equal. Every function pins search_path; every object is documented with COMMENT ON.

\echo Use "CREATE EXTENSION inventory" to load this file. \quit

--------------------------------------------------------------------------------------------------
-- Identifiers
--------------------------------------------------------------------------------------------------

CREATE FUNCTION inventory.inventory_uuidv7()
RETURNS uuid
LANGUAGE c VOLATILE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_uuidv7';
COMMENT ON FUNCTION inventory.inventory_uuidv7() IS
  'A new time-ordered UUIDv7 (RFC 9562); ids from one session increase strictly.';

--------------------------------------------------------------------------------------------------
-- Warehouses
--------------------------------------------------------------------------------------------------

CREATE SEQUENCE inventory.inventory_warehouses_id_seq AS integer;

CREATE TABLE inventory.inventory_warehouses (
  id         integer PRIMARY KEY DEFAULT nextval('inventory.inventory_warehouses_id_seq'),
  code       text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$'),
  name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  country    text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER SEQUENCE inventory.inventory_warehouses_id_seq OWNED BY inventory.inventory_warehouses.id;
COMMENT ON TABLE inventory.inventory_warehouses IS
  'Stock locations. Every level and ledger row belongs to one warehouse.';
COMMENT ON COLUMN inventory.inventory_warehouses.code IS
  'Short unique code, e.g. NYC-1: 1 to 32 letters, digits, "_", "." or "-".';
COMMENT ON COLUMN inventory.inventory_warehouses.country IS
  'ISO 3166-1 alpha-2 country the warehouse stands in, e.g. US.';
COMMENT ON SEQUENCE inventory.inventory_warehouses_id_seq IS
  'Ids of inventory_warehouses.';

--------------------------------------------------------------------------------------------------
-- Per-SKU policy
--------------------------------------------------------------------------------------------------

CREATE TABLE inventory.inventory_sku_policies (
  sku             text PRIMARY KEY CHECK (char_length(sku) BETWEEN 1 AND 255),
  allow_backorder boolean NOT NULL DEFAULT false,
  backorder_limit bigint CHECK (backorder_limit >= 0),
  safety_stock    bigint NOT NULL DEFAULT 0 CHECK (safety_stock >= 0),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT inventory_sku_policies_limit_needs_backorder
    CHECK (backorder_limit IS NULL OR allow_backorder)
);
COMMENT ON TABLE inventory.inventory_sku_policies IS
  'Selling policy per SKU; a SKU without a row has no safety stock and no backorders. '
  'Change it with inventory_set_sku_policy(), which also refreshes the levels.';
COMMENT ON COLUMN inventory.inventory_sku_policies.allow_backorder IS
  'When true, ALLOCATE may reserve more than is available; available_to_sell then goes negative.';
COMMENT ON COLUMN inventory.inventory_sku_policies.backorder_limit IS
  'With backorders: at most this many units beyond available_to_sell; NULL means no limit.';
COMMENT ON COLUMN inventory.inventory_sku_policies.safety_stock IS
  'Units per warehouse held back from available_to_sell (never from on_hand).';

--------------------------------------------------------------------------------------------------
-- Levels: the current state, always equal to the sum of the ledger
--------------------------------------------------------------------------------------------------

-- The CHECK constraints hold the invariants that matter when something writes the table
-- directly; the extension's own writes never trip them (its functions refuse first). They are
-- kept few and simple: each is evaluated on every write of a level.
CREATE TABLE inventory.inventory_levels (
  sku               text NOT NULL,
  warehouse_id      integer NOT NULL,
  on_hand           bigint NOT NULL DEFAULT 0,
  reserved          bigint NOT NULL DEFAULT 0,
  available_to_sell bigint NOT NULL DEFAULT 0,
  safety_stock      bigint NOT NULL DEFAULT 0,
  allow_backorder   boolean NOT NULL DEFAULT false,
  backorder_limit   bigint,
  version           bigint NOT NULL DEFAULT 0,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sku, warehouse_id),
  CONSTRAINT inventory_levels_on_hand_check CHECK (on_hand >= 0),
  CONSTRAINT inventory_levels_reserved_check CHECK (reserved >= 0),
  CONSTRAINT inventory_levels_available_check CHECK (available_to_sell >= 0 OR allow_backorder),
  CONSTRAINT inventory_levels_covered_check CHECK (on_hand >= reserved OR allow_backorder),
  CONSTRAINT inventory_levels_backorder_limit_check
    CHECK (available_to_sell >= -backorder_limit)
);
COMMENT ON TABLE inventory.inventory_levels IS
  'Current stock per SKU per warehouse, maintained by the ledger trigger in the same '
  'transaction as the ledger row; never write it directly.';
COMMENT ON COLUMN inventory.inventory_levels.on_hand IS 'Physical, sellable units on the shelf.';
COMMENT ON COLUMN inventory.inventory_levels.reserved IS 'Units bought but not yet shipped.';
COMMENT ON COLUMN inventory.inventory_levels.available_to_sell IS
  'on_hand - reserved - safety_stock, never below 0 unless backordered (then on_hand - reserved).';
COMMENT ON COLUMN inventory.inventory_levels.safety_stock IS
  'Copy of the SKU''s policy, kept by the triggers so the CHECK constraints can see it.';
COMMENT ON COLUMN inventory.inventory_levels.allow_backorder IS
  'Copy of the SKU''s policy, kept by the triggers so the CHECK constraints can see it.';
COMMENT ON COLUMN inventory.inventory_levels.backorder_limit IS
  'Copy of the SKU''s policy, kept by the triggers so the CHECK constraints can see it.';
COMMENT ON COLUMN inventory.inventory_levels.version IS
  'Number of ledger events applied to this level; equals level_version of its last ledger row.';

--------------------------------------------------------------------------------------------------
-- Ledger: append-only
--------------------------------------------------------------------------------------------------

-- No CHECK or FOREIGN KEY here: the ledger trigger validates every row on every path (it fires
-- also under session_replication_role = replica), and a check evaluated per appended row would
-- cost more than the rest of the event. Warehouses cannot be deleted while referenced
-- (inventory_warehouse_guard_trigger).
CREATE TABLE inventory.inventory_ledger (
  id               uuid PRIMARY KEY DEFAULT inventory.inventory_uuidv7(),
  sku              text NOT NULL,
  warehouse_id     integer NOT NULL,
  event_type       text NOT NULL,
  quantity         bigint NOT NULL,
  on_hand_change   bigint NOT NULL,
  reserved_change  bigint NOT NULL,
  on_hand_after    bigint NOT NULL,
  reserved_after   bigint NOT NULL,
  available_after  bigint NOT NULL,
  level_version    bigint NOT NULL,
  reference_id     text,
  idempotency_key  text,
  reason           text,
  metadata         jsonb,
  related_event_id uuid,
  actor            text NOT NULL DEFAULT current_user,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX inventory_ledger_idempotency_key_key
  ON inventory.inventory_ledger (idempotency_key);
CREATE UNIQUE INDEX inventory_ledger_level_version_key
  ON inventory.inventory_ledger (sku, warehouse_id, level_version);
CREATE INDEX inventory_ledger_reference_id_idx
  ON inventory.inventory_ledger (reference_id) WHERE reference_id IS NOT NULL;
CREATE INDEX inventory_ledger_related_event_id_idx
  ON inventory.inventory_ledger (related_event_id) WHERE related_event_id IS NOT NULL;

COMMENT ON TABLE inventory.inventory_ledger IS
  'Every stock change as an immutable event. UPDATE, DELETE and TRUNCATE are refused; fix a '
  'mistake with a compensating event. Levels are the running sum of this table.';
COMMENT ON COLUMN inventory.inventory_ledger.id IS 'UUIDv7: time-ordered event id.';
COMMENT ON COLUMN inventory.inventory_ledger.event_type IS
  'RECEIVE, ALLOCATE, DEALLOCATE, FULFILL, RETURN, ADJUST, COUNT, TRANSFER_OUT or TRANSFER_IN.';
COMMENT ON COLUMN inventory.inventory_ledger.quantity IS
  'As given: a positive magnitude, the signed change for ADJUST, the counted units for COUNT.';
COMMENT ON COLUMN inventory.inventory_ledger.on_hand_change IS 'Signed change of on_hand.';
COMMENT ON COLUMN inventory.inventory_ledger.reserved_change IS 'Signed change of reserved.';
COMMENT ON COLUMN inventory.inventory_ledger.on_hand_after IS 'on_hand of the level after this event.';
COMMENT ON COLUMN inventory.inventory_ledger.reserved_after IS 'reserved of the level after this event.';
COMMENT ON COLUMN inventory.inventory_ledger.available_after IS
  'available_to_sell of the level after this event.';
COMMENT ON COLUMN inventory.inventory_ledger.level_version IS
  'Position of this event in its level''s history (1, 2, ...): the order it was applied in.';
COMMENT ON COLUMN inventory.inventory_ledger.reference_id IS 'Caller''s reference, e.g. an order line.';
COMMENT ON COLUMN inventory.inventory_ledger.idempotency_key IS
  'Unique: a retried request with the same key and payload returns this event instead of a new one.';
COMMENT ON COLUMN inventory.inventory_ledger.reason IS
  'RETURN: RESTOCK or DAMAGED. ADJUST: DAMAGED, SHRINKAGE, THEFT, CORRECTION, OFFLINE_SALE, '
  'EXPIRED, FOUND, SAMPLE or OTHER. Other events: free text.';
COMMENT ON COLUMN inventory.inventory_ledger.metadata IS 'Caller''s JSON object, stored as given.';
COMMENT ON COLUMN inventory.inventory_ledger.related_event_id IS
  'TRANSFER_IN: the id of its TRANSFER_OUT.';
COMMENT ON COLUMN inventory.inventory_ledger.actor IS
  'The role that made the change (the session''s current role, outside SECURITY DEFINER).';
COMMENT ON COLUMN inventory.inventory_ledger.created_at IS 'Transaction time of the event.';

--------------------------------------------------------------------------------------------------
-- Triggers (C++)
--------------------------------------------------------------------------------------------------

CREATE FUNCTION inventory.inventory_ledger_apply_trigger()
RETURNS trigger
LANGUAGE c
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_ledger_apply_trigger';
COMMENT ON FUNCTION inventory.inventory_ledger_apply_trigger() IS
  'BEFORE INSERT on inventory_ledger: validates the event, locks its level row, computes the '
  'changes and after-values and updates inventory_levels. A row that arrives with its computed '
  'columns filled (a restore) is checked and sets the level to its after-values instead.';

CREATE FUNCTION inventory.inventory_ledger_immutable_trigger()
RETURNS trigger
LANGUAGE c
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_ledger_immutable_trigger';
COMMENT ON FUNCTION inventory.inventory_ledger_immutable_trigger() IS
  'Refuses UPDATE, DELETE and TRUNCATE of inventory_ledger (SQLSTATE IV008).';

CREATE FUNCTION inventory.inventory_sku_policy_trigger()
RETURNS trigger
LANGUAGE c
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_sku_policy_trigger';
COMMENT ON FUNCTION inventory.inventory_sku_policy_trigger() IS
  'AFTER INSERT/UPDATE/DELETE on inventory_sku_policies: recomputes available_to_sell of the '
  'SKU''s levels under the new policy, refusing a policy the current levels break.';

CREATE TRIGGER inventory_ledger_apply
  BEFORE INSERT ON inventory.inventory_ledger
  FOR EACH ROW EXECUTE FUNCTION inventory.inventory_ledger_apply_trigger();
CREATE TRIGGER inventory_ledger_immutable_row
  BEFORE UPDATE OR DELETE ON inventory.inventory_ledger
  FOR EACH ROW EXECUTE FUNCTION inventory.inventory_ledger_immutable_trigger();
CREATE TRIGGER inventory_ledger_immutable_truncate
  BEFORE TRUNCATE ON inventory.inventory_ledger
  FOR EACH STATEMENT EXECUTE FUNCTION inventory.inventory_ledger_immutable_trigger();
-- Fire also under session_replication_role = replica: no path may skip them.
ALTER TABLE inventory.inventory_ledger ENABLE ALWAYS TRIGGER inventory_ledger_apply;
ALTER TABLE inventory.inventory_ledger ENABLE ALWAYS TRIGGER inventory_ledger_immutable_row;
ALTER TABLE inventory.inventory_ledger ENABLE ALWAYS TRIGGER inventory_ledger_immutable_truncate;

CREATE TRIGGER inventory_sku_policy_refresh
  AFTER INSERT OR UPDATE OR DELETE ON inventory.inventory_sku_policies
  FOR EACH ROW EXECUTE FUNCTION inventory.inventory_sku_policy_trigger();
ALTER TABLE inventory.inventory_sku_policies ENABLE ALWAYS TRIGGER inventory_sku_policy_refresh;

CREATE FUNCTION inventory.inventory_warehouse_guard_trigger()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
    RETURN NEW;
  END IF;
  IF EXISTS (SELECT FROM inventory.inventory_levels l WHERE l.warehouse_id = OLD.id)
     OR EXISTS (SELECT FROM inventory.inventory_ledger g WHERE g.warehouse_id = OLD.id) THEN
    RAISE EXCEPTION 'warehouse % has stock records and cannot be %', OLD.id,
                    CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'renumbered' END
      USING ERRCODE = 'foreign_key_violation',
            HINT = 'Its ledger is permanent; leave the warehouse in place.';
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_warehouse_guard_trigger() IS
  'BEFORE UPDATE OR DELETE on inventory_warehouses: a warehouse with levels or ledger rows '
  'keeps its id and cannot be deleted (SQLSTATE 23503).';
CREATE TRIGGER inventory_warehouse_guard
  BEFORE UPDATE OF id OR DELETE ON inventory.inventory_warehouses
  FOR EACH ROW EXECUTE FUNCTION inventory.inventory_warehouse_guard_trigger();
COMMENT ON TRIGGER inventory_warehouse_guard ON inventory.inventory_warehouses IS
  'Warehouses that hold stock records stay.';

COMMENT ON TRIGGER inventory_ledger_apply ON inventory.inventory_ledger IS
  'Keeps inventory_levels equal to the ledger for every appended row, whatever the path.';
COMMENT ON TRIGGER inventory_ledger_immutable_row ON inventory.inventory_ledger IS
  'The ledger is append-only.';
COMMENT ON TRIGGER inventory_ledger_immutable_truncate ON inventory.inventory_ledger IS
  'The ledger is append-only.';
COMMENT ON TRIGGER inventory_sku_policy_refresh ON inventory.inventory_sku_policies IS
  'Keeps the policy copies and available_to_sell in inventory_levels current.';

-- Data that pg_dump must carry. Levels are derived: a restore rebuilds them from the ledger rows
-- (which arrive with their after-values), so they are not dumped and never applied twice.
SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_warehouses', '');
SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_warehouses_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_sku_policies', '');
SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_ledger', '');

--------------------------------------------------------------------------------------------------
-- Writing events (C++)
--------------------------------------------------------------------------------------------------

CREATE FUNCTION inventory.inventory_apply_event(
  sku text,
  warehouse_id integer,
  event_type text,
  quantity bigint,
  reference_id text DEFAULT NULL,
  idempotency_key text DEFAULT NULL,
  reason text DEFAULT NULL,
  metadata jsonb DEFAULT NULL,
  OUT event_id uuid,
  OUT replayed boolean,
  OUT on_hand bigint,
  OUT reserved bigint,
  OUT available_to_sell bigint)
RETURNS record
LANGUAGE c VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_apply_event';
COMMENT ON FUNCTION inventory.inventory_apply_event(text, integer, text, bigint, text, text, text, jsonb) IS
  'Appends one event to the ledger and returns the level after it. With an idempotency key '
  'already used for the same payload it returns the original event (replayed = true) and '
  'changes nothing; for a different payload it raises IV002.';

CREATE FUNCTION inventory.inventory_transfer(
  sku text,
  from_warehouse_id integer,
  to_warehouse_id integer,
  quantity bigint,
  reference_id text DEFAULT NULL,
  idempotency_key text DEFAULT NULL,
  reason text DEFAULT NULL,
  metadata jsonb DEFAULT NULL,
  OUT out_event_id uuid,
  OUT in_event_id uuid,
  OUT replayed boolean,
  OUT from_on_hand bigint,
  OUT from_available_to_sell bigint,
  OUT to_on_hand bigint,
  OUT to_available_to_sell bigint)
RETURNS record
LANGUAGE c VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_transfer';
COMMENT ON FUNCTION inventory.inventory_transfer(text, integer, integer, bigint, text, text, text, jsonb) IS
  'Moves unreserved units between warehouses: a TRANSFER_OUT and a TRANSFER_IN event in one '
  'transaction, level rows locked in (warehouse_id) order. Idempotent like inventory_apply_event.';

CREATE FUNCTION inventory.inventory_apply_events(events jsonb)
RETURNS TABLE (ordinal integer, event_id uuid, replayed boolean, on_hand bigint,
               reserved bigint, available_to_sell bigint)
LANGUAGE c VOLATILE CALLED ON NULL INPUT ROWS 100
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'inventory_apply_events';
COMMENT ON FUNCTION inventory.inventory_apply_events(jsonb) IS
  'Applies a JSON array of events ({"sku", "warehouse_id", "event_type", "quantity", '
  '"reference_id", "idempotency_key", "reason", "metadata"}) all or nothing, in array order, '
  'after locking every idempotency key and level row once in one global order; one result '
  'row per event, as inventory_apply_event would return it.';

CREATE FUNCTION inventory.inventory_adjust(
  sku text,
  change bigint,
  reason text,
  warehouse_id integer DEFAULT NULL,
  reference_id text DEFAULT NULL,
  idempotency_key text DEFAULT NULL,
  metadata jsonb DEFAULT NULL,
  OUT event_id uuid,
  OUT replayed boolean,
  OUT on_hand bigint,
  OUT reserved bigint,
  OUT available_to_sell bigint)
RETURNS record
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  target integer := warehouse_id;
  warehouses integer;
BEGIN
  IF change IS NULL THEN
    RAISE EXCEPTION 'change must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF target IS NULL THEN
    SELECT count(*), min(w.id) INTO warehouses, target FROM inventory.inventory_warehouses w;
    IF warehouses <> 1 THEN
      RAISE EXCEPTION 'warehouse_id is required when there are % warehouses', warehouses
        USING ERRCODE = 'null_value_not_allowed',
              HINT = 'Pass warehouse_id; it may be left out only when exactly one warehouse exists.';
    END IF;
  END IF;
  SELECT r.event_id, r.replayed, r.on_hand, r.reserved, r.available_to_sell
    INTO event_id, replayed, on_hand, reserved, available_to_sell
    FROM inventory.inventory_apply_event(sku, target, 'ADJUST', change, reference_id,
                                         idempotency_key, reason, metadata) AS r;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_adjust(text, bigint, text, integer, text, text, jsonb) IS
  'The source chapter''s adjust(sku, change, reason): a signed on_hand change with a required '
  'reason. warehouse_id may be left out when exactly one warehouse exists.';

CREATE FUNCTION inventory.inventory_set_sku_policy(
  sku text,
  allow_backorder boolean DEFAULT false,
  safety_stock bigint DEFAULT 0,
  backorder_limit bigint DEFAULT NULL)
RETURNS inventory.inventory_sku_policies
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  result inventory.inventory_sku_policies;
BEGIN
  IF sku IS NULL OR allow_backorder IS NULL OR safety_stock IS NULL THEN
    RAISE EXCEPTION 'sku, allow_backorder and safety_stock must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  INSERT INTO inventory.inventory_sku_policies AS p
         (sku, allow_backorder, backorder_limit, safety_stock, updated_at)
  VALUES (sku, allow_backorder, backorder_limit, safety_stock, now())
  ON CONFLICT ON CONSTRAINT inventory_sku_policies_pkey DO UPDATE
     SET allow_backorder = EXCLUDED.allow_backorder,
         backorder_limit = EXCLUDED.backorder_limit,
         safety_stock = EXCLUDED.safety_stock,
         updated_at = EXCLUDED.updated_at
  RETURNING p.* INTO result;
  RETURN result;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_set_sku_policy(text, boolean, bigint, bigint) IS
  'Sets a SKU''s safety stock and backorder policy and recomputes its levels'' available_to_sell. '
  'Refuses (IV011) to forbid backorders while a level of the SKU is backordered.';

CREATE FUNCTION inventory.inventory_create_warehouse(
  code text, name text, country text, id integer DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  new_id integer;
BEGIN
  IF code IS NULL OR name IS NULL OR country IS NULL THEN
    RAISE EXCEPTION 'code, name and country must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  INSERT INTO inventory.inventory_warehouses (id, code, name, country)
  VALUES (coalesce(id, nextval('inventory.inventory_warehouses_id_seq')::integer), code, name,
          upper(country))
  RETURNING inventory_warehouses.id INTO new_id;
  RETURN new_id;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_create_warehouse(text, text, text, integer) IS
  'Adds a warehouse and returns its id.';

--------------------------------------------------------------------------------------------------
-- Reading levels
--------------------------------------------------------------------------------------------------

CREATE FUNCTION inventory.inventory_ats(sku text)
RETURNS bigint
LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF sku IS NULL THEN
    RAISE EXCEPTION 'sku must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  RETURN (SELECT coalesce(sum(greatest(l.available_to_sell, 0)), 0)::bigint
            FROM inventory.inventory_levels l
           WHERE l.sku = inventory_ats.sku);
END;
$$;
COMMENT ON FUNCTION inventory.inventory_ats(text) IS
  'Units of a SKU available to sell over all warehouses (a backordered warehouse counts 0); '
  '0 for a SKU never seen. Read it for checkout decisions, never a cache.';

CREATE FUNCTION inventory.inventory_ats(sku text, warehouse_id integer)
RETURNS bigint
LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF sku IS NULL OR warehouse_id IS NULL THEN
    RAISE EXCEPTION 'sku and warehouse_id must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF NOT EXISTS (SELECT FROM inventory.inventory_warehouses w WHERE w.id = warehouse_id) THEN
    RAISE EXCEPTION 'unknown warehouse %', warehouse_id USING ERRCODE = 'IV003';
  END IF;
  RETURN coalesce((SELECT l.available_to_sell FROM inventory.inventory_levels l
                    WHERE l.sku = inventory_ats.sku
                      AND l.warehouse_id = inventory_ats.warehouse_id), 0);
END;
$$;
COMMENT ON FUNCTION inventory.inventory_ats(text, integer) IS
  'Units of a SKU available to sell in one warehouse (negative when backordered).';

CREATE FUNCTION inventory.inventory_availability(sku text)
RETURNS jsonb
LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF sku IS NULL THEN
    RAISE EXCEPTION 'sku must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  RETURN (
    SELECT jsonb_build_object(
             'sku', inventory_availability.sku,
             'available_to_sell', coalesce(sum(greatest(l.available_to_sell, 0)), 0),
             'on_hand', coalesce(sum(l.on_hand), 0),
             'reserved', coalesce(sum(l.reserved), 0),
             'warehouses', coalesce(jsonb_agg(jsonb_build_object(
                 'warehouse_id', w.id, 'code', w.code, 'country', w.country,
                 'on_hand', l.on_hand, 'reserved', l.reserved,
                 'available_to_sell', l.available_to_sell) ORDER BY w.id)
               FILTER (WHERE l.sku IS NOT NULL), '[]'::jsonb))
      FROM inventory.inventory_levels l
      JOIN inventory.inventory_warehouses w ON w.id = l.warehouse_id
     WHERE l.sku = inventory_availability.sku);
END;
$$;
COMMENT ON FUNCTION inventory.inventory_availability(text) IS
  'The source chapter''s availability(sku) as JSON: {"sku", "available_to_sell", "on_hand", '
  '"reserved", "warehouses": [per-warehouse figures]}.';

--------------------------------------------------------------------------------------------------
-- Checking the ledger against the levels
--------------------------------------------------------------------------------------------------

CREATE FUNCTION inventory.inventory_verify()
RETURNS TABLE (sku text, warehouse_id integer,
               level_on_hand bigint, ledger_on_hand numeric,
               level_reserved bigint, ledger_reserved numeric,
               level_version bigint, ledger_events bigint,
               level_available_to_sell bigint, expected_available_to_sell bigint)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
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
                ELSE greatest(l.on_hand - l.reserved - l.safety_stock, 0) END AS expected_available
      FROM inventory.inventory_levels l
      FULL JOIN sums s ON s.sku = l.sku AND s.warehouse_id = l.warehouse_id)
  SELECT * FROM checked c
   WHERE c.level_on_hand IS DISTINCT FROM c.ledger_on_hand
      OR c.level_reserved IS DISTINCT FROM c.ledger_reserved
      OR c.level_version IS DISTINCT FROM c.ledger_events
      OR c.level_available IS DISTINCT FROM c.expected_available
   ORDER BY 1, 2;
$$;
COMMENT ON FUNCTION inventory.inventory_verify() IS
  'Every (sku, warehouse) whose level differs from the sum of its ledger rows, or whose '
  'available_to_sell does not follow from its on_hand, reserved and safety stock; empty when '
  'the levels are true. One set-based pass over the ledger.';

CREATE FUNCTION inventory.inventory_rebuild_levels()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  changed bigint;
  removed bigint;
BEGIN
  -- SHARE mode lets readers in but waits for, and then holds off, every transaction that
  -- appends events: the sums below cannot go stale while they are written.
  LOCK TABLE inventory.inventory_ledger IN SHARE MODE;
  LOCK TABLE inventory.inventory_levels IN SHARE ROW EXCLUSIVE MODE;

  WITH sums AS (
    SELECT g.sku, g.warehouse_id, sum(g.on_hand_change)::bigint AS on_hand,
           sum(g.reserved_change)::bigint AS reserved, count(*) AS events
      FROM inventory.inventory_ledger g
     GROUP BY g.sku, g.warehouse_id),
  computed AS (
    SELECT s.*, coalesce(p.safety_stock, 0) AS safety_stock,
           coalesce(p.allow_backorder, false) AS allow_backorder, p.backorder_limit
      FROM sums s LEFT JOIN inventory.inventory_sku_policies p ON p.sku = s.sku)
  INSERT INTO inventory.inventory_levels AS l
         (sku, warehouse_id, on_hand, reserved, available_to_sell, safety_stock, allow_backorder,
          backorder_limit, version, updated_at)
  SELECT c.sku, c.warehouse_id, c.on_hand, c.reserved,
         CASE WHEN c.on_hand - c.reserved < 0 THEN c.on_hand - c.reserved
              ELSE greatest(c.on_hand - c.reserved - c.safety_stock, 0) END,
         c.safety_stock, c.allow_backorder OR c.on_hand < c.reserved, c.backorder_limit,
         c.events, now()
    FROM computed c
  ON CONFLICT (sku, warehouse_id) DO UPDATE
     SET on_hand = EXCLUDED.on_hand, reserved = EXCLUDED.reserved,
         available_to_sell = EXCLUDED.available_to_sell, safety_stock = EXCLUDED.safety_stock,
         allow_backorder = EXCLUDED.allow_backorder, backorder_limit = EXCLUDED.backorder_limit,
         version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
   WHERE (l.on_hand, l.reserved, l.available_to_sell, l.safety_stock, l.allow_backorder,
          l.backorder_limit, l.version)
         IS DISTINCT FROM
         (EXCLUDED.on_hand, EXCLUDED.reserved, EXCLUDED.available_to_sell, EXCLUDED.safety_stock,
          EXCLUDED.allow_backorder, EXCLUDED.backorder_limit, EXCLUDED.version);
  GET DIAGNOSTICS changed = ROW_COUNT;

  DELETE FROM inventory.inventory_levels l
   WHERE NOT EXISTS (SELECT FROM inventory.inventory_ledger g
                      WHERE g.sku = l.sku AND g.warehouse_id = l.warehouse_id);
  GET DIAGNOSTICS removed = ROW_COUNT;
  RETURN changed + removed;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_rebuild_levels() IS
  'Recomputes every level from the ledger in one set-based pass, holding off new events '
  'meanwhile, and returns how many levels it changed (0 when they were already true).';
