-- API keys (issue 15 item 3): a key acts as one role; only its SHA-256 is stored; an admin
-- creates, lists and revokes keys; a service looks a key's role up by its hash.
CREATE EXTENSION IF NOT EXISTS inventory;
CREATE ROLE regress_key_shop NOLOGIN IN ROLE inventory_app;
CREATE ROLE regress_key_wms NOLOGIN IN ROLE inventory_warehouse;
CREATE ROLE regress_key_boss LOGIN IN ROLE inventory_admin;
CREATE ROLE regress_key_outsider NOLOGIN;
CREATE ROLE regress_key_root SUPERUSER NOLOGIN IN ROLE inventory_app;
CREATE ROLE regress_key_service LOGIN IN ROLE inventory_reader;
CREATE ROLE regress_key_maker NOLOGIN CREATEROLE IN ROLE inventory_app;  -- may create roles
CREATE ROLE regress_key_reads_all NOLOGIN IN ROLE inventory_app, pg_read_all_data;
CREATE ROLE regress_key_other NOLOGIN IN ROLE inventory_app;  -- the admin is no member of it
-- Only a member of a role may hand out keys that act as it.
GRANT regress_key_shop, regress_key_wms, regress_key_outsider, regress_key_root,
      regress_key_maker TO regress_key_boss;

SET ROLE regress_key_boss;
SELECT key_id AS shop_key_id, api_key AS shop_key
  FROM inventory.inventory_create_api_key('regress_key_shop', 'web shop') \gset
SELECT key_id AS wms_key_id, api_key AS wms_key
  FROM inventory.inventory_create_api_key('regress_key_wms', 'scanner NYC-1') \gset
-- The key: "ivk_" and 64 hex digits, shown once; the table keeps its SHA-256 and 12 characters.
SELECT :'shop_key' ~ '^ivk_[0-9a-f]{64}$' AS well_formed, :'shop_key' <> :'wms_key' AS distinct_keys;
SELECT label, role_name,
       shown_prefix = left(CASE label WHEN 'web shop' THEN :'shop_key' ELSE :'wms_key' END, 12) AS prefix_shown,
       created_by,
       revoked_at IS NULL AS active
  FROM inventory.inventory_api_key_list ORDER BY created_at;
-- Nobody reads the table itself, not even an admin: the list has no hash column.
SELECT count(*) FROM inventory.inventory_api_keys;
RESET ROLE;
SELECT count(*) AS stored_in_clear FROM inventory.inventory_api_keys
 WHERE key_sha256 = convert_to(:'shop_key', 'UTF8') OR shown_prefix = :'shop_key';
SELECT count(*) AS hashed FROM inventory.inventory_api_keys
 WHERE key_sha256 = sha256(convert_to(:'shop_key', 'UTF8'));

-- A service (a reader) resolves a key by its hash: the role, or NULL for an unknown key.
SET ROLE regress_key_service;
SELECT inventory.inventory_api_key_role(sha256(convert_to(:'shop_key', 'UTF8'))) AS shop_role,
       inventory.inventory_api_key_role(sha256(convert_to(:'wms_key', 'UTF8'))) AS wms_role,
       inventory.inventory_api_key_role(sha256(convert_to(:'shop_key' || 'x', 'UTF8'))) AS unknown,
       inventory.inventory_api_key_role(NULL) AS no_key;
-- ... but may neither create nor revoke keys, nor list them (42501).
SELECT inventory.inventory_create_api_key('regress_key_shop', 'mine');
SELECT inventory.inventory_revoke_api_key(:'shop_key_id');
SELECT count(*) FROM inventory.inventory_api_key_list;
RESET ROLE;

