-- inventory 0.3.1 -> 0.4.0: the hand-written part of the update. The Makefile appends every
-- source of src/sql/ (in the order of src/sql/ORDER) after it, so this file holds only what
-- CREATE OR REPLACE cannot do: dropping what goes away or changes shape (result type, OUT
-- columns, argument names or defaults; a view that loses columns), and table changes. What it
-- drops, the sources re-create with its comment and grants.
\echo Use "ALTER EXTENSION inventory UPDATE TO '0.4.0'" to load this file. \quit

-- h1: orders and releases are C++ (src/pg/orders.cpp); their PL/pgSQL bodies go.
DROP FUNCTION inventory.inventory_allocate_order_body(text, jsonb, text, integer, timestamptz, boolean, text, jsonb, text);
DROP FUNCTION inventory.inventory_release_order_body(text, text);

-- h3: transfers in transit, purchase orders, expiry and inventory_adjust are C++ (src/pg/
-- transfers.cpp, purchase_orders.cpp, expiry.cpp, adjust.cpp): their public names keep their
-- signatures and call the C++ code directly (the sources re-point them), so the PL/pgSQL
-- bodies go, and with them the transfer-leg function only those bodies called.
DROP FUNCTION inventory.inventory_adjust_body(text, bigint, text, integer, text, text, jsonb);
DROP FUNCTION inventory.inventory_dispatch_transfer_body(text, text, integer, integer, bigint, text, jsonb);
DROP FUNCTION inventory.inventory_receive_transfer_body(text, text, bigint, text, text, jsonb);
DROP FUNCTION inventory.inventory_expect_purchase_order_body(text, text, integer, bigint, timestamptz);
DROP FUNCTION inventory.inventory_receive_purchase_order_body(text, text, bigint, text, text, jsonb);
DROP FUNCTION inventory.inventory_cancel_purchase_order_body(text, text);
DROP FUNCTION inventory.inventory_expire_reservations_body(integer, boolean);
DROP FUNCTION inventory.inventory_append_transfer_leg(text, integer, text, bigint, text, text, text, jsonb, uuid);

-- The validators the PL/pgSQL writers called: the C++ writers validate in the core. (Their C
-- symbols stay in the library, which the scripts of released versions declare.)
DROP FUNCTION inventory.inventory_validate_sku(text);
DROP FUNCTION inventory.inventory_validate_idempotency_key(text);
