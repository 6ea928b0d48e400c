-- inventory: Reporting views over the ledger and the levels.
-- Part of the install and update scripts (src/sql/README.md); each object is defined here only.

CREATE OR REPLACE VIEW inventory.inventory_daily_movements AS
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

CREATE OR REPLACE VIEW inventory.inventory_losses AS
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

CREATE OR REPLACE VIEW inventory.inventory_movements AS
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

CREATE OR REPLACE VIEW inventory.inventory_reconciliation AS
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

CREATE OR REPLACE VIEW inventory.inventory_stock_positions AS
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
