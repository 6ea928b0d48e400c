// The OpenAPI 3 document of every route, compiled in from services/http/openapi.json.
#pragma once

#include <string_view>

namespace inventory::services {
[[nodiscard]] std::string_view openapi_document();
}
