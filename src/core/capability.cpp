#include "core/capability.hpp"

namespace inventory {

Capability required_capability(EventKind kind) noexcept {
    switch (kind) {
        case EventKind::Allocate:
        case EventKind::Deallocate:
        case EventKind::Fulfill:
            return Capability::Sell;
        case EventKind::Receive:
        case EventKind::Return:
        case EventKind::Adjust:
        case EventKind::Count:
        case EventKind::TransferOut:
        case EventKind::TransferIn:
            return Capability::Warehouse;
    }
    return Capability::Warehouse;
}

std::string_view role_for(Capability capability) noexcept {
    return capability == Capability::Sell ? "inventory_app" : "inventory_warehouse";
}

}  // namespace inventory
