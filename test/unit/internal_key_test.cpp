#include <gtest/gtest.h>

#include <string>

#include "core/internal_key.hpp"
#include "core/md5.hpp"

namespace inventory {
namespace {

// Values computed by PostgreSQL's md5(): the keys 0.3.x stored must be derived again exactly.
TEST(Md5, MatchesPostgres) {
    EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
    EXPECT_EQ(md5_hex(std::string(1000, 'a')), "cabe45dcc9ae5b66ba86600cca6b8ba8");
}

TEST(Md5, BlockBoundaries) {
    // RFC 1321's test suite: 80 digits (two blocks) and 62 characters (the padding spills over).
    EXPECT_EQ(md5_hex("1234567890123456789012345678901234567890123456789012345678901234567890"
                      "1234567890"),
              "57edf4a22be3c955ac49da2e2107b67a");
    EXPECT_EQ(md5_hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
              "d174ab98d277d9f5a5611c2c9f419d9f");
}

TEST(InternalKey, DispatchKeyAsZeroThreeStoredIt) {
    // SELECT 'inventory:dispatch:' || md5('T-1' || chr(31) || 'BOX' || chr(31) || 31::text)
    EXPECT_EQ(dispatch_key("T-1", "BOX", 31),
              "inventory:dispatch:43d5e4dd56eb02d513c05f0405a4be9a");
    // UTF-8 bytes and a negative warehouse id as int4out writes it.
    EXPECT_EQ(dispatch_key("\xc3\x9c-ref", "SKU-\xc3\xa9", -5),
              "inventory:dispatch:75ae7f333a7c6ec21111cff3706d4cbe");
}

TEST(InternalKey, DispatchKeyNamesTheRoute) {
    EXPECT_NE(dispatch_key("T-1", "BOX", 31), dispatch_key("T-1", "BOX", 32));
    EXPECT_NE(dispatch_key("T-1", "BOX", 31), dispatch_key("T-1", "BOY", 31));
    // The separator keeps ("T-1", "1BOX") and ("T-11", "BOX") apart.
    EXPECT_NE(dispatch_key("T-1", "1BOX", 31), dispatch_key("T-11", "BOX", 31));
}

TEST(InternalKey, PrefixIsTheExtensions) {
    EXPECT_TRUE(is_internal_key(dispatch_key("T-1", "BOX", 31)));
    EXPECT_TRUE(is_internal_key("inventory:anything"));
    EXPECT_FALSE(is_internal_key("Inventory:x"));
    EXPECT_FALSE(is_internal_key("po-7-line-1"));
}

}  // namespace
}  // namespace inventory
