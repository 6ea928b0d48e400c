#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/sku_lock.hpp"

namespace inventory {
namespace {

TEST(SkuLock, KeyIsFnv1aOfTheBytes) {
    // Published FNV-1a 32-bit test vectors: the key must not change between library versions
    // (two backends of one cluster may run different builds during an upgrade).
    EXPECT_EQ(static_cast<std::uint32_t>(sku_lock_key("")), 0x811c9dc5u);
    EXPECT_EQ(static_cast<std::uint32_t>(sku_lock_key("a")), 0xe40c292cu);
    EXPECT_EQ(static_cast<std::uint32_t>(sku_lock_key("foobar")), 0xbf9cf968u);
}

TEST(SkuLock, KeyDependsOnEveryByte) {
    EXPECT_NE(sku_lock_key("SKU-1"), sku_lock_key("SKU-2"));
    EXPECT_NE(sku_lock_key("sku"), sku_lock_key("SKU"));
    EXPECT_NE(sku_lock_key(std::string("A\0B", 3)), sku_lock_key("A"));
    EXPECT_NE(sku_lock_key("caf\xc3\xa9"), sku_lock_key("cafe"));
}

TEST(SkuLock, KeysAreSortedAndUnique) {
    const std::vector<std::string> skus{"B", "A", "C", "A", "B"};
    const auto keys = sku_lock_keys(skus);
    ASSERT_EQ(keys.size(), 3u);
    EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
    for (const char* sku : {"A", "B", "C"}) {
        EXPECT_NE(std::find(keys.begin(), keys.end(), sku_lock_key(sku)), keys.end()) << sku;
    }
}

TEST(SkuLock, OrderDoesNotDependOnTheInputOrder) {
    const std::vector<std::string> one{"Z-9", "A-1", "M-5"};
    const std::vector<std::string> other{"M-5", "Z-9", "A-1"};
    EXPECT_EQ(sku_lock_keys(one), sku_lock_keys(other));
    EXPECT_TRUE(sku_lock_keys(std::vector<std::string>{}).empty());
}

}  // namespace
}  // namespace inventory
