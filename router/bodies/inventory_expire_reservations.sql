-- Every partition in turn, each releasing what it finds due (committed there), until
-- max_reservations were released in all.
#variable_conflict use_column
DECLARE
  part integer;
  left_to_release integer := max_reservations;
  released_here integer;
BEGIN
  FOR part IN 0 .. inventory_router.partition_count() - 1 LOOP
    EXIT WHEN left_to_release IS NOT NULL AND left_to_release <= 0;
    RETURN QUERY SELECT * FROM inventory_router.inventory_expire_reservations_on(part, left_to_release, skip_locked);
    GET DIAGNOSTICS released_here = ROW_COUNT;
    left_to_release := left_to_release - released_here;
  END LOOP;
END;
