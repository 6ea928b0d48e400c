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
    LANGUAGE c SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_feed_levels_trigger';

COMMENT ON FUNCTION inventory.inventory_feed_levels_trigger() IS 'AFTER DELETE on inventory_level_stripes: marks the level of a deleted stripe as changed for the change feed.';

REVOKE ALL ON FUNCTION inventory.inventory_feed_levels_trigger() FROM PUBLIC;

CREATE OR REPLACE FUNCTION inventory.inventory_feed_policy_trigger() RETURNS trigger
    LANGUAGE c SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_feed_policy_trigger';

COMMENT ON FUNCTION inventory.inventory_feed_policy_trigger() IS 'AFTER INSERT, UPDATE or DELETE on inventory_sku_policies: marks the SKU''s levels as changed for the change feed (a policy change moves available_to_sell without a ledger row).';

REVOKE ALL ON FUNCTION inventory.inventory_feed_policy_trigger() FROM PUBLIC;

CREATE OR REPLACE FUNCTION inventory.inventory_level_changes(since text DEFAULT NULL::text) RETURNS TABLE(sku text, warehouse_id integer, on_hand bigint, reserved bigint, available_to_sell bigint, version bigint, next_position text)
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_level_changes';

COMMENT ON FUNCTION inventory.inventory_level_changes(since text) IS 'The change feed: the current figures of every level changed since the position "since" (NULL: every level), each row with the next_position to pass next time; one row with a NULL sku when nothing changed. Commit-safe: a transaction that commits after the position was taken is returned by the next call, however early it wrote.';

REVOKE ALL ON FUNCTION inventory.inventory_level_changes(since text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_level_changes(since text) TO inventory_reader;

CREATE OR REPLACE TRIGGER inventory_levels_feed_delete AFTER DELETE ON inventory.inventory_level_stripes FOR EACH ROW EXECUTE FUNCTION inventory.inventory_feed_levels_trigger();

ALTER TABLE inventory.inventory_level_stripes ENABLE ALWAYS TRIGGER inventory_levels_feed_delete;

COMMENT ON TRIGGER inventory_levels_feed_delete ON inventory.inventory_level_stripes IS 'Change feed: a deleted level reads as empty to the feed''s consumers.';

CREATE OR REPLACE TRIGGER inventory_sku_policy_feed AFTER INSERT OR DELETE OR UPDATE ON inventory.inventory_sku_policies FOR EACH ROW EXECUTE FUNCTION inventory.inventory_feed_policy_trigger();

ALTER TABLE inventory.inventory_sku_policies ENABLE ALWAYS TRIGGER inventory_sku_policy_feed;

COMMENT ON TRIGGER inventory_sku_policy_feed ON inventory.inventory_sku_policies IS 'Change feed: a policy change is a change of every level of the SKU.';
