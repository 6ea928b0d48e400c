-- inventory_router: the analyst views over every partition. Each is the rows of the same view
-- on every partition, read in parallel (RUN ON ALL), not one snapshot; a filter is applied on
-- the router, after every partition returned its rows. test/router/run.sh checks that these
-- columns equal the extension's views.
-- Part of the install script (router/generate.py); each object is defined here only.

CREATE FUNCTION inventory_router.all_levels() RETURNS TABLE(sku text, warehouse_id integer, on_hand bigint, reserved bigint, available_to_sell bigint, safety_stock bigint, allow_backorder boolean, backorder_limit bigint, version bigint, updated_at timestamp with time zone, stripes integer)
    LANGUAGE plproxy
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ CLUSTER 'inventory_partitions'; RUN ON ALL; SELECT * FROM inventory.inventory_levels; $$;
COMMENT ON FUNCTION inventory_router.all_levels() IS 'Internal: the rows of inventory.inventory_levels on every partition.';
REVOKE ALL ON FUNCTION inventory_router.all_levels() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory_router.all_levels() TO inventory_reader;

CREATE VIEW inventory.inventory_levels AS SELECT * FROM inventory_router.all_levels();
COMMENT ON VIEW inventory.inventory_levels IS 'inventory.inventory_levels of every partition together (not one snapshot).';
REVOKE ALL ON TABLE inventory.inventory_levels FROM PUBLIC;
GRANT SELECT ON TABLE inventory.inventory_levels TO inventory_reader;

CREATE FUNCTION inventory_router.all_daily_movements() RETURNS TABLE(day date, sku text, warehouse_id integer, event_type text, events bigint, quantity numeric, on_hand_change numeric, reserved_change numeric)
    LANGUAGE plproxy
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ CLUSTER 'inventory_partitions'; RUN ON ALL; SELECT * FROM inventory.inventory_daily_movements; $$;
COMMENT ON FUNCTION inventory_router.all_daily_movements() IS 'Internal: the rows of inventory.inventory_daily_movements on every partition.';
REVOKE ALL ON FUNCTION inventory_router.all_daily_movements() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory_router.all_daily_movements() TO inventory_reader;

CREATE VIEW inventory.inventory_daily_movements AS SELECT * FROM inventory_router.all_daily_movements();
COMMENT ON VIEW inventory.inventory_daily_movements IS 'inventory.inventory_daily_movements of every partition together (not one snapshot).';
REVOKE ALL ON TABLE inventory.inventory_daily_movements FROM PUBLIC;
GRANT SELECT ON TABLE inventory.inventory_daily_movements TO inventory_reader;

CREATE FUNCTION inventory_router.all_losses() RETURNS TABLE(sku text, warehouse_id integer, reason text, events bigint, units numeric, value numeric, first_at timestamp with time zone, last_at timestamp with time zone)
    LANGUAGE plproxy
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ CLUSTER 'inventory_partitions'; RUN ON ALL; SELECT * FROM inventory.inventory_losses; $$;
COMMENT ON FUNCTION inventory_router.all_losses() IS 'Internal: the rows of inventory.inventory_losses on every partition.';
REVOKE ALL ON FUNCTION inventory_router.all_losses() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory_router.all_losses() TO inventory_reader;

CREATE VIEW inventory.inventory_losses AS SELECT * FROM inventory_router.all_losses();
COMMENT ON VIEW inventory.inventory_losses IS 'inventory.inventory_losses of every partition together (not one snapshot).';
REVOKE ALL ON TABLE inventory.inventory_losses FROM PUBLIC;
GRANT SELECT ON TABLE inventory.inventory_losses TO inventory_reader;

CREATE FUNCTION inventory_router.all_movements() RETURNS TABLE(event_id uuid, created_at timestamp with time zone, sku text, warehouse_id integer, warehouse_code text, warehouse_name text, event_type text, quantity bigint, reason text, reference_id text, on_hand_before bigint, on_hand_change bigint, on_hand_after bigint, reserved_before bigint, reserved_change bigint, reserved_after bigint, available_after bigint, level_version bigint, actor text, idempotency_key text, related_event_id uuid, metadata jsonb, expires_at timestamp with time zone)
    LANGUAGE plproxy
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ CLUSTER 'inventory_partitions'; RUN ON ALL; SELECT * FROM inventory.inventory_movements; $$;
COMMENT ON FUNCTION inventory_router.all_movements() IS 'Internal: the rows of inventory.inventory_movements on every partition.';
REVOKE ALL ON FUNCTION inventory_router.all_movements() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory_router.all_movements() TO inventory_reader;

