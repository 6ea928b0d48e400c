-- inventory 0.4.0, generated from src/sql/ by the Makefile; do not edit.
\echo Use "CREATE EXTENSION inventory" to load this file. \quit

-- src/sql/roles.sql
-- inventory: the group roles and what they may reach. Each object's own grants are beside its
-- definition; this file holds the roles themselves and the schema's. README.md, Roles.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

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

GRANT USAGE ON SCHEMA inventory TO inventory_reader;

-- src/sql/schema.sql
-- inventory: Helpers every feature uses: event ids (UUIDv7), the SKU problem reader, the session login.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE FUNCTION inventory.inventory_login() RETURNS text
    LANGUAGE c STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_login';

COMMENT ON FUNCTION inventory.inventory_login() IS 'The session''s authenticated login, as inventory_ledger.login records it; internal (the default of inventory_orders.login).';

REVOKE ALL ON FUNCTION inventory.inventory_login() FROM PUBLIC;

CREATE FUNCTION inventory.inventory_sku_problem(sku text) RETURNS text
    LANGUAGE c STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_sku_problem';

COMMENT ON FUNCTION inventory.inventory_sku_problem(sku text) IS 'NULL when the ledger accepts the SKU, else the reason it refuses it (IV009): empty or over 255 characters, control, bidirectional or invisible characters, a space, separator or format character at either end, or not in Unicode normalization form NFC. 22004 for NULL.';

REVOKE ALL ON FUNCTION inventory.inventory_sku_problem(sku text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_sku_problem(sku text) TO inventory_reader;

CREATE FUNCTION inventory.inventory_uuidv7() RETURNS uuid
    LANGUAGE c PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_uuidv7';

COMMENT ON FUNCTION inventory.inventory_uuidv7() IS 'A new time-ordered UUIDv7 (RFC 9562); ids from one session increase strictly.';

REVOKE ALL ON FUNCTION inventory.inventory_uuidv7() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_uuidv7() TO inventory_reader;

-- src/sql/warehouses.sql
-- inventory: Warehouses (stock locations) and the ship-to countries each serves.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE SEQUENCE inventory.inventory_warehouses_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

COMMENT ON SEQUENCE inventory.inventory_warehouses_id_seq IS 'Ids of inventory_warehouses.';

REVOKE ALL ON SEQUENCE inventory.inventory_warehouses_id_seq FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_warehouses_id_seq', '');

CREATE TABLE inventory.inventory_warehouses (
    id integer NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    country text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT inventory_warehouses_code_check CHECK ((code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$'::text)),
    CONSTRAINT inventory_warehouses_country_check CHECK ((country ~ '^[A-Z]{2}$'::text)),
    CONSTRAINT inventory_warehouses_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 200))),
    CONSTRAINT inventory_warehouses_code_key UNIQUE (code),
    CONSTRAINT inventory_warehouses_pkey PRIMARY KEY (id)
);

COMMENT ON TABLE inventory.inventory_warehouses IS 'Stock locations. Every level and ledger row belongs to one warehouse.';

COMMENT ON COLUMN inventory.inventory_warehouses.id IS 'Warehouse id, used by every level and event.';

COMMENT ON COLUMN inventory.inventory_warehouses.code IS 'Short unique code, e.g. NYC-1: 1 to 32 letters, digits, "_", "." or "-".';

COMMENT ON COLUMN inventory.inventory_warehouses.name IS 'Display name, 1 to 200 characters.';

COMMENT ON COLUMN inventory.inventory_warehouses.country IS 'ISO 3166-1 alpha-2 country the warehouse stands in, e.g. US.';

COMMENT ON COLUMN inventory.inventory_warehouses.created_at IS 'When the warehouse was added.';

ALTER SEQUENCE inventory.inventory_warehouses_id_seq OWNED BY inventory.inventory_warehouses.id;

ALTER TABLE ONLY inventory.inventory_warehouses ALTER COLUMN id SET DEFAULT nextval('inventory.inventory_warehouses_id_seq'::regclass);

GRANT SELECT ON TABLE inventory.inventory_warehouses TO inventory_reader;

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_warehouses', '');

CREATE TABLE inventory.inventory_warehouse_countries (
    warehouse_id integer NOT NULL,
    country text NOT NULL,
    priority integer DEFAULT 100 NOT NULL,
    CONSTRAINT inventory_warehouse_countries_country_check CHECK ((country ~ '^[A-Z]{2}$'::text)),
    CONSTRAINT inventory_warehouse_countries_priority_check CHECK ((priority >= 0)),
    CONSTRAINT inventory_warehouse_countries_pkey PRIMARY KEY (warehouse_id, country)
);

COMMENT ON TABLE inventory.inventory_warehouse_countries IS 'Which ship-to countries each warehouse serves; a new warehouse serves its own country. Change it with inventory_serve_country() and inventory_stop_serving_country().';

COMMENT ON COLUMN inventory.inventory_warehouse_countries.warehouse_id IS 'The warehouse that ships there.';

COMMENT ON COLUMN inventory.inventory_warehouse_countries.country IS 'ISO 3166-1 alpha-2 ship-to country, e.g. US.';

COMMENT ON COLUMN inventory.inventory_warehouse_countries.priority IS 'Lower is preferred when an order is allocated by priority (ties: lower warehouse id).';

GRANT SELECT ON TABLE inventory.inventory_warehouse_countries TO inventory_reader;

CREATE INDEX inventory_warehouse_countries_country_idx ON inventory.inventory_warehouse_countries USING btree (country, priority, warehouse_id);

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_warehouse_countries', '');

CREATE FUNCTION inventory.inventory_create_warehouse(code text, name text, country text, id integer DEFAULT NULL::integer) RETURNS integer
    LANGUAGE c SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_create_warehouse';

COMMENT ON FUNCTION inventory.inventory_create_warehouse(code text, name text, country text, id integer) IS 'Adds a warehouse, serving its own country, and returns its id.';

REVOKE ALL ON FUNCTION inventory.inventory_create_warehouse(code text, name text, country text, id integer) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_create_warehouse(code text, name text, country text, id integer) TO inventory_admin;

CREATE FUNCTION inventory.inventory_serve_country(warehouse_id integer, country text, priority integer DEFAULT 100) RETURNS void
    LANGUAGE c SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_serve_country';

COMMENT ON FUNCTION inventory.inventory_serve_country(warehouse_id integer, country text, priority integer) IS 'Lets a warehouse ship to a country, at a priority (lower is preferred); sets the priority when it already serves it.';

REVOKE ALL ON FUNCTION inventory.inventory_serve_country(warehouse_id integer, country text, priority integer) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_serve_country(warehouse_id integer, country text, priority integer) TO inventory_admin;

CREATE FUNCTION inventory.inventory_stop_serving_country(warehouse_id integer, country text) RETURNS boolean
    LANGUAGE c SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_stop_serving_country';

COMMENT ON FUNCTION inventory.inventory_stop_serving_country(warehouse_id integer, country text) IS 'The warehouse no longer ships to the country; false when it did not.';

