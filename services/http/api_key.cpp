#include "http/api_key.hpp"

#include <openssl/evp.h>

#include <array>

#include "core/api_key.hpp"

namespace inventory::services {

std::optional<std::string> api_key_from_headers(std::string_view authorization,
                                                std::string_view x_api_key) {
    constexpr std::string_view kBearer = "Bearer ";
    std::string_view key = x_api_key;
    if (authorization.starts_with(kBearer)) key = authorization.substr(kBearer.size());
    if (!inventory::is_well_formed_api_key(key)) return std::nullopt;
    return std::string(key);
}

std::string api_key_sha256_hex(std::string_view key) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_Digest(key.data(), key.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 0xF];
    }
    return hex;
}

std::optional<std::string> RecentKeys::role_of(const std::string& key_sha256) {
    if (ttl_.count() == 0) return std::nullopt;
    const std::lock_guard lock(mutex_);
    const auto found = entries_.find(key_sha256);
    if (found == entries_.end()) return std::nullopt;
    if (std::chrono::steady_clock::now() - found->second.seen > ttl_) {
        entries_.erase(found);
        return std::nullopt;
    }
    return found->second.role;
}

void RecentKeys::remember(const std::string& key_sha256, const std::string& role) {
    if (ttl_.count() == 0) return;
    const std::lock_guard lock(mutex_);
    if (entries_.size() > 10000) entries_.clear();  // bounded: a flood of keys cannot grow it
    entries_[key_sha256] = {role, std::chrono::steady_clock::now()};
}

void RecentKeys::forget(const std::string& key_sha256) {
    const std::lock_guard lock(mutex_);
    entries_.erase(key_sha256);
}

}  // namespace inventory::services
