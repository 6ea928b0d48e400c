COPY (SELECT sku, warehouse_id, on_hand, reserved, available_to_sell, safety_stock,
             allow_backorder, backorder_limit, version
        FROM inventory.inventory_levels ORDER BY sku, warehouse_id) TO STDOUT;
COPY (SELECT reference_id, sku, warehouse_id, order_ref, quantity, fulfilled, released, held,
             expires_at, status
        FROM inventory.inventory_reservations ORDER BY 1, 2, 3) TO STDOUT;
COPY (SELECT sku, warehouse_id, in_transit, incoming FROM inventory.inventory_stock_positions
       WHERE in_transit > 0 OR incoming > 0 ORDER BY 1, 2) TO STDOUT;
COPY (SELECT warehouse_id, country, priority FROM inventory.inventory_warehouse_countries
       ORDER BY 1, 2) TO STDOUT;
COPY (SELECT order_ref, allocation FROM inventory.inventory_orders ORDER BY 1) TO STDOUT;
COPY (SELECT sku, warehouse_id, stripe, stripe_count, on_hand, reserved, version
        FROM inventory.inventory_level_stripes ORDER BY 1, 2, 3) TO STDOUT;
COPY (SELECT reference_id, sku, warehouse_id, stripe FROM inventory.inventory_reservations
       ORDER BY 1, 2, 3) TO STDOUT;
