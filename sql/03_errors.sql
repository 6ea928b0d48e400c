-- Bad input gets a clear error with a documented SQLSTATE and changes nothing.
CREATE TEMP TABLE before_errors AS
  SELECT (SELECT count(*) FROM inventory.inventory_ledger) AS events,
         (SELECT string_agg(format('%s/%s:%s,%s,%s,%s', sku, warehouse_id, on_hand, reserved,
                                   available_to_sell, version), ' ' ORDER BY sku, warehouse_id)
            FROM inventory.inventory_levels) AS levels;

SELECT regress.level('ERR-1', 1);  -- no level yet
SELECT (inventory.inventory_apply_event('ERR-1', 1, 'RECEIVE', 10)).on_hand;
SELECT (inventory.inventory_apply_event('ERR-1', 1, 'ALLOCATE', 4)).reserved;
TRUNCATE before_errors;
INSERT INTO before_errors
  SELECT (SELECT count(*) FROM inventory.inventory_ledger),
         (SELECT string_agg(format('%s/%s:%s,%s,%s,%s', sku, warehouse_id, on_hand, reserved,
                                   available_to_sell, version), ' ' ORDER BY sku, warehouse_id)
            FROM inventory.inventory_levels);

-- The SQLSTATE is part of the message; shown once in full, but for its LOCATION: that names
-- the source line of the throw, which moves with every edit (test/errors/run.sh checks it).
\set VERBOSITY sqlstate
SELECT * FROM inventory.inventory_apply_event('ERR-1', 1, 'ALLOCATE', 7);
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT * FROM inventory.inventory_apply_event('ERR-1', 1, 'ALLOCATE', 7);

-- NULLs (22004)
SELECT regress.error_of($$SELECT inventory.inventory_apply_event(NULL, 1, 'RECEIVE', 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', NULL, 'RECEIVE', 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, NULL, 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'RECEIVE', NULL)$$);
SELECT regress.error_of($$SELECT inventory.inventory_ats(NULL)$$);
SELECT regress.error_of($$SELECT inventory.inventory_ats('ERR-1', NULL::integer)$$);
SELECT regress.error_of($$SELECT inventory.inventory_availability(NULL)$$);
SELECT regress.error_of($$SELECT inventory.inventory_transfer('ERR-1', 1, NULL, 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_adjust('ERR-1', NULL, 'THEFT', 1)$$);

-- SKUs (IV009): empty, over-long, control characters, blanks around
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('', 1, 'RECEIVE', 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event(repeat('x', 256), 1, 'RECEIVE', 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event(repeat('é', 256), 1, 'RECEIVE', 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event(repeat('x', 100000), 1, 'RECEIVE', 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event(E'A\tB', 1, 'RECEIVE', 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1 ', 1, 'RECEIVE', 1)$$);
-- 255 characters, multi-byte ones too, are fine
SELECT (inventory.inventory_apply_event(repeat('é', 255), 1, 'RECEIVE', 1)).on_hand AS long_sku_ok;

-- Quantities (IV004 for zero/negative, 22003 for overflow)
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'RECEIVE', 0)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'RECEIVE', -5)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'ALLOCATE', 0)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'DEALLOCATE', -1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'FULFILL', 0)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'RETURN', -1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'ADJUST', 0, reason => 'THEFT')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'COUNT', -1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_transfer('ERR-1', 1, 2, 0)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'RECEIVE', 9223372036854775807)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'ADJUST', 9223372036854775807, reason => 'FOUND')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'ADJUST', -9223372036854775808, reason => 'THEFT')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'RECEIVE', '9223372036854775808')$$);
-- the largest quantity is accepted where it fits
SELECT (inventory.inventory_apply_event('BIG', 3, 'RECEIVE', 9223372036854775807)).on_hand AS max_on_hand;
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('BIG', 3, 'RETURN', 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('BIG', 3, 'COUNT', 0)$$) AS count_to_zero_is_fine;
SELECT regress.level('BIG', 3);