CREATE VIEW inventory.inventory_movements AS SELECT * FROM inventory_router.all_movements();
COMMENT ON VIEW inventory.inventory_movements IS 'inventory.inventory_movements of every partition together (not one snapshot).';
REVOKE ALL ON TABLE inventory.inventory_movements FROM PUBLIC;
GRANT SELECT ON TABLE inventory.inventory_movements TO inventory_reader;

CREATE FUNCTION inventory_router.all_reconciliation() RETURNS TABLE(sku text, warehouse_id integer, level_on_hand bigint, ledger_on_hand bigint, level_reserved bigint, ledger_reserved bigint, level_version bigint, ledger_events bigint, level_available_to_sell bigint, expected_available_to_sell bigint, problem text)
    LANGUAGE plproxy
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ CLUSTER 'inventory_partitions'; RUN ON ALL; SELECT * FROM inventory.inventory_reconciliation; $$;
COMMENT ON FUNCTION inventory_router.all_reconciliation() IS 'Internal: the rows of inventory.inventory_reconciliation on every partition.';
REVOKE ALL ON FUNCTION inventory_router.all_reconciliation() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory_router.all_reconciliation() TO inventory_reader;

CREATE VIEW inventory.inventory_reconciliation AS SELECT * FROM inventory_router.all_reconciliation();
COMMENT ON VIEW inventory.inventory_reconciliation IS 'inventory.inventory_reconciliation of every partition together (not one snapshot).';
REVOKE ALL ON TABLE inventory.inventory_reconciliation FROM PUBLIC;
GRANT SELECT ON TABLE inventory.inventory_reconciliation TO inventory_reader;

CREATE FUNCTION inventory_router.all_stock_positions() RETURNS TABLE(sku text, warehouse_id integer, on_hand bigint, reserved bigint, available_to_sell bigint, in_transit bigint, incoming bigint, next_expected_at timestamp with time zone)
    LANGUAGE plproxy
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ CLUSTER 'inventory_partitions'; RUN ON ALL; SELECT * FROM inventory.inventory_stock_positions; $$;
COMMENT ON FUNCTION inventory_router.all_stock_positions() IS 'Internal: the rows of inventory.inventory_stock_positions on every partition.';
REVOKE ALL ON FUNCTION inventory_router.all_stock_positions() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory_router.all_stock_positions() TO inventory_reader;

CREATE VIEW inventory.inventory_stock_positions AS SELECT * FROM inventory_router.all_stock_positions();
COMMENT ON VIEW inventory.inventory_stock_positions IS 'inventory.inventory_stock_positions of every partition together (not one snapshot).';
REVOKE ALL ON TABLE inventory.inventory_stock_positions FROM PUBLIC;
GRANT SELECT ON TABLE inventory.inventory_stock_positions TO inventory_reader;

CREATE FUNCTION inventory_router.all_api_key_list() RETURNS TABLE(key_id uuid, label text, role_name name, shown_prefix text, created_at timestamp with time zone, created_by name, revoked_at timestamp with time zone)
    LANGUAGE plproxy
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ CLUSTER 'inventory_partitions'; RUN ON 0; SELECT * FROM inventory.inventory_api_key_list; $$;
COMMENT ON FUNCTION inventory_router.all_api_key_list() IS 'Internal: the rows of inventory.inventory_api_key_list on partition 0, which alone holds the API keys.';
REVOKE ALL ON FUNCTION inventory_router.all_api_key_list() FROM PUBLIC;
GRANT ALL ON FUNCTION inventory_router.all_api_key_list() TO inventory_admin;

CREATE VIEW inventory.inventory_api_key_list AS SELECT * FROM inventory_router.all_api_key_list();
COMMENT ON VIEW inventory.inventory_api_key_list IS 'inventory.inventory_api_key_list of partition 0, which alone holds the API keys.';
REVOKE ALL ON TABLE inventory.inventory_api_key_list FROM PUBLIC;
GRANT SELECT ON TABLE inventory.inventory_api_key_list TO inventory_admin;
