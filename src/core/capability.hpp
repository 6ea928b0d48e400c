#pragma once
#include "core/no_postgres.hpp"

#include <string_view>

#include "core/event.hpp"

namespace inventory {

// Who may write an event: shop applications sell what is on the shelf, only warehouse systems
// put stock there or take it away (the source chapter: "only warehouse systems may restock").
enum class Capability {
    Sell,       // ALLOCATE, DEALLOCATE, FULFILL
    Warehouse,  // RECEIVE, RETURN, ADJUST, COUNT, TRANSFER_OUT, TRANSFER_IN
};

[[nodiscard]] Capability required_capability(EventKind kind) noexcept;

// The group role that grants a capability (README.md, Roles).
[[nodiscard]] std::string_view role_for(Capability capability) noexcept;

}  // namespace inventory
