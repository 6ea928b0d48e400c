-- inventory 0.1.0 -> 0.2.0: ledger views for analysts, time travel, a change feed, group roles
-- with SECURITY DEFINER functions, and hardening. A fresh install runs 0.1.0 and then this.

\echo Use "ALTER EXTENSION inventory UPDATE TO '0.2.0'" to load this file. \quit

--------------------------------------------------------------------------------------------------
-- Event time: when the row was written, so that time travel sees each level's history in order
--------------------------------------------------------------------------------------------------

ALTER TABLE inventory.inventory_ledger ALTER COLUMN created_at SET DEFAULT clock_timestamp();
COMMENT ON COLUMN inventory.inventory_ledger.created_at IS
  'When the event was written (clock_timestamp(), under its level''s row lock): increases '
  'along each level''s history.';
-- Time travel reads the after-values from the index alone (an index-only scan).
CREATE INDEX inventory_ledger_history_idx
  ON inventory.inventory_ledger (sku, warehouse_id, created_at, level_version)
  INCLUDE (on_hand_after, reserved_after, available_after);

--------------------------------------------------------------------------------------------------
-- Views for analysts
--------------------------------------------------------------------------------------------------

CREATE VIEW inventory.inventory_movements AS
SELECT g.id AS event_id, g.created_at, g.sku, g.warehouse_id, w.code AS warehouse_code,
       w.name AS warehouse_name, g.event_type, g.quantity, g.reason, g.reference_id,
       g.on_hand_after - g.on_hand_change AS on_hand_before, g.on_hand_change, g.on_hand_after,
       g.reserved_after - g.reserved_change AS reserved_before, g.reserved_change,
       g.reserved_after, g.available_after, g.level_version, g.actor, g.idempotency_key,
       g.related_event_id, g.metadata
  FROM inventory.inventory_ledger g
  LEFT JOIN inventory.inventory_warehouses w ON w.id = g.warehouse_id;
COMMENT ON VIEW inventory.inventory_movements IS
  'Movement history: every ledger event with its warehouse, reason, reference, actor and the '
  'level before and after it.';

CREATE VIEW inventory.inventory_daily_movements AS
SELECT (g.created_at AT TIME ZONE 'UTC')::date AS day, g.sku, g.warehouse_id, g.event_type,
       count(*) AS events, sum(g.quantity) AS quantity, sum(g.on_hand_change) AS on_hand_change,
       sum(g.reserved_change) AS reserved_change
  FROM inventory.inventory_ledger g
 GROUP BY 1, 2, 3, 4;
COMMENT ON VIEW inventory.inventory_daily_movements IS
  'Events, quantities and level changes per UTC day, SKU, warehouse and event type.';

CREATE VIEW inventory.inventory_losses AS
WITH losses AS (
  SELECT g.created_at, g.sku, g.warehouse_id,
         CASE WHEN g.event_type = 'COUNT' THEN 'COUNT_SHORTFALL'
              WHEN g.event_type = 'RETURN' THEN 'DAMAGED_RETURN'
              ELSE g.reason END AS reason,
         CASE WHEN g.event_type = 'RETURN' THEN g.quantity ELSE -g.on_hand_change END AS units,
         (g.metadata ->> 'unit_cost')::numeric AS unit_cost
    FROM inventory.inventory_ledger g
   WHERE (g.event_type IN ('ADJUST', 'COUNT') AND g.on_hand_change < 0
          AND coalesce(g.reason, '') NOT IN ('OFFLINE_SALE', 'SAMPLE', 'CORRECTION'))
      OR (g.event_type = 'RETURN' AND g.reason = 'DAMAGED'))
SELECT l.sku, l.warehouse_id, l.reason, count(*) AS events, sum(l.units) AS units,
       sum(l.units * l.unit_cost) AS value, min(l.created_at) AS first_at,
       max(l.created_at) AS last_at
  FROM losses l
 GROUP BY 1, 2, 3;
COMMENT ON VIEW inventory.inventory_losses IS
  'Shrinkage and damage per SKU, warehouse and reason: ADJUST losses (DAMAGED, SHRINKAGE, '
  'THEFT, EXPIRED, OTHER), COUNT shortfalls and damaged returns. value sums units times the '
  'event''s metadata unit_cost where the event carried one.';

CREATE VIEW inventory.inventory_reconciliation AS
SELECT * FROM inventory.inventory_verify();
COMMENT ON VIEW inventory.inventory_reconciliation IS
  'Levels that differ from the ledger (inventory_verify()); empty when consistent.';

--------------------------------------------------------------------------------------------------
-- Time travel
--------------------------------------------------------------------------------------------------

CREATE FUNCTION inventory.inventory_levels_at(sku text, at timestamptz)
RETURNS TABLE (warehouse_id integer, on_hand bigint, reserved bigint, available_to_sell bigint,
               level_version bigint, changed_at timestamptz)
LANGUAGE plpgsql STABLE CALLED ON NULL INPUT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF sku IS NULL OR at IS NULL THEN
    RAISE EXCEPTION 'sku and at must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  RETURN QUERY
    SELECT l.warehouse_id, g.on_hand_after, g.reserved_after, g.available_after,
           g.level_version, g.created_at
      FROM inventory.inventory_levels l
     CROSS JOIN LATERAL (
           SELECT e.on_hand_after, e.reserved_after, e.available_after, e.level_version,
                  e.created_at
             FROM inventory.inventory_ledger e
            WHERE e.sku = l.sku AND e.warehouse_id = l.warehouse_id AND e.created_at <= at
            ORDER BY e.created_at DESC, e.level_version DESC
            LIMIT 1) g
     WHERE l.sku = inventory_levels_at.sku
     ORDER BY 1;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_levels_at(text, timestamptz) IS
  'The levels of a SKU per warehouse as they were at a past time, read from the after-values '
  'of the last event at or before it (one index probe per warehouse, whatever the history''s '
  'length). A warehouse without events by then has no row.';

