#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "core/sku_lock.hpp"

namespace inventory {
namespace {

TEST(SkuLock, KeyIsFoldedFnv1aOfTheBytes) {
    // From the published FNV-1a 32-bit vectors ("" 0x811c9dc5, "a" 0xe40c292c, "foobar"
    // 0xbf9cf968), each byte folded into the lowest: the key must not change between library
    // versions (two backends of one cluster may run different builds during an upgrade).
    EXPECT_EQ(sku_lock_key(""), 197);
    EXPECT_EQ(sku_lock_key("a"), 237);
    EXPECT_EQ(sku_lock_key("foobar"), 178);
    EXPECT_EQ(sku_lock_key("SKU-1"), 135);
    EXPECT_EQ(sku_lock_key("SKU-2"), 192);
}

TEST(SkuLock, KeysStayInTheBucketsAndSpreadOverThem) {
    std::vector<int> per_key(kSkuLockBuckets, 0);
    constexpr int kSkus = 256 * 64;
    for (int i = 0; i < kSkus; ++i) {
        const std::int32_t key = sku_lock_key("SKU-" + std::to_string(i));
        ASSERT_GE(key, 0);
        ASSERT_LT(key, kSkuLockBuckets);
        ++per_key[static_cast<std::size_t>(key)];
    }
    // 64 SKUs per key on average: no key is empty or takes more than three times its share.
    EXPECT_GT(*std::min_element(per_key.begin(), per_key.end()), 0);
    EXPECT_LT(*std::max_element(per_key.begin(), per_key.end()), 3 * 64);
}

TEST(SkuLock, KeyDependsOnEveryByte) {
    EXPECT_NE(sku_lock_key("sku"), sku_lock_key("SKU"));
    EXPECT_NE(sku_lock_key(std::string("A\0B", 3)), sku_lock_key("A"));
    EXPECT_NE(sku_lock_key("caf\xc3\xa9"), sku_lock_key("cafe"));
}

TEST(SkuLock, KeysAreSortedAndUnique) {
    const std::vector<std::string> skus{"SKU-2", "a", "SKU-1", "a", "SKU-2"};
    const auto keys = sku_lock_keys(skus);
    ASSERT_EQ(keys.size(), 3u);
    EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
    for (const char* sku : {"a", "SKU-1", "SKU-2"}) {
        EXPECT_NE(std::find(keys.begin(), keys.end(), sku_lock_key(sku)), keys.end()) << sku;
    }
}

TEST(SkuLock, OrderDoesNotDependOnTheInputOrder) {
    const std::vector<std::string> one{"Z-9", "A-1", "M-5"};
    const std::vector<std::string> other{"M-5", "Z-9", "A-1"};
    EXPECT_EQ(sku_lock_keys(one), sku_lock_keys(other));
    EXPECT_TRUE(sku_lock_keys(std::vector<std::string>{}).empty());
}

TEST(StripeLine, KeyIsFnv1a64OfWarehouseStripeThenSku) {
    // 64-bit FNV-1a of the bytes: fixed across library versions, as the SKU lock's.
    EXPECT_EQ(stripe_line_key("", 1, 0), 18108579133170363140ull);
    EXPECT_EQ(stripe_line_key("a", 1, 0), 12842295307307072671ull);
    EXPECT_EQ(stripe_line_key("HOT", 1, 0), 14066363269665346303ull);
    EXPECT_EQ(stripe_line_key("HOT", 1, 1), 4972591949057969452ull);
    EXPECT_EQ(stripe_line_key("HOT", 2, 0), 17498383367598329886ull);
    EXPECT_EQ(stripe_line_key("HOT", 1, -1), 13433612034736569213ull);
    // The level's line, as stripes_level_line.spec sees it in pg_locks (classid, objid).
    EXPECT_EQ(stripe_line_key("WIDE", 1, kLevelLine), (2923121238ull << 32) | 2449846157ull);
}

TEST(StripeLine, EveryRowOfAThousandSkusInTwoWarehousesHasItsOwnLine) {
    std::set<std::uint64_t> keys;
    for (std::int32_t warehouse = 1; warehouse <= 2; ++warehouse) {
        for (int i = 0; i < 1000; ++i) {
            for (std::int16_t stripe = 0; stripe < 16; ++stripe)
                keys.insert(stripe_line_key("SKU-" + std::to_string(i), warehouse, stripe));
        }
    }
    EXPECT_EQ(keys.size(), 32000u);
    EXPECT_NE(stripe_line_key("SKU-1", 1, kLevelLine), stripe_line_key("SKU-1", 1, 0));
    EXPECT_NE(stripe_line_key("sku", 1, 0), stripe_line_key("SKU", 1, 0));
    EXPECT_NE(stripe_line_key("A", 1, 1), stripe_line_key("A", 1, 256));
    EXPECT_NE(stripe_line_key("A", 1, 0), stripe_line_key("A", 256, 0));
}

}  // namespace
}  // namespace inventory
