#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "core/level.hpp"

namespace inventory {
namespace {

// The order LevelKey sorts in is the order level rows are locked in (pg/level_store.hpp), and
// the SQL statements sort the same rows with COLLATE "C": both must be SKU bytewise (unsigned),
// then warehouse id.
TEST(LevelKey, SortsBySkuBytewiseThenWarehouse) {
    const std::vector<LevelKey> sorted{
        {"", 7},
        {"B", 2},  // 'B' 0x42 before 'a' 0x61: bytes, not a case-insensitive collation
        {"a", -1},
        {"a", 1},
        {"a", 10},
        {"ab", 0},  // a prefix sorts first
        {"z", 3},
        {"\xc3\xa9", 1},      // "é" (0xC3 0xA9) after 'z': bytes compare unsigned
        {"\xef\xbc\xa1", 1},  // fullwidth "Ａ"
    };
    for (std::size_t i = 0; i + 1 < sorted.size(); ++i) {
        EXPECT_LT(sorted[i], sorted[i + 1]) << i;
        EXPECT_GT(sorted[i + 1], sorted[i]) << i;
    }
    std::map<LevelKey, int> levels;
    for (auto it = sorted.rbegin(); it != sorted.rend(); ++it) levels.emplace(*it, 0);
    std::vector<LevelKey> in_map;
    for (const auto& [key, value] : levels) in_map.push_back(key);
    EXPECT_EQ(in_map, sorted);
}

TEST(LevelKey, EqualOnlyWithBothParts) {
    EXPECT_EQ((LevelKey{"SKU-1", 1}), (LevelKey{"SKU-1", 1}));
    EXPECT_NE((LevelKey{"SKU-1", 1}), (LevelKey{"SKU-1", 2}));
    EXPECT_NE((LevelKey{"SKU-1", 1}), (LevelKey{"SKU-2", 1}));
}

}  // namespace
}  // namespace inventory
