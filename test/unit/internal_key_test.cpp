#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/internal_key.hpp"

namespace inventory {
namespace {

// The digest is PostgreSQL's (the glue passes pg_md5_hash; sql/18 compares the stored key with
// 0.3.x's SQL formula). Here a visible stand-in shows exactly what is hashed.
std::string shown(std::string_view material) {
    std::string out = "md5(";
    for (char c : material) out += c == '\x1f' ? std::string("<31>") : std::string(1, c);
    return out + ")";
}

TEST(InternalKey, DispatchKeyHashesRefSkuAndDestinationAsZeroThreeDid) {
    // 'inventory:dispatch:' || md5('T-1' || chr(31) || 'BOX' || chr(31) || 31::text)
    EXPECT_EQ(dispatch_key("T-1", "BOX", 31, shown), "inventory:dispatch:md5(T-1<31>BOX<31>31)");
    // UTF-8 bytes unchanged and a negative warehouse id as int4out writes it.
    EXPECT_EQ(dispatch_key("\xc3\x9c-ref", "SKU-\xc3\xa9", -5, shown),
              "inventory:dispatch:md5(\xc3\x9c-ref<31>SKU-\xc3\xa9<31>-5)");
}

TEST(InternalKey, DispatchKeyNamesTheRoute) {
    EXPECT_NE(dispatch_key("T-1", "BOX", 31, shown), dispatch_key("T-1", "BOX", 32, shown));
    EXPECT_NE(dispatch_key("T-1", "BOX", 31, shown), dispatch_key("T-1", "BOY", 31, shown));
    // The separator keeps ("T-1", "1BOX") and ("T-11", "BOX") apart.
    EXPECT_NE(dispatch_key("T-1", "1BOX", 31, shown), dispatch_key("T-11", "BOX", 31, shown));
}

TEST(InternalKey, PrefixIsTheExtensions) {
    EXPECT_TRUE(is_internal_key(dispatch_key("T-1", "BOX", 31, shown)));
    EXPECT_TRUE(is_internal_key("inventory:anything"));
    EXPECT_FALSE(is_internal_key("Inventory:x"));
    EXPECT_FALSE(is_internal_key("po-7-line-1"));
}

}  // namespace
}  // namespace inventory
