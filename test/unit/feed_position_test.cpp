// The change feed's position (core/feed_position.hpp): its form, and a position of another
// database.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/feed_position.hpp"
#include "test_support.hpp"

namespace inventory {
namespace {

TEST(FeedPosition, SplitsOriginAndSnapshot) {
    EXPECT_EQ(feed_origin(7301234567890123456, 16384), "7301234567890123456/16384");
    const FeedPosition p = parse_feed_position("1/2/3:5:3,4");
    EXPECT_EQ(p.origin, "1/2");
    EXPECT_EQ(p.snapshot, "3:5:3,4");
    EXPECT_EQ(parse_feed_position("1/2/5:5:").snapshot, "5:5:");
}

TEST(FeedPosition, RefusesAnythingElse) {
    for (std::string_view bad : {"", "garbage", "1/2", "1/2/", "1/2/3", "1/2/3:5", "1/2/3:5:,",
                                 "1/2/3:5:3,", "1/2/3:5:3,,4", "a/2/3:5:", "1//3:5:", "1/2/3:5: ",
                                 " 1/2/3:5:", "1/2/3/3:5:", "-1/2/3:5:"}) {
        EXPECT_ERROR_CODE(ErrorCode::InvalidParameter, (void)parse_feed_position(bad))
            << '"' << bad << '"';
    }
}

TEST(FeedPosition, ErrorShowsTheFirstHundredCharacters) {
    const std::string long_position = std::string(99, 'x') + "\xC3\xA9\xC3\xA9";  // 101 characters
    const auto error = test::CatchError([&] { (void)parse_feed_position(long_position); });
    ASSERT_TRUE(error);
    EXPECT_EQ(std::string(error->what()),
              "invalid change feed position \"" + std::string(99, 'x') + "\xC3\xA9\"");
    EXPECT_EQ(error->hint(),
              "Pass the next_position of the previous call, or NULL for the full state.");
}

TEST(FeedPosition, RefusesAnotherDatabase) {
    const FeedPosition p = parse_feed_position("1/2/3:5:");
    EXPECT_NO_THROW(require_feed_origin(p, "1/2", false));
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter, require_feed_origin(p, "1/3", false));
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter, require_feed_origin(p, "1/2", true));
}

}  // namespace
}  // namespace inventory
