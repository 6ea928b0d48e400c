#include "pg/roles.hpp"

#include <string>

#include "core/capability.hpp"
#include "core/error.hpp"
#include "pg/error_bridge.hpp"

namespace inventory::pg {

void require_capability(EventKind kind) {
    const std::string role(role_for(required_capability(kind)));
    struct Check {
        bool role_exists;
        bool allowed;
    };
    const Check check = pg_guard([&role] {
        const Oid role_oid = get_role_oid(role.c_str(), true);
        if (!OidIsValid(role_oid)) return Check{false, true};
        return Check{true, has_privs_of_role(GetOuterUserId(), role_oid)};
    });
    if (check.allowed) return;
    throw Error(ErrorCode::ForbiddenForRole,
                "role may not write " + std::string(to_string(kind)) + " events",
                std::string(to_string(kind)) + " needs the privileges of role " + role + ".",
                "Shop applications (inventory_app) allocate, deallocate and fulfill; only "
                "warehouse systems (inventory_warehouse) receive, return, adjust, count and "
                "transfer stock.");
}

}  // namespace inventory::pg
