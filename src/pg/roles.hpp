// The group roles of README.md's Roles section, as far as the C++ code checks them.
#pragma once

#include "core/event.hpp"

namespace inventory::pg {

// Raises IV012 unless the calling role (outside any SECURITY DEFINER function) has the
// privileges of the group role that may write this event type. Where that role does not
// exist (a 0.1.0 schema), table privileges alone decide, as they did then.
void require_capability(EventKind kind);

}  // namespace inventory::pg
