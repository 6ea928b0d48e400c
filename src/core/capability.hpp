#pragma once
#include "core/no_postgres.hpp"

#include <optional>
#include <string>
#include <string_view>

#include "core/event.hpp"

namespace inventory {

// Who may do what (README.md, Roles): the one table of the extension's rights. Shop applications
// sell (ALLOCATE, DEALLOCATE, orders, expiry); warehouse systems put stock on the shelf or take
// it away (RECEIVE, RETURN, ADJUST, COUNT, TRANSFER, transfers in transit, purchase orders).
// Shipping (FULFILL) is the warehouse system's job, and a shop without one ships too: both may.
enum class GroupRole : unsigned {
    App = 1U << 0U,        // inventory_app
    Warehouse = 1U << 1U,  // inventory_warehouse
};

// A set of group roles; the privileges of any one of them grant the right.
class RoleSet {
  public:
    constexpr RoleSet() noexcept = default;
    constexpr RoleSet(GroupRole role) noexcept : bits_(static_cast<unsigned>(role)) {}  // NOLINT
    [[nodiscard]] constexpr bool contains(GroupRole role) const noexcept {
        return (bits_ & static_cast<unsigned>(role)) != 0U;
    }
    [[nodiscard]] constexpr bool empty() const noexcept { return bits_ == 0U; }
    friend constexpr RoleSet operator|(RoleSet a, RoleSet b) noexcept {
        RoleSet r;
        r.bits_ = a.bits_ | b.bits_;
        return r;
    }
    friend constexpr bool operator==(RoleSet a, RoleSet b) noexcept = default;

  private:
    unsigned bits_ = 0U;
};

inline constexpr GroupRole kGroupRoles[] = {GroupRole::App, GroupRole::Warehouse};

// The group role's name, as CREATE EXTENSION creates it.
[[nodiscard]] std::string_view role_name(GroupRole role) noexcept;

// "inventory_app or inventory_warehouse": the roles of a set, for messages.
[[nodiscard]] std::string role_names(RoleSet roles);

// The roles that may write an event type.
[[nodiscard]] RoleSet roles_for(EventKind kind) noexcept;

// The roles that may call a function that checks its caller itself (the thin SECURITY INVOKER
// entry points in front of a `<name>_body`); nullopt for a function not in the table.
[[nodiscard]] std::optional<RoleSet> roles_for_function(std::string_view function) noexcept;

}  // namespace inventory
