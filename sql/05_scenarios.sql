-- The source chapter's exercises, checked against the ledger after every step.

-- Hands-on exercise: receive 50; customer A buys 2; customer B buys 1; A returns 1 before
-- anything shipped (a return before shipping releases the reservation: DEALLOCATE).
SELECT on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('WIDGET', 1, 'RECEIVE', 50, 'PO-100');
SELECT regress.consistent();
SELECT on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('WIDGET', 1, 'ALLOCATE', 2, 'ORDER-A');
SELECT regress.consistent();
SELECT on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('WIDGET', 1, 'ALLOCATE', 1, 'ORDER-B');
SELECT regress.consistent();
SELECT on_hand, reserved, available_to_sell
  FROM inventory.inventory_apply_event('WIDGET', 1, 'DEALLOCATE', 1, 'ORDER-A', reason => 'customer returned before shipping');
SELECT regress.consistent();
SELECT on_hand = 50 AND reserved = 2 AND available_to_sell = 48 AS exercise_holds
  FROM regress.level('WIDGET', 1);
SELECT inventory.inventory_availability('WIDGET') -> 'available_to_sell' AS availability;

-- Real-world problem: 100 received, 20 sold offline, 5 destroyed, 2 returned of which 1 damaged.
SELECT on_hand FROM inventory.inventory_apply_event('LAMP', 2, 'RECEIVE', 100, 'PO-200');
SELECT on_hand FROM inventory.inventory_adjust('LAMP', -20, 'OFFLINE_SALE', 2, 'POS-DAY-1');
SELECT on_hand FROM inventory.inventory_adjust('LAMP', -5, 'DAMAGED', 2, 'FLOOD');
SELECT on_hand FROM inventory.inventory_apply_event('LAMP', 2, 'RETURN', 1, 'RMA-1', reason => 'RESTOCK');
SELECT on_hand FROM inventory.inventory_apply_event('LAMP', 2, 'RETURN', 1, 'RMA-2', reason => 'DAMAGED');
SELECT on_hand = 76 AS seventy_six_on_hand FROM regress.level('LAMP', 2);
SELECT regress.consistent();

-- 77 customers try to buy one lamp each: 76 get one, the 77th is refused.
SELECT outcome, count(*)
  FROM (SELECT regress.error_of(format(
                 $$SELECT inventory.inventory_apply_event('LAMP', 2, 'ALLOCATE', 1, 'WEB-%s')$$, n))
                 AS outcome
          FROM generate_series(1, 77) AS n) attempts
 GROUP BY outcome ORDER BY outcome;
SELECT on_hand, reserved, available_to_sell FROM regress.level('LAMP', 2);
SELECT event_type, reason, count(*), sum(quantity) AS quantity, sum(on_hand_change) AS on_hand_change
  FROM inventory.inventory_ledger WHERE sku = 'LAMP'
 GROUP BY 1, 2 ORDER BY 1, 2;
SELECT regress.consistent();

-- A whole order life in one transaction with a rollback in the middle: the rolled-back part
-- leaves no trace in the ledger or the levels.
BEGIN;
SELECT reserved FROM inventory.inventory_apply_event('WIDGET', 1, 'ALLOCATE', 10, 'ORDER-C');
SAVEPOINT before_ship;
SELECT on_hand FROM inventory.inventory_apply_event('WIDGET', 1, 'FULFILL', 10, 'ORDER-C');
ROLLBACK TO before_ship;
SELECT on_hand FROM inventory.inventory_apply_event('WIDGET', 1, 'FULFILL', 4, 'ORDER-C');
SELECT reserved FROM inventory.inventory_apply_event('WIDGET', 1, 'DEALLOCATE', 6, 'ORDER-C');
COMMIT;
SELECT on_hand, reserved, available_to_sell, version FROM regress.level('WIDGET', 1);
SELECT regress.consistent();
