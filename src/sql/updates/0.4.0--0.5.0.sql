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
