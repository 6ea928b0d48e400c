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

// A key acts as an existing role that holds inventory_reader's rights (every inventory role
// does) and is no superuser: the service that uses it switches to that role per request, and a
// superuser would bypass every check the database makes.
void require_key_role(const std::string& role) {
    static spi::Statement role_state(
        "SELECT r.rolsuper, pg_catalog.pg_has_role(r.oid, 'inventory_reader'::pg_catalog.name, "
        "                                          'USAGE') "
        "FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) $1",
        {TEXTOID});
    const Datum values[] = {spi::text_datum(role)};
    if (role_state.execute(values, nullptr, true) == 0) {
        throw Error(ErrorCode::InvalidParameter, "role \"" + role + "\" does not exist", "",
                    "Create the role first and grant it one of the inventory roles.");
    }
    if (spi::get_bool(0, 1)) {
        throw Error(ErrorCode::InvalidParameter,
                    "an API key may not act as the superuser \"" + role + "\"", "",
                    "Create a role with only the inventory rights the key needs.");
    }
    if (!spi::get_bool(0, 2)) {
        throw Error(ErrorCode::InvalidParameter,
                    "role \"" + role + "\" does not have the rights of any inventory role", "",
                    "GRANT inventory_app, inventory_warehouse or inventory_admin TO " + role + ";");
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
    static spi::Statement lookup(
        "SELECT k.role_name::pg_catalog.text FROM inventory.inventory_api_keys k "
        "WHERE k.key_sha256 OPERATOR(pg_catalog.=) $1 AND k.revoked_at IS NULL "
        "  AND EXISTS (SELECT FROM pg_catalog.pg_roles r "
        "               WHERE r.rolname OPERATOR(pg_catalog.=) k.role_name)",
        {BYTEAOID});
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