-- Bad input changes nothing: NULLs (22004), labels (22023), roles that do not exist, have no
-- inventory rights or are superusers (22023), an unknown key id (IV013).
SET ROLE regress_key_boss;
\set VERBOSITY sqlstate
SELECT inventory.inventory_create_api_key(NULL, 'x');
SELECT inventory.inventory_create_api_key('regress_key_shop', NULL);
SELECT inventory.inventory_create_api_key('regress_key_shop', '');
SELECT inventory.inventory_create_api_key('regress_key_shop', repeat('x', 201));
SELECT inventory.inventory_create_api_key('regress_key_shop', E'tab\there');
SELECT inventory.inventory_create_api_key('regress_key_nobody', 'x');
SELECT inventory.inventory_create_api_key('regress_key_outsider', 'x');
SELECT inventory.inventory_create_api_key('regress_key_root', 'x');
SELECT inventory.inventory_create_api_key('regress_key_maker', 'x');
RESET ROLE;
GRANT regress_key_reads_all TO regress_key_boss;  -- (only here: it would let the admin read all)
SET ROLE regress_key_boss;
SELECT inventory.inventory_create_api_key('regress_key_reads_all', 'x');
RESET ROLE;
REVOKE regress_key_reads_all FROM regress_key_boss;
SET ROLE regress_key_boss;
SELECT inventory.inventory_create_api_key('regress_key_other', 'x');
SELECT inventory.inventory_revoke_api_key('00000000-0000-7000-8000-000000000000');
SELECT inventory.inventory_revoke_api_key(NULL);
\set VERBOSITY default
SELECT inventory.inventory_create_api_key('regress_key_root', 'x');
SELECT inventory.inventory_create_api_key('regress_key_other', 'x');
SELECT count(*) AS keys FROM inventory.inventory_api_key_list;

-- Revoking takes effect at the next lookup; a second revocation says false.
SELECT inventory.inventory_revoke_api_key(:'shop_key_id') AS revoked,
       inventory.inventory_revoke_api_key(:'shop_key_id') AS again;
SELECT label, revoked_at IS NOT NULL AS revoked FROM inventory.inventory_api_key_list ORDER BY created_at;
RESET ROLE;
SET ROLE regress_key_service;
SELECT inventory.inventory_api_key_role(sha256(convert_to(:'shop_key', 'UTF8'))) AS revoked_shop,
       inventory.inventory_api_key_role(sha256(convert_to(:'wms_key', 'UTF8'))) AS wms_role;
RESET ROLE;
-- A key whose role later gains a right beyond the extension's checks resolves to nothing
-- (checked at every lookup), and works again when the right is gone.
ALTER ROLE regress_key_wms CREATEROLE;
SELECT inventory.inventory_api_key_role(sha256(convert_to(:'wms_key', 'UTF8'))) AS wms_with_createrole;
ALTER ROLE regress_key_wms NOCREATEROLE;
GRANT pg_write_all_data TO regress_key_wms;
SELECT inventory.inventory_api_key_role(sha256(convert_to(:'wms_key', 'UTF8'))) AS wms_writing_all;
REVOKE pg_write_all_data FROM regress_key_wms;
SELECT inventory.inventory_api_key_role(sha256(convert_to(:'wms_key', 'UTF8'))) AS wms_again;
-- A key whose role was dropped resolves to nothing.
CREATE ROLE regress_key_temp NOLOGIN IN ROLE inventory_app;
GRANT regress_key_temp TO regress_key_boss;
SET ROLE regress_key_boss;
SELECT api_key AS temp_key FROM inventory.inventory_create_api_key('regress_key_temp', 'temporary') \gset
RESET ROLE;
DROP ROLE regress_key_temp;
SELECT inventory.inventory_api_key_role(sha256(convert_to(:'temp_key', 'UTF8'))) AS dropped_role;

-- Clean up (the keys are user data, dumped with the extension).
DELETE FROM inventory.inventory_api_keys;
DROP ROLE regress_key_shop, regress_key_wms, regress_key_boss, regress_key_outsider,
          regress_key_root, regress_key_service, regress_key_maker, regress_key_reads_all,
          regress_key_other;