REVOKE ALL ON FUNCTION inventory.inventory_stop_serving_country(warehouse_id integer, country text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_stop_serving_country(warehouse_id integer, country text) TO inventory_admin;

CREATE FUNCTION inventory.inventory_warehouse_guard_trigger() RETURNS trigger
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_warehouse_guard_trigger';

COMMENT ON FUNCTION inventory.inventory_warehouse_guard_trigger() IS 'BEFORE UPDATE OR DELETE on inventory_warehouses: a warehouse with levels, ledger rows, incoming transfers, purchase orders or orders keeps its id and cannot be deleted (SQLSTATE 23503); the countries it serves follow it.';

REVOKE ALL ON FUNCTION inventory.inventory_warehouse_guard_trigger() FROM PUBLIC;

CREATE TRIGGER inventory_warehouse_guard BEFORE DELETE OR UPDATE OF id ON inventory.inventory_warehouses FOR EACH ROW EXECUTE FUNCTION inventory.inventory_warehouse_guard_trigger();

COMMENT ON TRIGGER inventory_warehouse_guard ON inventory.inventory_warehouses IS 'Warehouses that hold stock records stay.';

-- src/sql/policies.sql
-- inventory: Selling policy per SKU: safety stock and backorders; the levels keep copies of it.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE TABLE inventory.inventory_sku_policies (
    sku text NOT NULL,
    allow_backorder boolean DEFAULT false NOT NULL,
    backorder_limit bigint,
    safety_stock bigint DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT inventory_sku_policies_backorder_limit_check CHECK ((backorder_limit >= 0)),
    CONSTRAINT inventory_sku_policies_limit_needs_backorder CHECK (((backorder_limit IS NULL) OR allow_backorder)),
    CONSTRAINT inventory_sku_policies_safety_stock_check CHECK ((safety_stock >= 0)),
    CONSTRAINT inventory_sku_policies_sku_check CHECK (((char_length(sku) >= 1) AND (char_length(sku) <= 255))),
    CONSTRAINT inventory_sku_policies_pkey PRIMARY KEY (sku)
);

COMMENT ON TABLE inventory.inventory_sku_policies IS 'Selling policy per SKU; a SKU without a row has no safety stock and no backorders. Change it with inventory_set_sku_policy(), which also refreshes the levels.';

COMMENT ON COLUMN inventory.inventory_sku_policies.sku IS 'The SKU the policy applies to.';

COMMENT ON COLUMN inventory.inventory_sku_policies.allow_backorder IS 'When true, ALLOCATE may reserve more than is available; available_to_sell then goes negative.';

COMMENT ON COLUMN inventory.inventory_sku_policies.backorder_limit IS 'With backorders: at most this many units beyond available_to_sell; NULL means no limit.';

COMMENT ON COLUMN inventory.inventory_sku_policies.safety_stock IS 'Units per warehouse held back from available_to_sell (never from on_hand).';

COMMENT ON COLUMN inventory.inventory_sku_policies.updated_at IS 'When the policy last changed.';

GRANT SELECT ON TABLE inventory.inventory_sku_policies TO inventory_reader;

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_sku_policies', '');

CREATE FUNCTION inventory.inventory_set_sku_policy(sku text, allow_backorder boolean DEFAULT false, safety_stock bigint DEFAULT 0, backorder_limit bigint DEFAULT NULL::bigint) RETURNS inventory.inventory_sku_policies
    LANGUAGE c SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_set_sku_policy';

COMMENT ON FUNCTION inventory.inventory_set_sku_policy(sku text, allow_backorder boolean, safety_stock bigint, backorder_limit bigint) IS 'Sets a SKU''s safety stock and backorder policy and recomputes its levels'' available_to_sell. Refuses (IV011) to forbid backorders while a level of the SKU is backordered; a SKU the ledger refuses is IV009, a negative safety_stock or backorder_limit, or a limit without backorders, 22023.';

REVOKE ALL ON FUNCTION inventory.inventory_set_sku_policy(sku text, allow_backorder boolean, safety_stock bigint, backorder_limit bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_set_sku_policy(sku text, allow_backorder boolean, safety_stock bigint, backorder_limit bigint) TO inventory_admin;

CREATE FUNCTION inventory.inventory_sku_policy_trigger() RETURNS trigger
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_sku_policy_trigger';

COMMENT ON FUNCTION inventory.inventory_sku_policy_trigger() IS 'AFTER INSERT/UPDATE/DELETE on inventory_sku_policies: recomputes available_to_sell of the SKU''s levels under the new policy, refusing a policy the current levels break.';

REVOKE ALL ON FUNCTION inventory.inventory_sku_policy_trigger() FROM PUBLIC;

CREATE TRIGGER inventory_sku_policy_refresh AFTER INSERT OR DELETE OR UPDATE ON inventory.inventory_sku_policies FOR EACH ROW EXECUTE FUNCTION inventory.inventory_sku_policy_trigger();

ALTER TABLE inventory.inventory_sku_policies ENABLE ALWAYS TRIGGER inventory_sku_policy_refresh;

COMMENT ON TRIGGER inventory_sku_policy_refresh ON inventory.inventory_sku_policies IS 'Keeps the policy copies and available_to_sell in inventory_levels current.';

-- src/sql/ledger.sql
-- inventory: The ledger: every stock change as an immutable event, and the trigger that applies rows written by hand or restored.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE TABLE inventory.inventory_ledger (
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
    CONSTRAINT inventory_ledger_pkey PRIMARY KEY (id)
);

COMMENT ON TABLE inventory.inventory_ledger IS 'Every stock change as an immutable event. UPDATE, DELETE and TRUNCATE are refused; fix a mistake with a compensating event. Levels are the running sum of this table.';

COMMENT ON COLUMN inventory.inventory_ledger.id IS 'UUIDv7: time-ordered event id.';

COMMENT ON COLUMN inventory.inventory_ledger.sku IS 'The stock-keeping unit.';

COMMENT ON COLUMN inventory.inventory_ledger.warehouse_id IS 'The warehouse whose level the event changed.';

COMMENT ON COLUMN inventory.inventory_ledger.event_type IS 'RECEIVE, ALLOCATE, DEALLOCATE, FULFILL, RETURN, ADJUST, COUNT, TRANSFER_OUT or TRANSFER_IN.';

COMMENT ON COLUMN inventory.inventory_ledger.quantity IS 'As given: a positive magnitude, the signed change for ADJUST, the counted units for COUNT.';

COMMENT ON COLUMN inventory.inventory_ledger.on_hand_change IS 'Signed change of on_hand.';

COMMENT ON COLUMN inventory.inventory_ledger.reserved_change IS 'Signed change of reserved.';

COMMENT ON COLUMN inventory.inventory_ledger.on_hand_after IS 'on_hand of the level after this event.';

COMMENT ON COLUMN inventory.inventory_ledger.reserved_after IS 'reserved of the level after this event.';

COMMENT ON COLUMN inventory.inventory_ledger.available_after IS 'available_to_sell of the level after this event.';

COMMENT ON COLUMN inventory.inventory_ledger.level_version IS 'Position of this event in its level''s history (1, 2, ...): the order it was applied in.';

COMMENT ON COLUMN inventory.inventory_ledger.reference_id IS 'Caller''s reference, e.g. an order line.';

COMMENT ON COLUMN inventory.inventory_ledger.idempotency_key IS 'Unique: a retried request with the same key and payload returns this event instead of a new one.';

COMMENT ON COLUMN inventory.inventory_ledger.reason IS 'RETURN: RESTOCK or DAMAGED. ADJUST: DAMAGED, SHRINKAGE, THEFT, CORRECTION, OFFLINE_SALE, EXPIRED, FOUND, SAMPLE or OTHER. Other events: free text.';

COMMENT ON COLUMN inventory.inventory_ledger.metadata IS 'Caller''s JSON object, stored as given.';

COMMENT ON COLUMN inventory.inventory_ledger.related_event_id IS 'TRANSFER_IN: the id of its TRANSFER_OUT.';

COMMENT ON COLUMN inventory.inventory_ledger.actor IS 'The role that acted: the current user of the code that called the extension, as PostgreSQL''s own privilege checks see it (inside a SECURITY DEFINER function: its owner).';

COMMENT ON COLUMN inventory.inventory_ledger.created_at IS 'When the event was written (clock_timestamp(), under its level''s row lock): increases along each level''s history.';

COMMENT ON COLUMN inventory.inventory_ledger.expires_at IS 'ALLOCATE with a reference_id: when the reservation''s hold ends (NULL: it does not expire).';

COMMENT ON COLUMN inventory.inventory_ledger.transaction_id IS 'Top-level transaction that appended the row (pg_current_xact_id()); the change feed (inventory_level_changes) compares it with snapshots. NULL for rows appended before 0.3.1.';

COMMENT ON COLUMN inventory.inventory_ledger.login IS 'The login that authenticated the session (not changed by SET ROLE or SET SESSION AUTHORIZATION); NULL for rows written before 0.3.1.';

GRANT SELECT ON TABLE inventory.inventory_ledger TO inventory_reader;

CREATE INDEX inventory_ledger_history_idx ON inventory.inventory_ledger USING btree (sku, warehouse_id, created_at, level_version) INCLUDE (on_hand_after, reserved_after, available_after);

CREATE UNIQUE INDEX inventory_ledger_idempotency_key_key ON inventory.inventory_ledger USING btree (idempotency_key);

CREATE UNIQUE INDEX inventory_ledger_level_version_key ON inventory.inventory_ledger USING btree (sku, warehouse_id, level_version);

CREATE INDEX inventory_ledger_reference_id_idx ON inventory.inventory_ledger USING btree (reference_id) WHERE (reference_id IS NOT NULL);

CREATE INDEX inventory_ledger_related_event_id_idx ON inventory.inventory_ledger USING btree (related_event_id) WHERE (related_event_id IS NOT NULL);

CREATE INDEX inventory_ledger_transaction_id_idx ON inventory.inventory_ledger USING btree (transaction_id) WHERE (transaction_id IS NOT NULL);

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_ledger', '');

CREATE FUNCTION inventory.inventory_ledger_apply_trigger() RETURNS trigger
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_ledger_apply_trigger';

COMMENT ON FUNCTION inventory.inventory_ledger_apply_trigger() IS 'BEFORE INSERT on inventory_ledger: lets through the rows of the event engine''s own INSERT (it has applied them). A row inserted directly is validated, its level locked (created if missing), its changes and after-values computed, and inventory_levels and inventory_reservations updated. A row that arrives with its computed columns filled (a restore) is checked and sets the level to its after-values instead.';

REVOKE ALL ON FUNCTION inventory.inventory_ledger_apply_trigger() FROM PUBLIC;

CREATE FUNCTION inventory.inventory_ledger_immutable_trigger() RETURNS trigger
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_ledger_immutable_trigger';

COMMENT ON FUNCTION inventory.inventory_ledger_immutable_trigger() IS 'Refuses UPDATE, DELETE and TRUNCATE of inventory_ledger (SQLSTATE IV008).';

REVOKE ALL ON FUNCTION inventory.inventory_ledger_immutable_trigger() FROM PUBLIC;

CREATE FUNCTION inventory.inventory_verify_data() RETURNS TABLE(kind text, sku text, warehouse_id integer, event_id uuid, problem text)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  WITH skus AS (
    SELECT g.sku, g.warehouse_id FROM inventory.inventory_ledger g
    UNION SELECT l.sku, l.warehouse_id FROM inventory.inventory_levels l
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

CREATE TRIGGER inventory_ledger_apply BEFORE INSERT ON inventory.inventory_ledger FOR EACH ROW EXECUTE FUNCTION inventory.inventory_ledger_apply_trigger();

ALTER TABLE inventory.inventory_ledger ENABLE ALWAYS TRIGGER inventory_ledger_apply;

COMMENT ON TRIGGER inventory_ledger_apply ON inventory.inventory_ledger IS 'Keeps inventory_levels equal to the ledger for every appended row, whatever the path.';

CREATE TRIGGER inventory_ledger_immutable_row BEFORE DELETE OR UPDATE ON inventory.inventory_ledger FOR EACH ROW EXECUTE FUNCTION inventory.inventory_ledger_immutable_trigger();

ALTER TABLE inventory.inventory_ledger ENABLE ALWAYS TRIGGER inventory_ledger_immutable_row;

COMMENT ON TRIGGER inventory_ledger_immutable_row ON inventory.inventory_ledger IS 'The ledger is append-only.';

CREATE TRIGGER inventory_ledger_immutable_truncate BEFORE TRUNCATE ON inventory.inventory_ledger FOR EACH STATEMENT EXECUTE FUNCTION inventory.inventory_ledger_immutable_trigger();

ALTER TABLE inventory.inventory_ledger ENABLE ALWAYS TRIGGER inventory_ledger_immutable_truncate;

COMMENT ON TRIGGER inventory_ledger_immutable_truncate ON inventory.inventory_ledger IS 'The ledger is append-only.';

-- src/sql/levels.sql
-- inventory: Levels: on-hand, reserved and available-to-sell per SKU and warehouse, kept equal to the ledger; creating, verifying and rebuilding them.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE TABLE inventory.inventory_levels (
    sku text NOT NULL,
    warehouse_id integer NOT NULL,
    on_hand bigint DEFAULT 0 NOT NULL,
    reserved bigint DEFAULT 0 NOT NULL,
    available_to_sell bigint DEFAULT 0 NOT NULL,
    safety_stock bigint DEFAULT 0 NOT NULL,
    allow_backorder boolean DEFAULT false NOT NULL,
    backorder_limit bigint,
    version bigint DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT inventory_levels_available_check CHECK (((available_to_sell >= 0) OR allow_backorder)),
    CONSTRAINT inventory_levels_backorder_limit_check CHECK ((available_to_sell >= (- backorder_limit))),
    CONSTRAINT inventory_levels_covered_check CHECK (((on_hand >= reserved) OR allow_backorder)),
    CONSTRAINT inventory_levels_on_hand_check CHECK ((on_hand >= 0)),
    CONSTRAINT inventory_levels_reserved_check CHECK ((reserved >= 0)),
    CONSTRAINT inventory_levels_pkey PRIMARY KEY (sku, warehouse_id)
);

COMMENT ON TABLE inventory.inventory_levels IS 'Current stock per SKU per warehouse, written in the same transaction as each ledger row (by the event engine, or by the ledger trigger for a row inserted directly); never write it directly.';

COMMENT ON COLUMN inventory.inventory_levels.sku IS 'The stock-keeping unit.';

COMMENT ON COLUMN inventory.inventory_levels.warehouse_id IS 'The warehouse (inventory_warehouses.id).';

COMMENT ON COLUMN inventory.inventory_levels.on_hand IS 'Physical, sellable units on the shelf.';

COMMENT ON COLUMN inventory.inventory_levels.reserved IS 'Units bought but not yet shipped.';

COMMENT ON COLUMN inventory.inventory_levels.available_to_sell IS 'on_hand - reserved - safety_stock, never below 0 unless backordered (then on_hand - reserved).';

COMMENT ON COLUMN inventory.inventory_levels.safety_stock IS 'Copy of the SKU''s policy, taken when the level is created and updated by the policy trigger, so that the CHECK constraints can see it.';

COMMENT ON COLUMN inventory.inventory_levels.allow_backorder IS 'Copy of the SKU''s policy, taken when the level is created and updated by the policy trigger, so that the CHECK constraints can see it.';

COMMENT ON COLUMN inventory.inventory_levels.backorder_limit IS 'Copy of the SKU''s policy, taken when the level is created and updated by the policy trigger, so that the CHECK constraints can see it.';

COMMENT ON COLUMN inventory.inventory_levels.version IS 'Number of ledger events applied to this level; equals level_version of its last ledger row.';

COMMENT ON COLUMN inventory.inventory_levels.updated_at IS 'When the level last changed.';

GRANT SELECT ON TABLE inventory.inventory_levels TO inventory_reader;

CREATE FUNCTION inventory.inventory_create_levels(skus text[], warehouse_ids integer[]) RETURNS void
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_create_levels';

COMMENT ON FUNCTION inventory.inventory_create_levels(skus text[], warehouse_ids integer[]) IS 'Internal, granted to no role (the owner''s tool to prepare levels): creates the levels (skus[i], warehouse_ids[i]) that do not exist yet, empty, with the copies of their SKU''s policy, as the event engine does: ROW EXCLUSIVE on the ledger first, then the SKUs'' advisory locks (only when a level is missing), then the policies read after them; 40001 under REPEATABLE READ or SERIALIZABLE when a policy changed after the snapshot; IV003 for an unknown warehouse. The caller validates the SKUs.';

REVOKE ALL ON FUNCTION inventory.inventory_create_levels(skus text[], warehouse_ids integer[]) FROM PUBLIC;

CREATE FUNCTION inventory.inventory_rebuild_levels() RETURNS bigint
    LANGUAGE c SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_rebuild_levels';

COMMENT ON FUNCTION inventory.inventory_rebuild_levels() IS 'Recomputes every level from the ledger and its policy copies from inventory_sku_policies in one set-based pass, holding off new events and policy changes meanwhile (SHARE on the ledger, then on the policies, then the levels), and returns how many levels it changed (0 when they were already true). A level no event touched yet (version 0, empty) is kept.';

REVOKE ALL ON FUNCTION inventory.inventory_rebuild_levels() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_rebuild_levels() TO inventory_admin;

CREATE FUNCTION inventory.inventory_verify() RETURNS TABLE(sku text, warehouse_id integer, level_on_hand bigint, ledger_on_hand bigint, level_reserved bigint, ledger_reserved bigint, level_version bigint, ledger_events bigint, level_available_to_sell bigint, expected_available_to_sell bigint, problem text)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
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
                ELSE greatest(l.on_hand - l.reserved - coalesce(p.safety_stock, 0), 0)
           END AS expected_available,
           l.sku IS NULL AS no_level,
           s.sku IS NULL AS no_ledger,
           -- A level no event touched yet (an order creates them): empty, version 0.
           l.version = 0 AND l.on_hand = 0 AND l.reserved = 0 AS untouched,
           p.sku IS NOT NULL AS has_policy,
           (l.safety_stock, l.allow_backorder, l.backorder_limit)
             IS DISTINCT FROM (coalesce(p.safety_stock, 0), coalesce(p.allow_backorder, false),
                               p.backorder_limit) AS policy_differs
      FROM inventory.inventory_levels l
      FULL JOIN sums s ON s.sku = l.sku AND s.warehouse_id = l.warehouse_id
      LEFT JOIN inventory.inventory_sku_policies p ON p.sku = coalesce(l.sku, s.sku)),
  found AS (
    SELECT c.*, array_remove(ARRAY[
             CASE WHEN c.no_level THEN 'ledger rows without a level' END,
             CASE WHEN c.no_ledger AND NOT c.no_level AND NOT c.untouched
                  THEN 'level without ledger rows' END,
             CASE WHEN NOT c.no_level AND NOT c.no_ledger AND c.ledger_on_hand IS DISTINCT FROM c.level_on_hand
                  THEN 'on_hand differs from the ledger' END,
             CASE WHEN NOT c.no_level AND NOT c.no_ledger AND c.ledger_reserved IS DISTINCT FROM c.level_reserved
                  THEN 'reserved differs from the ledger' END,
             CASE WHEN NOT c.no_level AND NOT c.no_ledger AND c.ledger_events IS DISTINCT FROM c.level_version
                  THEN 'version differs from the number of ledger events' END,
             CASE WHEN NOT c.no_level AND c.level_available IS DISTINCT FROM c.expected_available
                  THEN 'available_to_sell does not follow from on_hand, reserved and safety_stock' END,
             CASE WHEN NOT c.no_level AND c.policy_differs
                  THEN CASE WHEN c.has_policy THEN 'policy copies differ from inventory_sku_policies'
                            ELSE 'policy copies differ from the defaults (no policy row)' END END,
             CASE WHEN c.ledger_on_hand NOT BETWEEN -9223372036854775808 AND 9223372036854775807
                    OR c.ledger_reserved NOT BETWEEN -9223372036854775808 AND 9223372036854775807
                  THEN 'ledger sum outside the bigint range' END], NULL) AS problems
      FROM checked c)
  SELECT f.sku, f.warehouse_id, f.level_on_hand,
         CASE WHEN f.ledger_on_hand BETWEEN -9223372036854775808 AND 9223372036854775807
              THEN f.ledger_on_hand::bigint END,
         f.level_reserved,
         CASE WHEN f.ledger_reserved BETWEEN -9223372036854775808 AND 9223372036854775807
              THEN f.ledger_reserved::bigint END,
         f.level_version, f.ledger_events, f.level_available, f.expected_available,
         array_to_string(f.problems, '; ')
    FROM found f
   WHERE cardinality(f.problems) > 0
   ORDER BY 1, 2;
$$;

COMMENT ON FUNCTION inventory.inventory_verify() IS 'Every (sku, warehouse) whose level differs from the sum of its ledger rows, whose available_to_sell does not follow from its on_hand, reserved and the SKU''s safety stock, or whose policy copies differ from inventory_sku_policies (the defaults without a row), with what is wrong in problem; empty when the levels are true. A level no event touched yet (version 0, empty, no ledger rows) is consistent. One set-based pass with plain reads: it waits for no lock.';

REVOKE ALL ON FUNCTION inventory.inventory_verify() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_verify() TO inventory_reader;

-- src/sql/reservations.sql
-- inventory: Reservations per order line (ALLOCATE with a reference_id), and the expiry of their holds.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE TABLE inventory.inventory_reservations (
    reference_id text NOT NULL,
    sku text NOT NULL,
    warehouse_id integer NOT NULL,
    order_ref text,
    quantity bigint NOT NULL,
    fulfilled bigint DEFAULT 0 NOT NULL,
    released bigint DEFAULT 0 NOT NULL,
    held bigint GENERATED ALWAYS AS (((quantity - fulfilled) - released)) STORED,
    expires_at timestamp with time zone,
    status text DEFAULT 'ACTIVE'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT inventory_reservations_fulfilled_check CHECK ((fulfilled >= 0)),
    CONSTRAINT inventory_reservations_held_check CHECK (((fulfilled + released) <= quantity)),
    CONSTRAINT inventory_reservations_quantity_check CHECK ((quantity > 0)),
    CONSTRAINT inventory_reservations_released_check CHECK ((released >= 0)),
    CONSTRAINT inventory_reservations_status_check CHECK (((status = ANY (ARRAY['ACTIVE'::text, 'FULFILLED'::text, 'RELEASED'::text, 'EXPIRED'::text])) AND ((status = 'ACTIVE'::text) = ((fulfilled + released) < quantity)))),
    CONSTRAINT inventory_reservations_pkey PRIMARY KEY (reference_id, sku, warehouse_id)
);

COMMENT ON TABLE inventory.inventory_reservations IS 'What each order line holds per SKU and warehouse: created by ALLOCATE with a reference_id, consumed by FULFILL and DEALLOCATE naming it, in the same transaction as their ledger rows. Never write it directly.';

COMMENT ON COLUMN inventory.inventory_reservations.reference_id IS 'The ALLOCATE''s reference_id, e.g. ORDER-1001/1 (order and line).';

COMMENT ON COLUMN inventory.inventory_reservations.sku IS 'The SKU reserved.';

COMMENT ON COLUMN inventory.inventory_reservations.warehouse_id IS 'The warehouse the units are held in.';

COMMENT ON COLUMN inventory.inventory_reservations.order_ref IS 'The order, when inventory_allocate_order() made the reservation.';

COMMENT ON COLUMN inventory.inventory_reservations.quantity IS 'Units allocated in total.';

COMMENT ON COLUMN inventory.inventory_reservations.fulfilled IS 'Units shipped from it.';

COMMENT ON COLUMN inventory.inventory_reservations.released IS 'Units given back by DEALLOCATE (cancelled or expired).';

COMMENT ON COLUMN inventory.inventory_reservations.held IS 'Units it still holds: quantity - fulfilled - released.';

COMMENT ON COLUMN inventory.inventory_reservations.expires_at IS 'When the hold ends: after it FULFILL is refused (IV014) and inventory_expire_reservations() releases what is held.';

COMMENT ON COLUMN inventory.inventory_reservations.status IS 'ACTIVE while it holds units; then FULFILLED (something shipped), RELEASED (nothing shipped) or EXPIRED (released by expiry).';

COMMENT ON COLUMN inventory.inventory_reservations.created_at IS 'When the first ALLOCATE made it.';

COMMENT ON COLUMN inventory.inventory_reservations.updated_at IS 'When an event last changed it.';

GRANT SELECT ON TABLE inventory.inventory_reservations TO inventory_reader;

CREATE INDEX inventory_reservations_active_idx ON inventory.inventory_reservations USING btree (sku, warehouse_id) WHERE (status = 'ACTIVE'::text);

CREATE INDEX inventory_reservations_expiry_idx ON inventory.inventory_reservations USING btree (expires_at) WHERE (status = 'ACTIVE'::text);

CREATE INDEX inventory_reservations_order_idx ON inventory.inventory_reservations USING btree (order_ref) WHERE (order_ref IS NOT NULL);

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_reservations', '');

CREATE FUNCTION inventory.inventory_expire_reservations(max_reservations integer DEFAULT 1000, skip_locked boolean DEFAULT false) RETURNS TABLE(reference_id text, sku text, warehouse_id integer, released bigint, event_id uuid)
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_expire_reservations';

COMMENT ON FUNCTION inventory.inventory_expire_reservations(max_reservations integer, skip_locked boolean) IS 'Releases what expired reservations still hold (at most max_reservations per call) with a DEALLOCATE event of reason EXPIRED, and returns one row per release. Runs in the caller''s transaction and keeps every level it locked until that ends; skip_locked => true passes over levels other transactions hold (left for the next run) instead of waiting. Safe to run concurrently and repeatedly: a reservation is released once. For pg_cron use the procedure inventory_expire_reservations_in_batches(), which commits after each batch.';

REVOKE ALL ON FUNCTION inventory.inventory_expire_reservations(max_reservations integer, skip_locked boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_expire_reservations(max_reservations integer, skip_locked boolean) TO inventory_app;

CREATE FUNCTION inventory.inventory_verify_reservations() RETURNS TABLE(reference_id text, sku text, warehouse_id integer, problem text)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  WITH sums AS (
    SELECT g.reference_id, g.sku, g.warehouse_id,
           coalesce(sum(g.quantity) FILTER (WHERE g.event_type = 'ALLOCATE'), 0) AS allocated,
           coalesce(sum(g.quantity) FILTER (WHERE g.event_type = 'FULFILL'), 0) AS fulfilled,
           coalesce(sum(g.quantity) FILTER (WHERE g.event_type = 'DEALLOCATE'), 0) AS released
      FROM inventory.inventory_ledger g
     WHERE g.reference_id IS NOT NULL AND g.event_type IN ('ALLOCATE', 'FULFILL', 'DEALLOCATE')
     GROUP BY 1, 2, 3)
  SELECT r.reference_id, r.sku, r.warehouse_id,
         format('reservation says %s/%s/%s allocated/fulfilled/released, ledger %s/%s/%s',
                r.quantity, r.fulfilled, r.released, coalesce(s.allocated, 0),
                coalesce(s.fulfilled, 0), coalesce(s.released, 0))
    FROM inventory.inventory_reservations r
    LEFT JOIN sums s ON s.reference_id = r.reference_id AND s.sku = r.sku
                    AND s.warehouse_id = r.warehouse_id
   WHERE (r.quantity, r.fulfilled, r.released)
         IS DISTINCT FROM (s.allocated, s.fulfilled, s.released)
  UNION ALL
  SELECT NULL, h.sku, h.warehouse_id,
         format('reservations hold %s units, the level has %s reserved', h.held,
                coalesce(l.reserved, 0))
    FROM (SELECT r.sku, r.warehouse_id, sum(r.held) AS held
            FROM inventory.inventory_reservations r
           WHERE r.status = 'ACTIVE'
           GROUP BY 1, 2) h
    LEFT JOIN inventory.inventory_levels l ON l.sku = h.sku AND l.warehouse_id = h.warehouse_id
   WHERE h.held > coalesce(l.reserved, 0)
  ORDER BY 2, 3, 1;
$$;

COMMENT ON FUNCTION inventory.inventory_verify_reservations() IS 'Reservations whose allocated, fulfilled or released units differ from the ledger events that name them, and levels whose reservations hold more than is reserved; empty when true.';

REVOKE ALL ON FUNCTION inventory.inventory_verify_reservations() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_verify_reservations() TO inventory_reader;

CREATE PROCEDURE inventory.inventory_expire_reservations_in_batches(IN batch_size integer DEFAULT 100, IN max_batches integer DEFAULT 100)
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'inventory_expire_reservations_in_batches';

COMMENT ON PROCEDURE inventory.inventory_expire_reservations_in_batches(IN batch_size integer, IN max_batches integer) IS 'Releases expired reservations like inventory_expire_reservations(), batch_size at a time, committing after each batch (at most max_batches), so no level stays locked longer than one batch; reservations whose level another transaction holds are left for the next run. CALL it outside a transaction block, e.g. from pg_cron: CALL inventory.inventory_expire_reservations_in_batches();';

REVOKE ALL ON PROCEDURE inventory.inventory_expire_reservations_in_batches(IN batch_size integer, IN max_batches integer) FROM PUBLIC;
GRANT ALL ON PROCEDURE inventory.inventory_expire_reservations_in_batches(IN batch_size integer, IN max_batches integer) TO inventory_app;

-- src/sql/orders.sql
-- inventory: Orders: allocation across the warehouses that serve a ship-to country (or a fixed one), and release.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE TABLE inventory.inventory_orders (
    order_ref text NOT NULL,
    ship_to text,
    warehouse_id integer,
    strategy text NOT NULL,
    allow_split boolean NOT NULL,
    expires_at timestamp with time zone,
    lines jsonb NOT NULL,
    metadata jsonb,
    allocation jsonb,
    actor text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    login text DEFAULT inventory.inventory_login(),
    CONSTRAINT inventory_orders_destination_check CHECK (((ship_to IS NULL) <> (warehouse_id IS NULL))),
    CONSTRAINT inventory_orders_order_ref_check CHECK (((char_length(order_ref) >= 1) AND (char_length(order_ref) <= 200))),
    CONSTRAINT inventory_orders_ship_to_check CHECK ((ship_to ~ '^[A-Z]{2}$'::text)),
    CONSTRAINT inventory_orders_strategy_check CHECK ((strategy = ANY (ARRAY['PRIORITY'::text, 'MOST_STOCK'::text]))),
    CONSTRAINT inventory_orders_pkey PRIMARY KEY (order_ref)
);

COMMENT ON TABLE inventory.inventory_orders IS 'Orders allocated with inventory_allocate_order(): the request as given and where each unit was reserved. The order_ref makes the call idempotent.';

COMMENT ON COLUMN inventory.inventory_orders.order_ref IS 'The order''s reference; unique, 1 to 200 characters.';

COMMENT ON COLUMN inventory.inventory_orders.ship_to IS 'Ship-to country, when the warehouses were chosen by it.';

COMMENT ON COLUMN inventory.inventory_orders.warehouse_id IS 'The fixed warehouse, when one was given.';

COMMENT ON COLUMN inventory.inventory_orders.strategy IS 'PRIORITY or MOST_STOCK.';

COMMENT ON COLUMN inventory.inventory_orders.allow_split IS 'Whether a line could come from several warehouses.';

COMMENT ON COLUMN inventory.inventory_orders.expires_at IS 'When the order''s holds end (NULL: never).';

COMMENT ON COLUMN inventory.inventory_orders.lines IS 'The lines as requested: [{"line", "sku", "quantity"}].';

COMMENT ON COLUMN inventory.inventory_orders.metadata IS 'Caller''s JSON object, also stored on each ALLOCATE.';

COMMENT ON COLUMN inventory.inventory_orders.allocation IS 'Where each line was reserved: [{"line", "sku", "warehouse_id", "quantity", "reference_id", "event_id"}].';

COMMENT ON COLUMN inventory.inventory_orders.actor IS 'The role that allocated the order, as inventory_ledger.actor records it.';

COMMENT ON COLUMN inventory.inventory_orders.created_at IS 'When the order was allocated.';

COMMENT ON COLUMN inventory.inventory_orders.login IS 'The login that allocated the order, as inventory_ledger.login records it; NULL for orders allocated before 0.3.1.';

GRANT SELECT ON TABLE inventory.inventory_orders TO inventory_reader;

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_orders', '');

CREATE FUNCTION inventory.inventory_allocate_order(order_ref text, lines jsonb, ship_to text DEFAULT NULL::text, fixed_warehouse_id integer DEFAULT NULL::integer, expires_at timestamp with time zone DEFAULT NULL::timestamp with time zone, allow_split boolean DEFAULT false, strategy text DEFAULT 'PRIORITY'::text, metadata jsonb DEFAULT NULL::jsonb, on_shortage text DEFAULT 'error'::text) RETURNS TABLE(line text, sku text, warehouse_id integer, quantity bigint, reference_id text, event_id uuid, replayed boolean, requested bigint, available bigint, shortage bigint)
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_allocate_order';

COMMENT ON FUNCTION inventory.inventory_allocate_order(order_ref text, lines jsonb, ship_to text, fixed_warehouse_id integer, expires_at timestamp with time zone, allow_split boolean, strategy text, metadata jsonb, on_shortage text) IS 'Reserves every line of an order or none: lines [{"line", "sku", "quantity"}] (at most 1000, else 54000), in one fixed warehouse or among the warehouses that serve ship_to, by PRIORITY (serving priority, then most stock, then id) or MOST_STOCK (most stock, then priority, then id); with allow_split a line may come from several warehouses. Each reservation''s reference_id is order_ref/line. Returns where each unit was reserved; a retry with the same order_ref and request returns the first result (replayed = true). When stock is short, on_shortage => ''error'' raises IV001; ''report'' reserves nothing and returns one row per short line with requested, available (what the line could get) and shortage.';

REVOKE ALL ON FUNCTION inventory.inventory_allocate_order(order_ref text, lines jsonb, ship_to text, fixed_warehouse_id integer, expires_at timestamp with time zone, allow_split boolean, strategy text, metadata jsonb, on_shortage text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_allocate_order(order_ref text, lines jsonb, ship_to text, fixed_warehouse_id integer, expires_at timestamp with time zone, allow_split boolean, strategy text, metadata jsonb, on_shortage text) TO inventory_app;

CREATE FUNCTION inventory.inventory_release_order(order_ref text, reason text DEFAULT 'CANCELLED'::text) RETURNS TABLE(reference_id text, sku text, warehouse_id integer, released bigint, event_id uuid)
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_release_order';

COMMENT ON FUNCTION inventory.inventory_release_order(order_ref text, reason text) IS 'Releases everything an order''s reservations still hold (DEALLOCATE events with the given reason) and returns one row per release; a second call releases nothing.';

REVOKE ALL ON FUNCTION inventory.inventory_release_order(order_ref text, reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_release_order(order_ref text, reason text) TO inventory_app;


-- src/sql/transfers.sql
-- inventory: Transfers between warehouses: instant, or dispatched with the units in transit until received.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE TABLE inventory.inventory_transfers (
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

CREATE INDEX inventory_transfers_in_transit_idx ON inventory.inventory_transfers USING btree (sku, to_warehouse_id) WHERE (status = 'IN_TRANSIT'::text);

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_transfers', '');

CREATE FUNCTION inventory.inventory_dispatch_transfer(transfer_ref text, sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reason text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, OUT out_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT in_transit bigint) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_dispatch_transfer';

CREATE FUNCTION inventory.inventory_receive_transfer(transfer_ref text, sku text, quantity bigint DEFAULT NULL::bigint, idempotency_key text DEFAULT NULL::text, reason text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, OUT in_event_id uuid, OUT replayed boolean, OUT to_on_hand bigint, OUT to_available_to_sell bigint, OUT in_transit bigint) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_receive_transfer';

CREATE FUNCTION inventory.inventory_transfer(sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reference_id text DEFAULT NULL::text, idempotency_key text DEFAULT NULL::text, reason text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, OUT out_event_id uuid, OUT in_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT to_on_hand bigint, OUT to_available_to_sell bigint) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_transfer';

COMMENT ON FUNCTION inventory.inventory_dispatch_transfer(transfer_ref text, sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reason text, metadata jsonb, OUT out_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT in_transit bigint) IS 'Sends unreserved units of a SKU towards another warehouse: a TRANSFER_OUT at the source now; they arrive with inventory_receive_transfer(). transfer_ref and sku name the transfer and make the call idempotent.';

REVOKE ALL ON FUNCTION inventory.inventory_dispatch_transfer(transfer_ref text, sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reason text, metadata jsonb, OUT out_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT in_transit bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_dispatch_transfer(transfer_ref text, sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reason text, metadata jsonb, OUT out_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT in_transit bigint) TO inventory_warehouse;

SET default_tablespace = '';

SET default_table_access_method = heap;

COMMENT ON FUNCTION inventory.inventory_receive_transfer(transfer_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT in_event_id uuid, OUT replayed boolean, OUT to_on_hand bigint, OUT to_available_to_sell bigint, OUT in_transit bigint) IS 'Books units of a dispatched transfer into its destination (a TRANSFER_IN; all that is in transit when quantity is NULL). Partial receipts are allowed; never more than is in transit. Idempotency keys starting with "inventory:" are the extension''s (IV010).';

REVOKE ALL ON FUNCTION inventory.inventory_receive_transfer(transfer_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT in_event_id uuid, OUT replayed boolean, OUT to_on_hand bigint, OUT to_available_to_sell bigint, OUT in_transit bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_receive_transfer(transfer_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT in_event_id uuid, OUT replayed boolean, OUT to_on_hand bigint, OUT to_available_to_sell bigint, OUT in_transit bigint) TO inventory_warehouse;

COMMENT ON FUNCTION inventory.inventory_transfer(sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reference_id text, idempotency_key text, reason text, metadata jsonb, OUT out_event_id uuid, OUT in_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT to_on_hand bigint, OUT to_available_to_sell bigint) IS 'Moves unreserved units between warehouses: a TRANSFER_OUT and a TRANSFER_IN event in one transaction, level rows locked in (warehouse_id) order. Idempotent like inventory_apply_event.';

REVOKE ALL ON FUNCTION inventory.inventory_transfer(sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reference_id text, idempotency_key text, reason text, metadata jsonb, OUT out_event_id uuid, OUT in_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT to_on_hand bigint, OUT to_available_to_sell bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_transfer(sku text, from_warehouse_id integer, to_warehouse_id integer, quantity bigint, reference_id text, idempotency_key text, reason text, metadata jsonb, OUT out_event_id uuid, OUT in_event_id uuid, OUT replayed boolean, OUT from_on_hand bigint, OUT from_available_to_sell bigint, OUT to_on_hand bigint, OUT to_available_to_sell bigint) TO inventory_warehouse;

-- src/sql/purchase_orders.sql
-- inventory: Purchase orders: incoming units that are visible but never sellable until received.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE TABLE inventory.inventory_purchase_orders (
    po_ref text NOT NULL,
    sku text NOT NULL,
    warehouse_id integer NOT NULL,
    ordered bigint NOT NULL,
    received bigint DEFAULT 0 NOT NULL,
    incoming bigint GENERATED ALWAYS AS (
CASE
    WHEN (status = 'OPEN'::text) THEN GREATEST((ordered - received), (0)::bigint)
    ELSE (0)::bigint
END) STORED,
    expected_at timestamp with time zone,
    status text DEFAULT 'OPEN'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT inventory_purchase_orders_ordered_check CHECK ((ordered > 0)),
    CONSTRAINT inventory_purchase_orders_po_ref_check CHECK (((char_length(po_ref) >= 1) AND (char_length(po_ref) <= 255))),
    CONSTRAINT inventory_purchase_orders_received_check CHECK ((received >= 0)),
    CONSTRAINT inventory_purchase_orders_status_check CHECK ((status = ANY (ARRAY['OPEN'::text, 'RECEIVED'::text, 'CANCELLED'::text]))),
    CONSTRAINT inventory_purchase_orders_pkey PRIMARY KEY (po_ref, sku)
);

COMMENT ON TABLE inventory.inventory_purchase_orders IS 'Purchase order lines: units ordered from a supplier for a warehouse. What is still to come is incoming: shown by inventory_availability(), never sellable until received.';

COMMENT ON COLUMN inventory.inventory_purchase_orders.po_ref IS 'The purchase order''s reference (with sku, the key).';

COMMENT ON COLUMN inventory.inventory_purchase_orders.sku IS 'The SKU ordered.';

COMMENT ON COLUMN inventory.inventory_purchase_orders.warehouse_id IS 'The warehouse it is delivered to.';

COMMENT ON COLUMN inventory.inventory_purchase_orders.ordered IS 'Units ordered from the supplier.';

COMMENT ON COLUMN inventory.inventory_purchase_orders.received IS 'Units received so far (RECEIVE events with reference_id = po_ref); may exceed ordered.';

COMMENT ON COLUMN inventory.inventory_purchase_orders.incoming IS 'Units still expected: ordered - received while OPEN, else 0.';

COMMENT ON COLUMN inventory.inventory_purchase_orders.expected_at IS 'When the delivery is expected, if known.';

COMMENT ON COLUMN inventory.inventory_purchase_orders.status IS 'OPEN, RECEIVED (everything arrived) or CANCELLED (the rest will not come).';

COMMENT ON COLUMN inventory.inventory_purchase_orders.created_at IS 'When the line was recorded.';

COMMENT ON COLUMN inventory.inventory_purchase_orders.updated_at IS 'When it last changed.';

GRANT SELECT ON TABLE inventory.inventory_purchase_orders TO inventory_reader;

CREATE INDEX inventory_purchase_orders_open_idx ON inventory.inventory_purchase_orders USING btree (sku, warehouse_id) WHERE (status = 'OPEN'::text);

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_purchase_orders', '');

CREATE FUNCTION inventory.inventory_cancel_purchase_order(po_ref text, sku text DEFAULT NULL::text) RETURNS integer
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_cancel_purchase_order';

COMMENT ON FUNCTION inventory.inventory_cancel_purchase_order(po_ref text, sku text) IS 'Cancels the open lines of a purchase order (one SKU, or all): what was not received stops being incoming. Returns how many lines it cancelled.';

REVOKE ALL ON FUNCTION inventory.inventory_cancel_purchase_order(po_ref text, sku text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_cancel_purchase_order(po_ref text, sku text) TO inventory_warehouse;

CREATE FUNCTION inventory.inventory_expect_purchase_order(po_ref text, sku text, warehouse_id integer, quantity bigint, expected_at timestamp with time zone DEFAULT NULL::timestamp with time zone) RETURNS inventory.inventory_purchase_orders
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_expect_purchase_order';

COMMENT ON FUNCTION inventory.inventory_expect_purchase_order(po_ref text, sku text, warehouse_id integer, quantity bigint, expected_at timestamp with time zone) IS 'Records (or changes) a purchase order line: quantity units of a SKU expected in a warehouse. They show as incoming and are never sellable until received.';

REVOKE ALL ON FUNCTION inventory.inventory_expect_purchase_order(po_ref text, sku text, warehouse_id integer, quantity bigint, expected_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_expect_purchase_order(po_ref text, sku text, warehouse_id integer, quantity bigint, expected_at timestamp with time zone) TO inventory_warehouse;

CREATE FUNCTION inventory.inventory_receive_purchase_order(po_ref text, sku text, quantity bigint, idempotency_key text DEFAULT NULL::text, reason text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT available_to_sell bigint, OUT incoming bigint) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_receive_purchase_order';

COMMENT ON FUNCTION inventory.inventory_receive_purchase_order(po_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT available_to_sell bigint, OUT incoming bigint) IS 'Receives units of a purchase order line into its warehouse (a RECEIVE event with reference_id = po_ref): they become on_hand and sellable, and stop being incoming.';

REVOKE ALL ON FUNCTION inventory.inventory_receive_purchase_order(po_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT available_to_sell bigint, OUT incoming bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_receive_purchase_order(po_ref text, sku text, quantity bigint, idempotency_key text, reason text, metadata jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT available_to_sell bigint, OUT incoming bigint) TO inventory_warehouse;


-- src/sql/events.sql
-- inventory: The event API: one event, a batch of events, and ADJUST.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE FUNCTION inventory.inventory_adjust(sku text, change bigint, reason text, warehouse_id integer DEFAULT NULL::integer, reference_id text DEFAULT NULL::text, idempotency_key text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT reserved bigint, OUT available_to_sell bigint) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_adjust';

CREATE FUNCTION inventory.inventory_apply_event(sku text, warehouse_id integer, event_type text, quantity bigint, reference_id text DEFAULT NULL::text, idempotency_key text DEFAULT NULL::text, reason text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb, expires_at timestamp with time zone DEFAULT NULL::timestamp with time zone, OUT event_id uuid, OUT replayed boolean, OUT on_hand bigint, OUT reserved bigint, OUT available_to_sell bigint) RETURNS record
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_apply_event';

CREATE FUNCTION inventory.inventory_apply_events(events jsonb) RETURNS TABLE(ordinal integer, event_id uuid, replayed boolean, on_hand bigint, reserved bigint, available_to_sell bigint)
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

-- src/sql/availability.sql
-- inventory: Available-to-sell: per SKU, per warehouse, per ship-to country.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE FUNCTION inventory.inventory_ats(sku text) RETURNS bigint
    LANGUAGE c STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_ats';

COMMENT ON FUNCTION inventory.inventory_ats(sku text) IS 'Units of a SKU available to sell over all warehouses (a backordered warehouse counts 0); 0 for a SKU never seen. Read it for checkout decisions, never a cache.';

REVOKE ALL ON FUNCTION inventory.inventory_ats(sku text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_ats(sku text) TO inventory_reader;

CREATE FUNCTION inventory.inventory_ats(sku text, warehouse_id integer) RETURNS bigint
    LANGUAGE c STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_ats_in_warehouse';

COMMENT ON FUNCTION inventory.inventory_ats(sku text, warehouse_id integer) IS 'Units of a SKU available to sell in one warehouse (negative when backordered).';

REVOKE ALL ON FUNCTION inventory.inventory_ats(sku text, warehouse_id integer) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_ats(sku text, warehouse_id integer) TO inventory_reader;

CREATE FUNCTION inventory.inventory_ats(sku text, ship_to text) RETURNS bigint
    LANGUAGE c STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_ats_for_ship_to';

COMMENT ON FUNCTION inventory.inventory_ats(sku text, ship_to text) IS 'Units of a SKU available to sell to a ship-to country: the sum over the warehouses that serve it (0 when none does). A ship_to of digits is a warehouse id, as in inventory_ats(text, integer), for clients that send untyped parameters.';

REVOKE ALL ON FUNCTION inventory.inventory_ats(sku text, ship_to text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_ats(sku text, ship_to text) TO inventory_reader;

CREATE FUNCTION inventory.inventory_availability(sku text) RETURNS jsonb
    LANGUAGE c STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_availability';

COMMENT ON FUNCTION inventory.inventory_availability(sku text) IS 'The source chapter''s availability(sku) as JSON: {"sku", "available_to_sell", "on_hand", "reserved", "in_transit", "incoming", "countries": {country: available_to_sell}, "warehouses": [per-warehouse figures]}. Only available_to_sell can be sold.';

REVOKE ALL ON FUNCTION inventory.inventory_availability(sku text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_availability(sku text) TO inventory_reader;

CREATE FUNCTION inventory.inventory_availability(sku text, ship_to text) RETURNS jsonb
    LANGUAGE c STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_availability';

COMMENT ON FUNCTION inventory.inventory_availability(sku text, ship_to text) IS 'inventory_availability(sku) for one ship-to country: only the warehouses that serve it (ship_to NULL: every warehouse).';

REVOKE ALL ON FUNCTION inventory.inventory_availability(sku text, ship_to text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_availability(sku text, ship_to text) TO inventory_reader;

-- src/sql/change_feed.sql
-- inventory: The change feed: which levels changed since a commit-safe position.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE TABLE inventory.inventory_feed_marks (
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

CREATE INDEX inventory_feed_marks_transaction_id_idx ON inventory.inventory_feed_marks USING btree (transaction_id);

CREATE FUNCTION inventory.inventory_feed_levels_trigger() RETURNS trigger
    LANGUAGE c SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_feed_levels_trigger';

COMMENT ON FUNCTION inventory.inventory_feed_levels_trigger() IS 'AFTER DELETE on inventory_levels: marks the deleted level as changed for the change feed.';

REVOKE ALL ON FUNCTION inventory.inventory_feed_levels_trigger() FROM PUBLIC;

CREATE FUNCTION inventory.inventory_feed_policy_trigger() RETURNS trigger
    LANGUAGE c SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_feed_policy_trigger';

COMMENT ON FUNCTION inventory.inventory_feed_policy_trigger() IS 'AFTER INSERT, UPDATE or DELETE on inventory_sku_policies: marks the SKU''s levels as changed for the change feed (a policy change moves available_to_sell without a ledger row).';

REVOKE ALL ON FUNCTION inventory.inventory_feed_policy_trigger() FROM PUBLIC;

CREATE FUNCTION inventory.inventory_level_changes(since text DEFAULT NULL::text) RETURNS TABLE(sku text, warehouse_id integer, on_hand bigint, reserved bigint, available_to_sell bigint, version bigint, next_position text)
    LANGUAGE c
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_level_changes';

COMMENT ON FUNCTION inventory.inventory_level_changes(since text) IS 'The change feed: the current figures of every level changed since the position "since" (NULL: every level), each row with the next_position to pass next time; one row with a NULL sku when nothing changed. Commit-safe: a transaction that commits after the position was taken is returned by the next call, however early it wrote.';

REVOKE ALL ON FUNCTION inventory.inventory_level_changes(since text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_level_changes(since text) TO inventory_reader;

CREATE TRIGGER inventory_levels_feed_delete AFTER DELETE ON inventory.inventory_levels FOR EACH ROW EXECUTE FUNCTION inventory.inventory_feed_levels_trigger();

ALTER TABLE inventory.inventory_levels ENABLE ALWAYS TRIGGER inventory_levels_feed_delete;

COMMENT ON TRIGGER inventory_levels_feed_delete ON inventory.inventory_levels IS 'Change feed: a deleted level reads as empty to the feed''s consumers.';

CREATE TRIGGER inventory_sku_policy_feed AFTER INSERT OR DELETE OR UPDATE ON inventory.inventory_sku_policies FOR EACH ROW EXECUTE FUNCTION inventory.inventory_feed_policy_trigger();

ALTER TABLE inventory.inventory_sku_policies ENABLE ALWAYS TRIGGER inventory_sku_policy_feed;

COMMENT ON TRIGGER inventory_sku_policy_feed ON inventory.inventory_sku_policies IS 'Change feed: a policy change is a change of every level of the SKU.';

-- src/sql/views.sql
-- inventory: Reporting views over the ledger and the levels.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE VIEW inventory.inventory_daily_movements AS
 SELECT ((g.created_at AT TIME ZONE 'UTC'::text))::date AS day,
    g.sku,
    g.warehouse_id,
    g.event_type,
    count(*) AS events,
    sum(g.quantity) AS quantity,
    sum(g.on_hand_change) AS on_hand_change,
    sum(g.reserved_change) AS reserved_change
   FROM inventory.inventory_ledger g
  GROUP BY (((g.created_at AT TIME ZONE 'UTC'::text))::date), g.sku, g.warehouse_id, g.event_type;

COMMENT ON VIEW inventory.inventory_daily_movements IS 'Events, quantities and level changes per UTC day, SKU, warehouse and event type.';

GRANT SELECT ON TABLE inventory.inventory_daily_movements TO inventory_reader;

CREATE VIEW inventory.inventory_losses AS
 WITH losses AS (
         SELECT g.created_at,
            g.sku,
            g.warehouse_id,
                CASE
                    WHEN (g.event_type = 'COUNT'::text) THEN 'COUNT_SHORTFALL'::text
                    WHEN (g.event_type = 'RETURN'::text) THEN 'DAMAGED_RETURN'::text
                    ELSE g.reason
                END AS reason,
                CASE
                    WHEN (g.event_type = 'RETURN'::text) THEN g.quantity
                    ELSE (- g.on_hand_change)
                END AS units,
                CASE
                    WHEN (jsonb_typeof((g.metadata -> 'unit_cost'::text)) = 'number'::text) THEN
                    CASE
                        WHEN (((g.metadata ->> 'unit_cost'::text))::numeric >= (0)::numeric) THEN ((g.metadata ->> 'unit_cost'::text))::numeric
                        ELSE NULL::numeric
                    END
                    ELSE NULL::numeric
                END AS unit_cost
           FROM inventory.inventory_ledger g
          WHERE (((g.event_type = 'COUNT'::text) AND (g.on_hand_change < 0)) OR ((g.event_type = 'ADJUST'::text) AND (g.on_hand_change < 0) AND (COALESCE(g.reason, ''::text) <> ALL (ARRAY['OFFLINE_SALE'::text, 'SAMPLE'::text, 'CORRECTION'::text]))) OR ((g.event_type = 'RETURN'::text) AND (g.reason = 'DAMAGED'::text)))
        )
 SELECT l.sku,
    l.warehouse_id,
    l.reason,
    count(*) AS events,
    sum(l.units) AS units,
    sum(((l.units)::numeric * l.unit_cost)) AS value,
    min(l.created_at) AS first_at,
    max(l.created_at) AS last_at
   FROM losses l
  GROUP BY l.sku, l.warehouse_id, l.reason;

COMMENT ON VIEW inventory.inventory_losses IS 'Shrinkage and damage per SKU, warehouse and reason: ADJUST losses (DAMAGED, SHRINKAGE, THEFT, EXPIRED, OTHER), every COUNT shortfall (whatever its reason) and damaged returns. value sums units times the event''s metadata unit_cost where that is a non-negative number (rows written before 0.3.1 may hold another; inventory_verify_data() lists them).';

GRANT SELECT ON TABLE inventory.inventory_losses TO inventory_reader;

CREATE VIEW inventory.inventory_movements AS
 SELECT g.id AS event_id,
    g.created_at,
    g.sku,
    g.warehouse_id,
    w.code AS warehouse_code,
    w.name AS warehouse_name,
    g.event_type,
    g.quantity,
    g.reason,
    g.reference_id,
    (g.on_hand_after - g.on_hand_change) AS on_hand_before,
    g.on_hand_change,
    g.on_hand_after,
    (g.reserved_after - g.reserved_change) AS reserved_before,
    g.reserved_change,
    g.reserved_after,
    g.available_after,
    g.level_version,
    g.actor,
    g.idempotency_key,
    g.related_event_id,
    g.metadata,
    g.expires_at
   FROM (inventory.inventory_ledger g
     LEFT JOIN inventory.inventory_warehouses w ON ((w.id = g.warehouse_id)));

COMMENT ON VIEW inventory.inventory_movements IS 'Movement history: every ledger event with its warehouse, reason, reference, actor and the level before and after it.';

GRANT SELECT ON TABLE inventory.inventory_movements TO inventory_reader;

CREATE VIEW inventory.inventory_reconciliation AS
 SELECT inventory_verify.sku,
    inventory_verify.warehouse_id,
    inventory_verify.level_on_hand,
    inventory_verify.ledger_on_hand,
    inventory_verify.level_reserved,
    inventory_verify.ledger_reserved,
    inventory_verify.level_version,
    inventory_verify.ledger_events,
    inventory_verify.level_available_to_sell,
    inventory_verify.expected_available_to_sell,
    inventory_verify.problem
   FROM inventory.inventory_verify() inventory_verify(sku, warehouse_id, level_on_hand, ledger_on_hand, level_reserved, ledger_reserved, level_version, ledger_events, level_available_to_sell, expected_available_to_sell, problem);

COMMENT ON VIEW inventory.inventory_reconciliation IS 'Levels that differ from the ledger or from their SKU''s policy (inventory_verify()), with the problem; empty when consistent.';

GRANT SELECT ON TABLE inventory.inventory_reconciliation TO inventory_reader;

CREATE VIEW inventory.inventory_stock_positions AS
 WITH transit AS (
         SELECT t_1.sku,
            t_1.to_warehouse_id AS warehouse_id,
            (sum(t_1.in_transit))::bigint AS in_transit
           FROM inventory.inventory_transfers t_1
          WHERE (t_1.status = 'IN_TRANSIT'::text)
          GROUP BY t_1.sku, t_1.to_warehouse_id
        ), incoming AS (
         SELECT p.sku,
            p.warehouse_id,
            (sum(p.incoming))::bigint AS incoming,
            min(p.expected_at) AS next_expected_at
           FROM inventory.inventory_purchase_orders p
          WHERE (p.status = 'OPEN'::text)
          GROUP BY p.sku, p.warehouse_id
        ), keys AS (
         SELECT l_1.sku,
            l_1.warehouse_id
           FROM inventory.inventory_levels l_1
        UNION
         SELECT t_1.sku,
            t_1.warehouse_id
           FROM transit t_1
        UNION
         SELECT i_1.sku,
            i_1.warehouse_id
           FROM incoming i_1
        )
 SELECT k.sku,
    k.warehouse_id,
    COALESCE(l.on_hand, (0)::bigint) AS on_hand,
    COALESCE(l.reserved, (0)::bigint) AS reserved,
    COALESCE(l.available_to_sell, (0)::bigint) AS available_to_sell,
    COALESCE(t.in_transit, (0)::bigint) AS in_transit,
    COALESCE(i.incoming, (0)::bigint) AS incoming,
    i.next_expected_at
   FROM (((keys k
     LEFT JOIN inventory.inventory_levels l ON (((l.sku = k.sku) AND (l.warehouse_id = k.warehouse_id))))
     LEFT JOIN transit t ON (((t.sku = k.sku) AND (t.warehouse_id = k.warehouse_id))))
     LEFT JOIN incoming i ON (((i.sku = k.sku) AND (i.warehouse_id = k.warehouse_id))));

COMMENT ON VIEW inventory.inventory_stock_positions IS 'Per SKU and warehouse: on_hand, reserved, available_to_sell, units in transit towards it and units incoming on open purchase orders (with the earliest expected date). Only available_to_sell can be sold.';

GRANT SELECT ON TABLE inventory.inventory_stock_positions TO inventory_reader;

-- src/sql/time_travel.sql
-- inventory: Time travel: the levels as they were at a past time.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE FUNCTION inventory.inventory_levels_at(at timestamp with time zone) RETURNS TABLE(sku text, warehouse_id integer, on_hand bigint, reserved bigint, available_to_sell bigint, level_version bigint, changed_at timestamp with time zone)
    LANGUAGE c STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_levels_at';

COMMENT ON FUNCTION inventory.inventory_levels_at(at timestamp with time zone) IS 'The levels of every SKU and warehouse as they were at a past time (one index probe per level, whatever the history''s length).';

REVOKE ALL ON FUNCTION inventory.inventory_levels_at(at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_levels_at(at timestamp with time zone) TO inventory_reader;

CREATE FUNCTION inventory.inventory_levels_at(sku text, at timestamp with time zone) RETURNS TABLE(warehouse_id integer, on_hand bigint, reserved bigint, available_to_sell bigint, level_version bigint, changed_at timestamp with time zone)
    LANGUAGE c STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_sku_levels_at';

COMMENT ON FUNCTION inventory.inventory_levels_at(sku text, at timestamp with time zone) IS 'The levels of a SKU per warehouse as they were at a past time, read from the after-values of the last event at or before it (one index probe per warehouse, whatever the history''s length). A warehouse without events by then has no row.';

REVOKE ALL ON FUNCTION inventory.inventory_levels_at(sku text, at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_levels_at(sku text, at timestamp with time zone) TO inventory_reader;
