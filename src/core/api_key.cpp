#include "core/api_key.hpp"

#include "core/error.hpp"
#include "core/event.hpp"

namespace inventory {

std::string format_api_key(const std::array<std::uint8_t, kApiKeyRandomBytes>& random) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string key(kApiKeyPrefix);
    key.reserve(kApiKeyLength);
    for (const std::uint8_t byte : random) {
        key.push_back(kHex[byte >> 4]);
        key.push_back(kHex[byte & 0x0f]);
    }
    return key;
}

bool is_well_formed_api_key(std::string_view key) noexcept {
    if (key.size() != kApiKeyLength || !key.starts_with(kApiKeyPrefix)) return false;
    for (const char c : key.substr(kApiKeyPrefix.size())) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

void validate_api_key_label(std::string_view label) {
    const std::size_t length = utf8_length(label);
    if (length < 1 || length > 200 || has_control_character(label)) {
        throw Error(ErrorCode::InvalidParameter,
                    "an API key's label must have 1 to 200 characters and no control characters",
                    "", "Name what the key is for, e.g. 'warehouse scanner NYC-1'.");
    }
}

}  // namespace inventory
