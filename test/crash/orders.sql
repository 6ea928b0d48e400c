-- Orders that disagree with their ledger events and reservations, counted (0 when all agree).
WITH parts AS (
  SELECT o.order_ref, o.expires_at, a ->> 'line' AS line, a ->> 'sku' AS sku,
         (a ->> 'warehouse_id')::integer AS warehouse_id, (a ->> 'quantity')::bigint AS quantity,
         a ->> 'reference_id' AS reference_id, (a ->> 'event_id')::uuid AS event_id
    FROM inventory.inventory_orders o, jsonb_array_elements(o.allocation) a
), problems AS (
  -- A part of an allocation that is not its ALLOCATE event (SKU, warehouse, units, order/line).
  SELECT p.order_ref FROM parts p LEFT JOIN inventory.inventory_ledger g ON g.id = p.event_id
   WHERE g.id IS NULL OR g.event_type <> 'ALLOCATE' OR g.sku <> p.sku
      OR g.warehouse_id <> p.warehouse_id OR g.quantity <> p.quantity
      OR g.reference_id <> p.order_ref || '/' || p.line OR p.reference_id <> g.reference_id
  UNION ALL
  -- A line whose parts do not add up to what it requested (an order reserves all or nothing).
  SELECT o.order_ref FROM inventory.inventory_orders o, jsonb_array_elements(o.lines) l
   WHERE (l ->> 'quantity')::bigint IS DISTINCT FROM
         (SELECT sum(p.quantity) FROM parts p
           WHERE p.order_ref = o.order_ref AND p.line = l ->> 'line')
  UNION ALL
  -- A reservation of the order's parts that does not name the order, allocated other units than
  -- the parts, or holds until another time than the order asked.
  SELECT s.order_ref
    FROM (SELECT order_ref, expires_at, reference_id, sku, warehouse_id, sum(quantity) AS quantity
            FROM parts GROUP BY 1, 2, 3, 4, 5) s
    LEFT JOIN inventory.inventory_reservations r
      ON r.reference_id = s.reference_id AND r.sku = s.sku AND r.warehouse_id = s.warehouse_id
   WHERE r.reference_id IS NULL OR r.order_ref IS DISTINCT FROM s.order_ref
      OR r.quantity <> s.quantity OR r.expires_at IS DISTINCT FROM s.expires_at
  UNION ALL
  -- A reservation naming an order that has no such part.
  SELECT r.order_ref FROM inventory.inventory_reservations r
   WHERE r.order_ref IS NOT NULL
     AND NOT EXISTS (SELECT FROM parts p
                      WHERE p.order_ref = r.order_ref AND p.reference_id = r.reference_id
                        AND p.sku = r.sku AND p.warehouse_id = r.warehouse_id)
  UNION ALL
  -- A committed ALLOCATE of a workload's order (c<N>-O<M>/line) that no allocation names.
  SELECT g.reference_id FROM inventory.inventory_ledger g
   WHERE g.event_type = 'ALLOCATE' AND g.reference_id LIKE 'c%-O%/%'
     AND NOT EXISTS (SELECT FROM parts p WHERE p.event_id = g.id)
)
SELECT count(*) FROM problems;
