COPY (SELECT sku, warehouse_id, on_hand, reserved, available_to_sell, safety_stock,
             allow_backorder, backorder_limit, version
        FROM inventory.inventory_levels ORDER BY sku, warehouse_id) TO STDOUT;
