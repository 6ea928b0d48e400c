-- inventory: Available-to-sell: per SKU, per warehouse, per ship-to country.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE OR REPLACE FUNCTION inventory.inventory_ats(sku text) RETURNS bigint
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
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

COMMENT ON FUNCTION inventory.inventory_ats(sku text) IS 'Units of a SKU available to sell over all warehouses (a backordered warehouse counts 0); 0 for a SKU never seen. Read it for checkout decisions, never a cache.';

REVOKE ALL ON FUNCTION inventory.inventory_ats(sku text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_ats(sku text) TO inventory_reader;

CREATE OR REPLACE FUNCTION inventory.inventory_ats(sku text, warehouse_id integer) RETURNS bigint
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
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

COMMENT ON FUNCTION inventory.inventory_ats(sku text, warehouse_id integer) IS 'Units of a SKU available to sell in one warehouse (negative when backordered).';

REVOKE ALL ON FUNCTION inventory.inventory_ats(sku text, warehouse_id integer) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_ats(sku text, warehouse_id integer) TO inventory_reader;

CREATE OR REPLACE FUNCTION inventory.inventory_ats(sku text, ship_to text) RETURNS bigint
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
BEGIN
  IF sku IS NULL OR ship_to IS NULL THEN
    RAISE EXCEPTION 'sku and ship_to must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  -- A client that sends both arguments untyped reaches this form even when it means a
  -- warehouse id (text is the preferred type): digits are a warehouse, never a country.
  IF ship_to ~ '^[0-9]{1,10}$' THEN
    RETURN inventory.inventory_ats(sku, ship_to::integer);
  END IF;
  IF upper(ship_to) !~ '^[A-Z]{2}$' THEN
    RAISE EXCEPTION 'ship_to must be an ISO 3166-1 alpha-2 code, not "%"', ship_to
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN (SELECT coalesce(sum(greatest(l.available_to_sell, 0)), 0)::bigint
            FROM inventory.inventory_levels l
            JOIN inventory.inventory_warehouse_countries c ON c.warehouse_id = l.warehouse_id
           WHERE l.sku = inventory_ats.sku AND c.country = upper(ship_to));
END;
$_$;

COMMENT ON FUNCTION inventory.inventory_ats(sku text, ship_to text) IS 'Units of a SKU available to sell to a ship-to country: the sum over the warehouses that serve it (0 when none does). A ship_to of digits is a warehouse id, as in inventory_ats(text, integer), for clients that send untyped parameters.';

REVOKE ALL ON FUNCTION inventory.inventory_ats(sku text, ship_to text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_ats(sku text, ship_to text) TO inventory_reader;

CREATE OR REPLACE FUNCTION inventory.inventory_availability(sku text) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  SELECT inventory.inventory_availability(sku, NULL::text);
$$;

COMMENT ON FUNCTION inventory.inventory_availability(sku text) IS 'The source chapter''s availability(sku) as JSON: {"sku", "available_to_sell", "on_hand", "reserved", "in_transit", "incoming", "countries": {country: available_to_sell}, "warehouses": [per-warehouse figures]}. Only available_to_sell can be sold.';

REVOKE ALL ON FUNCTION inventory.inventory_availability(sku text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_availability(sku text) TO inventory_reader;

CREATE OR REPLACE FUNCTION inventory.inventory_availability(sku text, ship_to text) RETURNS jsonb
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
BEGIN
  IF sku IS NULL THEN
    RAISE EXCEPTION 'sku must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF ship_to IS NOT NULL AND upper(ship_to) !~ '^[A-Z]{2}$' THEN
    RAISE EXCEPTION 'ship_to must be an ISO 3166-1 alpha-2 code, not "%"', ship_to
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN (
    WITH positions AS (
      SELECT p.*, w.code, w.country,
             (SELECT coalesce(jsonb_agg(c.country ORDER BY c.country), '[]')
                FROM inventory.inventory_warehouse_countries c
               WHERE c.warehouse_id = p.warehouse_id) AS serves
        FROM inventory.inventory_stock_positions p
        JOIN inventory.inventory_warehouses w ON w.id = p.warehouse_id
       WHERE p.sku = inventory_availability.sku
         AND (ship_to IS NULL OR EXISTS (
               SELECT FROM inventory.inventory_warehouse_countries c
                WHERE c.warehouse_id = p.warehouse_id AND c.country = upper(ship_to)))),
    countries AS (
      SELECT c.country, sum(greatest(p.available_to_sell, 0))::bigint AS available
        FROM positions p
        JOIN inventory.inventory_warehouse_countries c ON c.warehouse_id = p.warehouse_id
       WHERE ship_to IS NULL OR c.country = upper(ship_to)
       GROUP BY c.country)
    SELECT jsonb_build_object(
             'sku', inventory_availability.sku,
             'available_to_sell', coalesce(sum(greatest(p.available_to_sell, 0)), 0),
             'on_hand', coalesce(sum(p.on_hand), 0),
             'reserved', coalesce(sum(p.reserved), 0),
             'in_transit', coalesce(sum(p.in_transit), 0),
             'incoming', coalesce(sum(p.incoming), 0),
             'countries', coalesce((SELECT jsonb_object_agg(c.country, c.available)
                                      FROM countries c), '{}'),
             'warehouses', coalesce(jsonb_agg(jsonb_build_object(
                 'warehouse_id', p.warehouse_id, 'code', p.code, 'country', p.country,
                 'serves', p.serves, 'on_hand', p.on_hand, 'reserved', p.reserved,
                 'available_to_sell', p.available_to_sell, 'in_transit', p.in_transit,
                 'incoming', p.incoming, 'next_expected_at', p.next_expected_at)
                 ORDER BY p.warehouse_id), '[]'::jsonb))
       || CASE WHEN ship_to IS NULL THEN '{}'::jsonb
               ELSE jsonb_build_object('ship_to', upper(ship_to)) END
      FROM positions p);
END;
$_$;

COMMENT ON FUNCTION inventory.inventory_availability(sku text, ship_to text) IS 'inventory_availability(sku) for one ship-to country: only the warehouses that serve it (ship_to NULL: every warehouse).';

REVOKE ALL ON FUNCTION inventory.inventory_availability(sku text, ship_to text) FROM PUBLIC;
GRANT ALL ON FUNCTION inventory.inventory_availability(sku text, ship_to text) TO inventory_reader;
