-- inventory 0.4.0 -> 0.5.0: the hand-written part of the update. The Makefile appends every
-- source of src/sql/ (in the order of src/sql/ORDER) after it, so this file holds only what
-- CREATE OR REPLACE cannot do: dropping what goes away or changes shape (result type, OUT
-- columns, argument names or defaults; a view that loses columns), and table changes. What it
-- drops, the sources re-create with its comment and grants.
\echo Use "ALTER EXTENSION inventory UPDATE TO '0.5.0'" to load this file. \quit

-- h3: ledger indexes
-- No query of the extension reads the ledger by reference_id (orders and reservations look
-- their lines up in inventory_reservations; inventory_verify_reservations reads the ledger
-- whole): the index cost every referenced event a text index insert for ad-hoc queries only.
DROP INDEX IF EXISTS inventory.inventory_ledger_reference_id_idx;

-- lead: the write path's own tables.
-- A level row gets a new version with every event: room on its page keeps that update HOT
-- (no new primary-key entry). Applies to pages written from now on; VACUUM FULL
-- inventory.inventory_levels applies it to all.
ALTER TABLE inventory.inventory_levels SET (fillfactor = 50);
-- A hold without an end (most ALLOCATEs) needs no entry in the expiry index: the sources
-- re-create it with expires_at IS NOT NULL in its predicate.
DROP INDEX IF EXISTS inventory.inventory_reservations_expiry_idx;

-- Striped levels (issue 13): a level's stock is held in one or more stripe rows, and the
-- level readers see (inventory_levels) is their sum. The table keeps its rows, constraints and
-- storage; every existing row becomes stripe 0 of its level.
ALTER TABLE inventory.inventory_levels RENAME TO inventory_level_stripes;
ALTER TABLE inventory.inventory_level_stripes ADD COLUMN stripe smallint DEFAULT 0 NOT NULL;
ALTER TABLE inventory.inventory_level_stripes ADD COLUMN stripe_count smallint DEFAULT 1 NOT NULL;
ALTER TABLE inventory.inventory_level_stripes
    ADD CONSTRAINT inventory_level_stripes_stripe_check CHECK (((stripe >= 0) AND (stripe < 64)));
ALTER TABLE inventory.inventory_level_stripes DROP CONSTRAINT inventory_levels_pkey;
ALTER TABLE inventory.inventory_level_stripes
    ADD CONSTRAINT inventory_level_stripes_pkey PRIMARY KEY (sku, warehouse_id, stripe);
-- The view that reads the table by its old name: its source re-creates it on the level view.
DROP VIEW IF EXISTS inventory.inventory_stock_positions;
ALTER TABLE inventory.inventory_ledger ADD COLUMN stripe smallint DEFAULT 0 NOT NULL;
ALTER TABLE inventory.inventory_reservations ADD COLUMN stripe smallint DEFAULT 0 NOT NULL;
ALTER TABLE inventory.inventory_sku_policies ADD COLUMN stripes integer DEFAULT 1 NOT NULL;
ALTER TABLE inventory.inventory_sku_policies
    ADD CONSTRAINT inventory_sku_policies_stripes_check CHECK (((stripes >= 1) AND (stripes <= 64)));
-- A level's history and its version positions are per stripe now: the sources re-create both.
DROP INDEX IF EXISTS inventory.inventory_ledger_history_idx;
DROP INDEX IF EXISTS inventory.inventory_ledger_level_version_key;
-- inventory_set_sku_policy gains the argument stripes, and its result type (the policy row) a
-- column.
DROP FUNCTION IF EXISTS inventory.inventory_set_sku_policy(text, boolean, bigint, bigint);
