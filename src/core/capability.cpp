#include "core/capability.hpp"

#include <array>
#include <utility>

namespace inventory {
namespace {

constexpr RoleSet kApp = GroupRole::App;
constexpr RoleSet kWarehouse = GroupRole::Warehouse;

// Functions whose public entry point checks its caller's rights (README.md, Roles).
constexpr std::array<std::pair<std::string_view, RoleSet>, 9> kFunctionRights{{
    {"inventory_adjust", kWarehouse},
    {"inventory_allocate_order", kApp},
    {"inventory_release_order", kApp},
    {"inventory_expire_reservations", kApp},
    {"inventory_dispatch_transfer", kWarehouse},
    {"inventory_receive_transfer", kWarehouse},
    {"inventory_expect_purchase_order", kWarehouse},
    {"inventory_receive_purchase_order", kWarehouse},
    {"inventory_cancel_purchase_order", kWarehouse},
}};

}  // namespace

std::string_view role_name(GroupRole role) noexcept {
    switch (role) {
        case GroupRole::App:
            return "inventory_app";
        case GroupRole::Warehouse:
            return "inventory_warehouse";
    }
    return "inventory_warehouse";
}

std::string role_names(RoleSet roles) {
    std::string names;
    for (GroupRole role : kGroupRoles) {
        if (!roles.contains(role)) continue;
        if (!names.empty()) names += " or ";
        names += role_name(role);
    }
    return names;
}

RoleSet roles_for(EventKind kind) noexcept {
    switch (kind) {
        case EventKind::Allocate:
        case EventKind::Deallocate:
            return kApp;
        case EventKind::Fulfill:
            return kApp | kWarehouse;
        case EventKind::Receive:
        case EventKind::Return:
        case EventKind::Adjust:
        case EventKind::Count:
        case EventKind::TransferOut:
        case EventKind::TransferIn:
            return kWarehouse;
        case EventKind::Rebalance:
            return RoleSet{};  // the engine's own rows: never a caller's request
    }
    return RoleSet{};  // an unknown kind: nobody
}

std::optional<RoleSet> roles_for_function(std::string_view function) noexcept {
    for (const auto& [name, roles] : kFunctionRights) {
        if (name == function) return roles;
    }
    return std::nullopt;
}

}  // namespace inventory
