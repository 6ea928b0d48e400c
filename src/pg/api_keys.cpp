// inventory_create_api_key, inventory_revoke_api_key and inventory_api_key_role (README: API
// keys). A key is made here from PostgreSQL's strong random source and shown once; the table
// keeps its SHA-256, computed by the INSERT, so the key appears in no statement text. Lookups
// take the hash: a service hashes the key itself, and the key never reaches the server's logs.
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "core/api_key.hpp"
#include "core/error.hpp"
#include "pg/arguments.hpp"
#include "pg/error_bridge.hpp"
#include "pg/results.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/uuid.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_create_api_key);
PG_FUNCTION_INFO_V1(inventory_revoke_api_key);
PG_FUNCTION_INFO_V1(inventory_api_key_role);
}

namespace inventory::pg {
namespace {

// Whether the role `r` (of pg_roles) may stand behind a key: it holds inventory_reader's rights
// (every inventory role does) and neither it nor any role it may SET ROLE to is a superuser or
// holds a right beyond the extension's checks (CREATEROLE, BYPASSRLS, REPLICATION, the
// predefined roles that read or write all data or the server's files): a service switches to
// the key's role per request, and such a role would bypass what the database checks. Checked
// when a key is created and again at every lookup, so a role that gains such a right later
// stops its keys.
const std::string kRoleHasRights =
    "pg_catalog.pg_has_role(r.oid, 'inventory_reader'::pg_catalog.name, 'USAGE')";
const std::string kRoleIsPowerful =
    "EXISTS (SELECT FROM pg_catalog.pg_roles a "
    "         WHERE pg_catalog.pg_has_role(r.oid, a.oid, 'MEMBER') "
    "           AND (a.rolsuper OR a.rolcreaterole OR a.rolbypassrls OR a.rolreplication "
    "                OR a.rolname OPERATOR(pg_catalog.=) ANY ('{pg_read_all_data, "
    "                   pg_write_all_data, pg_read_server_files, pg_write_server_files, "
    "                   pg_execute_server_program}'::pg_catalog.name[])))";

// The caller may hand out keys that act as `role` only if it may become that role itself.
void require_key_role(const std::string& role) {
    static const std::string sql = "SELECT " + kRoleHasRights + ", " + kRoleIsPowerful +
                                   ", pg_catalog.pg_has_role($2, r.oid, 'MEMBER') "
                                   "FROM pg_catalog.pg_roles r "
                                   "WHERE r.rolname OPERATOR(pg_catalog.=) $1";
    static spi::Statement role_state(sql.c_str(), {TEXTOID, OIDOID});
    const Datum values[] = {spi::text_datum(role), ObjectIdGetDatum(current_caller().role)};
    if (role_state.execute(values, nullptr, true) == 0) {
        throw Error(ErrorCode::InvalidParameter, "role \"" + role + "\" does not exist", "",
                    "Create the role first and grant it one of the inventory roles.");
    }
    if (!spi::get_bool(0, 1)) {
        throw Error(ErrorCode::InvalidParameter,
                    "role \"" + role + "\" does not have the rights of any inventory role", "",
                    "GRANT inventory_app, inventory_warehouse or inventory_admin TO " + role + ";");
    }
    if (spi::get_bool(0, 2)) {
        throw Error(ErrorCode::InvalidParameter, "an API key may not act as role \"" + role + "\"",
                    "It, or a role it is a member of, is a superuser or has CREATEROLE, "
                    "BYPASSRLS, REPLICATION or a predefined role that reads or writes all data "
                    "or the server's files.",
                    "Create a role with only the inventory rights the key needs.");
    }
    if (!spi::get_bool(0, 3)) {
        throw Error(ErrorCode::ForbiddenForRole,
                    "you may not create API keys that act as role \"" + role + "\"",
                    "Only a member of a role may hand out keys that act as it.",
                    "GRANT " + role + " TO the role that creates the key.");
    }
}

Datum create_api_key_body(FunctionCallInfo fcinfo) {
    const std::string role = required_text(fcinfo, 0, "role_name");
    const std::string label = required_text(fcinfo, 1, "label");
    validate_api_key_label(label);
    std::array<std::uint8_t, kApiKeyRandomBytes> random{};
    if (!pg_strong_random(random.data(), random.size())) {
        throw Error(ErrorCode::Internal, "could not generate random bytes for an API key");
    }
    const std::string key = format_api_key(random);
    const UuidBytes key_id = next_uuidv7();
    static spi::Statement insert(
        "INSERT INTO inventory.inventory_api_keys "
        "  (key_id, label, role_name, key_sha256, shown_prefix, created_by) "
        "VALUES ($1, $2, $3::pg_catalog.name, "
        "        pg_catalog.sha256(pg_catalog.convert_to($4, 'UTF8')), $5, $6::pg_catalog.name)",
        {UUIDOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID});
    spi::connect();
    require_key_role(role);
    const Datum values[] = {uuid_datum(key_id),
                            spi::text_datum(label),
                            spi::text_datum(role),
                            spi::text_datum(key),
                            spi::text_datum(key.substr(0, kApiKeyShownLength)),
                            actor_name()};
    insert.execute(values, nullptr);
    spi::finish();
    const Datum result[] = {uuid_datum(key_id), spi::text_datum(key)};
    return result_row(fcinfo, result, nullptr, 2);
}

Datum revoke_api_key_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) null_argument("key_id");
    // The row is locked first, so that two revocations at once answer true once.
    static spi::Statement revoke(
        "WITH k AS (SELECT k.key_id, k.revoked_at IS NULL AS active "
        "             FROM inventory.inventory_api_keys k "
        "            WHERE k.key_id OPERATOR(pg_catalog.=) $1 FOR UPDATE), "
        "     r AS (UPDATE inventory.inventory_api_keys u SET revoked_at = pg_catalog.now() "
        "             FROM k WHERE u.key_id OPERATOR(pg_catalog.=) k.key_id AND k.active "
        "           RETURNING u.key_id) "
        "SELECT EXISTS (SELECT FROM r) FROM k",
        {UUIDOID});
    spi::connect();
    const Datum values[] = {PG_GETARG_DATUM(0)};
    if (revoke.execute(values, nullptr) == 0) {
        throw Error(ErrorCode::ReferenceNotFound, "unknown API key", "",
                    "inventory.inventory_api_key_list lists the keys and their ids.");
    }
    const bool revoked = spi::get_bool(0, 1);
    spi::finish();
    PG_RETURN_BOOL(revoked);
}

