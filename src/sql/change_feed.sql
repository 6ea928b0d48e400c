-- inventory: The change feed: which levels changed since a commit-safe position.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE TABLE IF NOT EXISTS inventory.inventory_feed_marks (
    sku text,
    warehouse_id integer,
    transaction_id xid8 DEFAULT pg_current_xact_id() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT inventory_feed_marks_warehouse_needs_sku CHECK (((warehouse_id IS NULL) OR (sku IS NOT NULL)))
);

COMMENT ON TABLE inventory.inventory_feed_marks IS 'Levels changed without a ledger row (SKU policy changes, rebuilds, deleted levels), for inventory_level_changes(); written by the extension only.';

COMMENT ON COLUMN inventory.inventory_feed_marks.sku IS 'The SKU whose levels changed; NULL: every level (a rebuild).';

COMMENT ON COLUMN inventory.inventory_feed_marks.warehouse_id IS 'The one level of the SKU that changed; NULL: every level of the SKU.';

COMMENT ON COLUMN inventory.inventory_feed_marks.transaction_id IS 'Top-level transaction that made the change (pg_current_xact_id()).';

COMMENT ON COLUMN inventory.inventory_feed_marks.created_at IS 'When the mark was written.';

GRANT SELECT ON TABLE inventory.inventory_feed_marks TO inventory_reader;

CREATE INDEX IF NOT EXISTS inventory_feed_marks_transaction_id_idx ON inventory.inventory_feed_marks USING btree (transaction_id);

CREATE OR REPLACE FUNCTION inventory.inventory_feed_levels_trigger() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  INSERT INTO inventory.inventory_feed_marks (sku, warehouse_id)
  VALUES (OLD.sku, OLD.warehouse_id);
  RETURN NULL;
END;
$$;

COMMENT ON FUNCTION inventory.inventory_feed_levels_trigger() IS 'AFTER DELETE on inventory_levels: marks the deleted level as changed for the change feed.';

REVOKE ALL ON FUNCTION inventory.inventory_feed_levels_trigger() FROM PUBLIC;

CREATE OR REPLACE FUNCTION inventory.inventory_feed_policy_trigger() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO inventory.inventory_feed_marks (sku) VALUES (OLD.sku);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.sku IS DISTINCT FROM OLD.sku) THEN
    INSERT INTO inventory.inventory_feed_marks (sku) VALUES (NEW.sku);
  END IF;
  RETURN NULL;
END;
$$;

COMMENT ON FUNCTION inventory.inventory_feed_policy_trigger() IS 'AFTER INSERT, UPDATE or DELETE on inventory_sku_policies: marks the SKU''s levels as changed for the change feed (a policy change moves available_to_sell without a ledger row).';

REVOKE ALL ON FUNCTION inventory.inventory_feed_policy_trigger() FROM PUBLIC;

CREATE OR REPLACE FUNCTION inventory.inventory_level_changes(since text DEFAULT NULL::text) RETURNS TABLE(sku text, warehouse_id integer, on_hand bigint, reserved bigint, available_to_sell bigint, version bigint, next_position text)
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
DECLARE
  origin constant text := (SELECT s.system_identifier::text FROM pg_control_system() s)
                          || '/' || (SELECT d.oid::text FROM pg_database d
                                      WHERE d.datname = current_database());
  seen pg_snapshot;
