-- Transfers that disagree with the ledger, counted (0 when all agree): the TRANSFER_OUT named by
-- out_event_id took `quantity` units of the SKU out of from_warehouse_id under the transfer's
-- reference, the TRANSFER_IN events naming it (related_event_id) brought `received` units into
-- to_warehouse_id, in_transit is dispatched - received, and the status says whether all arrived.
-- Also a committed dispatch (a TRANSFER_OUT under a workload's transfer reference, c<N>-T<M>)
-- without its transfer.
SELECT (SELECT count(*)
          FROM inventory.inventory_transfers t
          LEFT JOIN inventory.inventory_ledger o ON o.id = t.out_event_id
          CROSS JOIN LATERAL (
                SELECT coalesce(sum(i.quantity), 0) AS received,
                       count(*) FILTER (WHERE i.warehouse_id <> t.to_warehouse_id OR i.sku <> t.sku)
                         AS elsewhere
                  FROM inventory.inventory_ledger i
                 WHERE i.related_event_id = t.out_event_id AND i.event_type = 'TRANSFER_IN') i
         WHERE o.id IS NULL OR o.event_type <> 'TRANSFER_OUT' OR o.sku <> t.sku
            OR o.warehouse_id <> t.from_warehouse_id OR o.quantity <> t.quantity
            OR o.reference_id IS DISTINCT FROM t.transfer_ref
            OR i.received <> t.received OR i.elsewhere > 0
            OR t.in_transit <> t.quantity - i.received
            OR (t.status = 'RECEIVED') <> (t.quantity = i.received))
     + (SELECT count(*)
          FROM inventory.inventory_ledger g
         WHERE g.event_type = 'TRANSFER_OUT' AND g.reference_id LIKE 'c%-T%'
           AND NOT EXISTS (SELECT FROM inventory.inventory_transfers t WHERE t.out_event_id = g.id));