Datum api_key_role_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    static const std::string sql =
        "SELECT k.role_name::pg_catalog.text FROM inventory.inventory_api_keys k "
        "JOIN pg_catalog.pg_roles r ON r.rolname OPERATOR(pg_catalog.=) k.role_name "
        "WHERE k.key_sha256 OPERATOR(pg_catalog.=) $1 AND k.revoked_at IS NULL AND " +
        kRoleHasRights + " AND NOT " + kRoleIsPowerful;
    static spi::Statement lookup(sql.c_str(), {BYTEAOID});
    spi::connect();
    const Datum values[] = {PG_GETARG_DATUM(0)};
    std::optional<std::string> role;
    if (lookup.execute(values, nullptr, true) > 0) role = spi::get_optional_text(0, 1);
    spi::finish();
    if (!role) PG_RETURN_NULL();
    return pg_guard([&] { return DirectFunctionCall1(namein, CStringGetDatum(role->c_str())); });
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_create_api_key(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp(
        [&] { return inventory::pg::run_as_owner(fcinfo, inventory::pg::create_api_key_body); });
}

extern "C" Datum inventory_revoke_api_key(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp(
        [&] { return inventory::pg::run_as_owner(fcinfo, inventory::pg::revoke_api_key_body); });
}

extern "C" Datum inventory_api_key_role(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp(
        [&] { return inventory::pg::run_as_owner(fcinfo, inventory::pg::api_key_role_body); });
}
