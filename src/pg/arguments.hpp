// Reading the arguments of a SQL-callable function: an optional argument is std::nullopt when
// NULL, a required one is refused with 22004 naming it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "pg/spi.hpp"

namespace inventory::pg {

[[noreturn]] inline void null_argument(const char* name) {
    throw Error(ErrorCode::NullArgument, std::string(name) + " must not be NULL");
}

inline std::optional<std::string> text_argument(FunctionCallInfo fcinfo, int n) {
    if (PG_ARGISNULL(n)) return std::nullopt;
    return spi::text_value(PG_GETARG_DATUM(n));
}

inline std::string required_text(FunctionCallInfo fcinfo, int n, const char* name) {
    auto value = text_argument(fcinfo, n);
    if (!value) null_argument(name);
    return *value;
}

inline std::optional<std::int64_t> int64_argument(FunctionCallInfo fcinfo, int n) {
    if (PG_ARGISNULL(n)) return std::nullopt;
    return PG_GETARG_INT64(n);
}

inline std::int32_t required_int32(FunctionCallInfo fcinfo, int n, const char* name) {
    if (PG_ARGISNULL(n)) null_argument(name);
    return PG_GETARG_INT32(n);
}

inline std::int64_t required_int64(FunctionCallInfo fcinfo, int n, const char* name) {
    if (PG_ARGISNULL(n)) null_argument(name);
    return PG_GETARG_INT64(n);
}

inline bool required_bool(FunctionCallInfo fcinfo, int n, const char* name) {
    if (PG_ARGISNULL(n)) null_argument(name);
    return PG_GETARG_BOOL(n);
}

}  // namespace inventory::pg
