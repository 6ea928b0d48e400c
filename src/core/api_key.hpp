// API keys (README: API keys): what a key looks like and what its label may be. A key is
// shown once, when it is created; the database keeps only its SHA-256 (pg/api_keys.cpp).
#pragma once
#include "core/no_postgres.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace inventory {

inline constexpr std::string_view kApiKeyPrefix = "ivk_";
inline constexpr std::size_t kApiKeyRandomBytes = 32;
// "ivk_" and 64 lower-case hex digits.
inline constexpr std::size_t kApiKeyLength = kApiKeyPrefix.size() + 2 * kApiKeyRandomBytes;
// How much of a key a listing shows to tell keys apart: "ivk_" and its first 8 hex digits.
inline constexpr std::size_t kApiKeyShownLength = kApiKeyPrefix.size() + 8;

// The key made of `random` bytes (from a cryptographically strong source).
[[nodiscard]] std::string format_api_key(
    const std::array<std::uint8_t, kApiKeyRandomBytes>& random);

// Whether `key` has the form format_api_key gives.
[[nodiscard]] bool is_well_formed_api_key(std::string_view key) noexcept;

// A label: 1 to 200 characters, no control characters. Error(InvalidParameter) otherwise.
void validate_api_key_label(std::string_view label);

}  // namespace inventory