BEGIN
  IF since IS NULL THEN
    -- The full state, and the position that goes with it (one statement: one snapshot).
    RETURN QUERY
      WITH snap AS MATERIALIZED (SELECT origin || '/' || pg_current_snapshot()::text AS pos),
      state AS (
        SELECT l.sku, l.warehouse_id, l.on_hand, l.reserved, l.available_to_sell, l.version
          FROM inventory.inventory_levels l)
      SELECT s.*, snap.pos FROM state s, snap
      UNION ALL
      SELECT NULL, NULL, NULL, NULL, NULL, NULL, snap.pos FROM snap
       WHERE NOT EXISTS (SELECT FROM state);
    RETURN;
  END IF;

  IF since !~ '^[0-9]+/[0-9]+/[0-9]+:[0-9]+:([0-9]+(,[0-9]+)*)?$' THEN
    RAISE EXCEPTION 'invalid change feed position "%"', left(since, 100)
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Pass the next_position of the previous call, or NULL for the full state.';
  END IF;
  BEGIN
    seen := substr(since, length(split_part(since, '/', 1)) + length(split_part(since, '/', 2)) + 3)
            ::pg_snapshot;
  EXCEPTION WHEN invalid_text_representation THEN
    RAISE EXCEPTION 'invalid change feed position "%"', left(since, 100)
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Pass the next_position of the previous call, or NULL for the full state.';
  END;
  IF split_part(since, '/', 1) || '/' || split_part(since, '/', 2) <> origin
     OR pg_snapshot_xmax(seen) > pg_snapshot_xmax(pg_current_snapshot()) THEN
    RAISE EXCEPTION 'change feed position belongs to another database'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'The database was restored or copied, or the position is from another server.',
            HINT = 'Start again from the full state: since => NULL.';
  END IF;

  -- Changed: rows of transactions that the previous snapshot did not see (at or after its xmin,
  -- not visible in it) and that this statement's snapshot sees (MVCC shows only those; the
  -- upper bound keeps out transaction ids copied in by a restore).
  RETURN QUERY
    WITH snap AS MATERIALIZED (SELECT pg_current_snapshot() AS cur),
    marks AS MATERIALIZED (
      SELECT m.sku, m.warehouse_id
        FROM inventory.inventory_feed_marks m, snap
       WHERE m.transaction_id >= pg_snapshot_xmin(seen)
         AND m.transaction_id < pg_snapshot_xmax(snap.cur)
         AND NOT pg_visible_in_snapshot(m.transaction_id, seen)),
    changed AS (
      SELECT g.sku, g.warehouse_id
        FROM inventory.inventory_ledger g, snap
       WHERE g.transaction_id >= pg_snapshot_xmin(seen)
         AND g.transaction_id < pg_snapshot_xmax(snap.cur)
         AND NOT pg_visible_in_snapshot(g.transaction_id, seen)
      UNION
      SELECT m.sku, m.warehouse_id FROM marks m WHERE m.warehouse_id IS NOT NULL
      UNION
      SELECT l.sku, l.warehouse_id
        FROM marks m JOIN inventory.inventory_levels l ON l.sku = m.sku
       WHERE m.warehouse_id IS NULL),
    result AS (
      -- Each changed level by its key (a LATERAL probe of the primary key: a poll never reads
      -- all levels); one that no longer exists reads as empty, as inventory_ats() reads it.
      SELECT c.sku, c.warehouse_id, coalesce(l.on_hand, 0), coalesce(l.reserved, 0),
             coalesce(l.available_to_sell, 0), coalesce(l.version, 0)
        FROM changed c
        LEFT JOIN LATERAL (
              SELECT l.on_hand, l.reserved, l.available_to_sell, l.version
                FROM inventory.inventory_levels l
               WHERE l.sku = c.sku AND l.warehouse_id = c.warehouse_id LIMIT 1) l ON true
       WHERE NOT EXISTS (SELECT FROM marks m WHERE m.sku IS NULL)
      UNION ALL
      -- After a rebuild: every level, and the changed ones that no longer exist.
      SELECT l.sku, l.warehouse_id, l.on_hand, l.reserved, l.available_to_sell, l.version
        FROM inventory.inventory_levels l
       WHERE EXISTS (SELECT FROM marks m WHERE m.sku IS NULL)
      UNION ALL
      SELECT c.sku, c.warehouse_id, 0, 0, 0, 0
        FROM changed c
       WHERE EXISTS (SELECT FROM marks m WHERE m.sku IS NULL)
         AND NOT EXISTS (SELECT FROM inventory.inventory_levels l
                          WHERE l.sku = c.sku AND l.warehouse_id = c.warehouse_id))
    SELECT r.*, origin || '/' || snap.cur::text FROM result r, snap
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, origin || '/' || snap.cur::text FROM snap
     WHERE NOT EXISTS (SELECT FROM result);
END;
$_$;

COMMENT ON FUNCTION inventory.inventory_level_changes(since text) IS 'The change feed: the current figures of every level changed since the position "since" (NULL: every level), each row with the next_position to pass next time; one row with a NULL sku when nothing changed. Commit-safe: a transaction that commits after the position was taken is returned by the next call, however early it wrote.';

REVOKE ALL ON FUNCTION inventory.inventory_level_changes(since text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_level_changes(since text) TO inventory_reader;

CREATE OR REPLACE TRIGGER inventory_levels_feed_delete AFTER DELETE ON inventory.inventory_levels FOR EACH ROW EXECUTE FUNCTION inventory.inventory_feed_levels_trigger();

ALTER TABLE inventory.inventory_levels ENABLE ALWAYS TRIGGER inventory_levels_feed_delete;

COMMENT ON TRIGGER inventory_levels_feed_delete ON inventory.inventory_levels IS 'Change feed: a deleted level reads as empty to the feed''s consumers.';

CREATE OR REPLACE TRIGGER inventory_sku_policy_feed AFTER INSERT OR DELETE OR UPDATE ON inventory.inventory_sku_policies FOR EACH ROW EXECUTE FUNCTION inventory.inventory_feed_policy_trigger();

ALTER TABLE inventory.inventory_sku_policies ENABLE ALWAYS TRIGGER inventory_sku_policy_feed;

COMMENT ON TRIGGER inventory_sku_policy_feed ON inventory.inventory_sku_policies IS 'Change feed: a policy change is a change of every level of the SKU.';
