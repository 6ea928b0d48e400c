-- Purchase order lines that disagree with the ledger, counted (0 when all agree): `received` is
-- the sum of the RECEIVE events under the line's po_ref for its SKU and warehouse, incoming is
-- what is still expected of an open line (0 otherwise), and a line that is not cancelled is
-- RECEIVED exactly when it got what was ordered. Also receipts under a workload's purchase order
-- reference (c<N>-PO<M>) that no line has.
SELECT (SELECT count(*)
          FROM inventory.inventory_purchase_orders p
          CROSS JOIN LATERAL (
                SELECT coalesce(sum(g.quantity), 0) AS received
                  FROM inventory.inventory_ledger g
                 WHERE g.event_type = 'RECEIVE' AND g.reference_id = p.po_ref AND g.sku = p.sku
                   AND g.warehouse_id = p.warehouse_id) g
         WHERE g.received <> p.received
            OR p.incoming <> CASE WHEN p.status = 'OPEN' THEN greatest(p.ordered - p.received, 0)
                                  ELSE 0 END
            OR (p.status <> 'CANCELLED' AND (p.status = 'RECEIVED') <> (p.received >= p.ordered)))
     + (SELECT count(*)
          FROM inventory.inventory_ledger g
         WHERE g.event_type = 'RECEIVE' AND g.reference_id LIKE 'c%-PO%'
           AND NOT EXISTS (SELECT FROM inventory.inventory_purchase_orders p
                            WHERE p.po_ref = g.reference_id AND p.sku = g.sku
                              AND p.warehouse_id = g.warehouse_id));
