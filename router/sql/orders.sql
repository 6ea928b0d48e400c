-- inventory_router: what orders across partitions need besides the twins.
-- Part of the install script (router/generate.py); each object is defined here only.

CREATE TABLE inventory_router.order_partitions (
    order_ref text NOT NULL,
    partition_number integer NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT order_partitions_pkey PRIMARY KEY (order_ref, partition_number)
);
COMMENT ON TABLE inventory_router.order_partitions IS 'The partitions each order placed through the router touched, for inventory_release_order (which has no SKU to route by). Written when inventory_allocate_order succeeds; without a row, a release asks every partition.';
REVOKE ALL ON TABLE inventory_router.order_partitions FROM PUBLIC;
GRANT SELECT, INSERT ON TABLE inventory_router.order_partitions TO inventory_app;
GRANT SELECT ON TABLE inventory_router.order_partitions TO inventory_reader;
SELECT pg_catalog.pg_extension_config_dump('inventory_router.order_partitions', '');

CREATE TYPE inventory_router.order_line AS (
    line text,
    sku text,
    warehouse_id integer,
    quantity bigint,
    reference_id text,
    event_id uuid,
    replayed boolean,
    requested bigint,
    available bigint,
    shortage bigint
);
COMMENT ON TYPE inventory_router.order_line IS 'One result row of inventory_allocate_order, as a partition returns it.';

CREATE FUNCTION inventory_router.reservation_status_on(partition_number integer, order_ref text) RETURNS SETOF text
    LANGUAGE plproxy
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ CLUSTER 'inventory_partitions'; RUN ON partition_number;
          SELECT r.status FROM inventory.inventory_reservations r WHERE r.order_ref = order_ref; $$;
COMMENT ON FUNCTION inventory_router.reservation_status_on(integer, text) IS 'Internal: the status of each reservation of an order on one partition (a retried order checks that a replayed part still holds).';
REVOKE ALL ON FUNCTION inventory_router.reservation_status_on(integer, text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory_router.reservation_status_on(integer, text) TO inventory_app;