CREATE FUNCTION inventory.inventory_levels_at(at timestamptz)
RETURNS TABLE (sku text, warehouse_id integer, on_hand bigint, reserved bigint,
               available_to_sell bigint, level_version bigint, changed_at timestamptz)
LANGUAGE plpgsql STABLE CALLED ON NULL INPUT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF at IS NULL THEN
    RAISE EXCEPTION 'at must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  RETURN QUERY
    SELECT l.sku, l.warehouse_id, g.on_hand_after, g.reserved_after, g.available_after,
           g.level_version, g.created_at
      FROM inventory.inventory_levels l
     CROSS JOIN LATERAL (
           SELECT e.on_hand_after, e.reserved_after, e.available_after, e.level_version,
                  e.created_at
             FROM inventory.inventory_ledger e
            WHERE e.sku = l.sku AND e.warehouse_id = l.warehouse_id AND e.created_at <= at
            ORDER BY e.created_at DESC, e.level_version DESC
            LIMIT 1) g
     ORDER BY 1, 2;
END;
$$;
COMMENT ON FUNCTION inventory.inventory_levels_at(timestamptz) IS
  'The levels of every SKU and warehouse as they were at a past time (one index probe per '
  'level, whatever the history''s length).';

--------------------------------------------------------------------------------------------------
-- Roles and privileges
--------------------------------------------------------------------------------------------------

-- Group roles are cluster-wide: created once, kept when the extension is dropped.
DO $$
DECLARE
  name text;
BEGIN
  FOREACH name IN ARRAY ARRAY['inventory_reader', 'inventory_app', 'inventory_warehouse',
                              'inventory_admin'] LOOP
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = name) THEN
      EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', name);
    END IF;
  END LOOP;
END;
$$;
COMMENT ON ROLE inventory_reader IS 'inventory: reads levels, the ledger and its views.';
COMMENT ON ROLE inventory_app IS
  'inventory: shop applications; ALLOCATE, DEALLOCATE, FULFILL and availability.';
COMMENT ON ROLE inventory_warehouse IS
  'inventory: warehouse systems; RECEIVE, RETURN, ADJUST, COUNT and TRANSFER.';
COMMENT ON ROLE inventory_admin IS
  'inventory: warehouses, SKU policies, rebuild; everything the other roles may do.';
GRANT inventory_reader TO inventory_app, inventory_warehouse;
GRANT inventory_app, inventory_warehouse TO inventory_admin;

-- Only the owner writes the tables; every role reads them.
REVOKE ALL ON ALL TABLES IN SCHEMA inventory FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA inventory FROM PUBLIC;
GRANT USAGE ON SCHEMA inventory TO inventory_reader;
GRANT SELECT ON inventory.inventory_ledger, inventory.inventory_levels,
                inventory.inventory_warehouses, inventory.inventory_sku_policies,
                inventory.inventory_movements, inventory.inventory_daily_movements,
                inventory.inventory_losses, inventory.inventory_reconciliation
  TO inventory_reader;

-- Functions that write run as the owner (SECURITY DEFINER) and are granted explicitly; which
-- event types a caller may write is checked inside (IV012).
ALTER FUNCTION inventory.inventory_apply_event(text, integer, text, bigint, text, text, text, jsonb)
  SECURITY DEFINER;
ALTER FUNCTION inventory.inventory_apply_events(jsonb) SECURITY DEFINER;
ALTER FUNCTION inventory.inventory_transfer(text, integer, integer, bigint, text, text, text, jsonb)
  SECURITY DEFINER;
ALTER FUNCTION inventory.inventory_adjust(text, bigint, text, integer, text, text, jsonb)
  SECURITY DEFINER;
ALTER FUNCTION inventory.inventory_set_sku_policy(text, boolean, bigint, bigint) SECURITY DEFINER;
ALTER FUNCTION inventory.inventory_create_warehouse(text, text, text, integer) SECURITY DEFINER;
ALTER FUNCTION inventory.inventory_rebuild_levels() SECURITY DEFINER;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA inventory FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    inventory.inventory_apply_event(text, integer, text, bigint, text, text, text, jsonb),
    inventory.inventory_apply_events(jsonb),
    inventory.inventory_transfer(text, integer, integer, bigint, text, text, text, jsonb),
    inventory.inventory_adjust(text, bigint, text, integer, text, text, jsonb)
  TO inventory_app, inventory_warehouse;
GRANT EXECUTE ON FUNCTION
    inventory.inventory_set_sku_policy(text, boolean, bigint, bigint),
    inventory.inventory_create_warehouse(text, text, text, integer),
    inventory.inventory_rebuild_levels()
  TO inventory_admin;
GRANT EXECUTE ON FUNCTION
    inventory.inventory_ats(text),
    inventory.inventory_ats(text, integer),
    inventory.inventory_availability(text),
    inventory.inventory_verify(),
    inventory.inventory_levels_at(text, timestamptz),
    inventory.inventory_levels_at(timestamptz),
    inventory.inventory_uuidv7()
  TO inventory_reader;