-- Warehouses (IV003)
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 99, 'RECEIVE', 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_ats('ERR-1', 99)$$);
SELECT regress.error_of($$SELECT inventory.inventory_transfer('ERR-1', 1, 99, 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_transfer('ERR-1', 99, 1, 1)$$);

-- Event types (IV005)
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'SELL', 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, '', 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'TRANSFER', 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'TRANSFER_IN', 1)$$);
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity) VALUES ('ERR-1', 1, 'SELL', 1)$$);

-- Reasons (IV006)
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'ADJUST', -1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'ADJUST', -1, reason => 'because')$$);
SELECT regress.error_of($$SELECT inventory.inventory_adjust('ERR-1', -1, NULL, 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'RETURN', 1, reason => 'LOST')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'RECEIVE', 1, reason => '')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'RECEIVE', 1, reason => repeat('r', 256))$$);

-- Stock (IV001) and reservations (IV007)
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'ALLOCATE', 7)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'FULFILL', 5)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'DEALLOCATE', 5)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'ADJUST', -11, reason => 'THEFT')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'ADJUST', -7, reason => 'THEFT')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'COUNT', 3)$$);
SELECT regress.error_of($$SELECT inventory.inventory_transfer('ERR-1', 1, 2, 7)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('NEVER-SEEN', 1, 'ALLOCATE', 1)$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('NEVER-SEEN', 1, 'FULFILL', 1)$$);

-- Identifiers (IV010) and metadata (22023, or 22P02 when the JSON itself is malformed)
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'RECEIVE', 1, reference_id => '')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'RECEIVE', 1, idempotency_key => repeat('k', 256))$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'RECEIVE', 1, idempotency_key => E'k\n1')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'RECEIVE', 1, metadata => '[1, 2]')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'RECEIVE', 1, metadata => '"text"')$$);
SELECT regress.error_of($$SELECT inventory.inventory_apply_event('ERR-1', 1, 'RECEIVE', 1, metadata => '{"open": ')$$);
SELECT regress.error_of($$SELECT inventory.inventory_transfer('ERR-1', 1, 1, 1)$$);

-- The same refusals on the direct INSERT path, and the table's last line of defence.
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity) VALUES (NULL, 1, 'RECEIVE', 1)$$);
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity) VALUES ('ERR-1', 1, 'RECEIVE', 0)$$);
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity) VALUES ('ERR-1', 99, 'RECEIVE', 1)$$);
SELECT regress.error_of($$INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity, metadata) VALUES ('ERR-1', 1, 'RECEIVE', 1, '[]')$$);
SELECT regress.error_of($$UPDATE inventory.inventory_level_stripes SET on_hand = -1, available_to_sell = -5 WHERE sku = 'ERR-1'$$);
SELECT regress.error_of($$UPDATE inventory.inventory_level_stripes SET reserved = 11, available_to_sell = -1 WHERE sku = 'ERR-1'$$);
SELECT regress.error_of($$UPDATE inventory.inventory_level_stripes SET reserved = -1, available_to_sell = 11 WHERE sku = 'ERR-1'$$);
SELECT regress.error_of($$UPDATE inventory.inventory_level_stripes SET on_hand = 3, available_to_sell = -1 WHERE sku = 'ERR-1'$$);
SELECT regress.error_of($$UPDATE inventory.inventory_level_stripes SET reserved = 20, available_to_sell = -10, allow_backorder = true, backorder_limit = 5 WHERE sku = 'ERR-1'$$);

-- Nothing changed: same number of events, same levels (but the two successful ones above).
SELECT (SELECT count(*) FROM inventory.inventory_ledger) - events AS new_events,
       (SELECT string_agg(format('%s/%s:%s,%s,%s,%s', sku, warehouse_id, on_hand, reserved,
                                 available_to_sell, version), ' ' ORDER BY sku, warehouse_id)
          FROM inventory.inventory_levels WHERE sku NOT IN ('BIG') AND sku !~ '^é') = levels
       AS levels_unchanged
  FROM before_errors;
SELECT regress.consistent();
