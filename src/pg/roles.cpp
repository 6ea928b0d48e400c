#include "pg/roles.hpp"

#include <string>

#include "core/capability.hpp"
#include "core/error.hpp"
#include "pg/error_bridge.hpp"

namespace inventory::pg {
namespace {

const Caller* open_caller = nullptr;  // backend-local: the running entry point's caller

// Raises IV012 unless the caller has the privileges of one of `roles` (that exists): it may not
// `what` ("write RECEIVE events"), as `subject` ("RECEIVE") needs those privileges.
void require_rights(RoleSet roles, const std::string& what, const std::string& subject) {
    const Caller caller = current_caller();
    std::string missing;
    for (GroupRole role : kGroupRoles) {
        if (!roles.contains(role)) continue;
        const std::string name(role_name(role));
        struct Check {
            bool exists;
            bool allowed;
        };
        const Check check = pg_guard([&name, &caller] {
            const Oid role_oid = get_role_oid(name.c_str(), true);
            if (!OidIsValid(role_oid)) return Check{false, false};
            return Check{true, has_privs_of_role(caller.role, role_oid)};
        });
        if (check.allowed) return;
        if (!check.exists) missing += (missing.empty() ? "" : ", ") + name;
    }
    const char* caller_name =
        pg_guard([&caller] { return GetUserNameFromId(caller.role, /*noerr=*/true); });
    const std::string who = caller_name != nullptr ? caller_name : "?";
    if (!missing.empty()) {
        throw Error(
            ErrorCode::ForbiddenForRole,
            "role \"" + who + "\" may not " + what + ": role " + missing + " does not exist",
            subject + " needs the privileges of role " + role_names(roles) +
                "; a group role that does not exist grants nothing.",
            "Create the role again (CREATE ROLE " + missing +
                " NOLOGIN) and grant it to the logins that need it, or rename it back.");
    }
    throw Error(ErrorCode::ForbiddenForRole, "role \"" + who + "\" may not " + what,
                subject + " needs the privileges of role " + role_names(roles) + ".",
                "Shop applications (inventory_app) allocate, deallocate, fulfill and place "
                "orders; warehouse systems (inventory_warehouse) receive, return, adjust, count, "
                "transfer and fulfill stock.");
}

}  // namespace

CallerScope::CallerScope() noexcept : previous_(open_caller), caller_(current_caller()) {
    open_caller = &caller_;
}

CallerScope::~CallerScope() {
    open_caller = previous_;
}

void forget_caller_scopes() noexcept {
    open_caller = nullptr;
}

Caller current_caller() noexcept {
    if (open_caller != nullptr) return *open_caller;
    // Neither can fail: both read backend-local variables.
    return Caller{GetUserId(), GetAuthenticatedUserId()};
}

OwnerScope::OwnerScope(FunctionCallInfo fcinfo) {
    const Oid function = fcinfo->flinfo->fn_oid;
    const Oid owner = pg_guard([function] {
        HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(function));
        if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for function %u", function);
        const Oid proowner = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple))->proowner;
        ReleaseSysCache(tuple);
        return proowner;
    });
    GetUserIdAndSecContext(&saved_user_, &saved_context_);
    SetUserIdAndSecContext(owner, saved_context_ | SECURITY_LOCAL_USERID_CHANGE);
}

OwnerScope::~OwnerScope() {
    SetUserIdAndSecContext(saved_user_, saved_context_);
}

void require_capability(EventKind kind) {
    const std::string type(to_string(kind));
    require_rights(roles_for(kind), "write " + type + " events", type);
}

void require_function_rights(std::string_view function) {
    const auto roles = roles_for_function(function);
    const std::string what = "call " + std::string(function);
    if (!roles) {
        throw Error(ErrorCode::ForbiddenForRole,
                    std::string(function) + " is not in the extension's table of rights",
                    "Nobody may call it.");
    }
    require_rights(*roles, what, std::string(function));
}

namespace {

Datum user_name_datum(Oid role) {
    return pg_guard([role] { return CStringGetTextDatum(GetUserNameFromId(role, false)); });
}

}  // namespace

Datum actor_name() {
    return user_name_datum(current_caller().role);
}

Datum login_name() {
    return user_name_datum(current_caller().login);
}

}  // namespace inventory::pg
