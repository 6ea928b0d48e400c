-- inventory: Warehouses (stock locations) and the ship-to countries each serves.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE SEQUENCE IF NOT EXISTS inventory.inventory_warehouses_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

COMMENT ON SEQUENCE inventory.inventory_warehouses_id_seq IS 'Ids of inventory_warehouses.';

REVOKE ALL ON SEQUENCE inventory.inventory_warehouses_id_seq FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_warehouses_id_seq', '');

CREATE TABLE IF NOT EXISTS inventory.inventory_warehouses (
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

CREATE TABLE IF NOT EXISTS inventory.inventory_warehouse_countries (
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

CREATE INDEX IF NOT EXISTS inventory_warehouse_countries_country_idx ON inventory.inventory_warehouse_countries USING btree (country, priority, warehouse_id);

SELECT pg_catalog.pg_extension_config_dump('inventory.inventory_warehouse_countries', '');

CREATE OR REPLACE FUNCTION inventory.inventory_create_warehouse(code text, name text, country text, id integer DEFAULT NULL::integer) RETURNS integer
    LANGUAGE c SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_create_warehouse';

COMMENT ON FUNCTION inventory.inventory_create_warehouse(code text, name text, country text, id integer) IS 'Adds a warehouse, serving its own country, and returns its id.';

REVOKE ALL ON FUNCTION inventory.inventory_create_warehouse(code text, name text, country text, id integer) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_create_warehouse(code text, name text, country text, id integer) TO inventory_admin;

CREATE OR REPLACE FUNCTION inventory.inventory_serve_country(warehouse_id integer, country text, priority integer DEFAULT 100) RETURNS void
    LANGUAGE c SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_serve_country';

COMMENT ON FUNCTION inventory.inventory_serve_country(warehouse_id integer, country text, priority integer) IS 'Lets a warehouse ship to a country, at a priority (lower is preferred); sets the priority when it already serves it.';

REVOKE ALL ON FUNCTION inventory.inventory_serve_country(warehouse_id integer, country text, priority integer) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_serve_country(warehouse_id integer, country text, priority integer) TO inventory_admin;

CREATE OR REPLACE FUNCTION inventory.inventory_stop_serving_country(warehouse_id integer, country text) RETURNS boolean
    LANGUAGE c SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS 'MODULE_PATHNAME', 'inventory_stop_serving_country';

COMMENT ON FUNCTION inventory.inventory_stop_serving_country(warehouse_id integer, country text) IS 'The warehouse no longer ships to the country; false when it did not.';

REVOKE ALL ON FUNCTION inventory.inventory_stop_serving_country(warehouse_id integer, country text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_stop_serving_country(warehouse_id integer, country text) TO inventory_admin;

CREATE OR REPLACE FUNCTION inventory.inventory_warehouse_guard_trigger() RETURNS trigger
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'inventory_warehouse_guard_trigger';

COMMENT ON FUNCTION inventory.inventory_warehouse_guard_trigger() IS 'BEFORE UPDATE OR DELETE on inventory_warehouses: a warehouse with levels, ledger rows, incoming transfers, purchase orders or orders keeps its id and cannot be deleted (SQLSTATE 23503); the countries it serves follow it.';

REVOKE ALL ON FUNCTION inventory.inventory_warehouse_guard_trigger() FROM PUBLIC;

CREATE OR REPLACE TRIGGER inventory_warehouse_guard BEFORE DELETE OR UPDATE OF id ON inventory.inventory_warehouses FOR EACH ROW EXECUTE FUNCTION inventory.inventory_warehouse_guard_trigger();

COMMENT ON TRIGGER inventory_warehouse_guard ON inventory.inventory_warehouses IS 'Warehouses that hold stock records stay.';
