#include "core/quantity.hpp"

#include <boost/multiprecision/cpp_int.hpp>
#include <limits>
#include <string>

#include "core/error.hpp"

namespace inventory {
namespace {

using Wide = boost::multiprecision::checked_int128_t;

Quantity narrow(const Wide& value, std::string_view what) {
    static const Wide lowest{std::numeric_limits<Quantity>::min()};
    static const Wide highest{std::numeric_limits<Quantity>::max()};
    if (value < lowest || value > highest) {
        throw Error(ErrorCode::OutOfRange, std::string(what) + " is out of range for type bigint",
                    "The result would be " + value.str() + ".");
    }
    return value.convert_to<Quantity>();
}

}  // namespace

Quantity checked_add(Quantity a, Quantity b, std::string_view what) {
    return narrow(Wide{a} + Wide{b}, what);
}

Quantity checked_sub(Quantity a, Quantity b, std::string_view what) {
    return narrow(Wide{a} - Wide{b}, what);
}

Quantity checked_neg(Quantity a, std::string_view what) {
    return narrow(-Wide{a}, what);
}

}  // namespace inventory
