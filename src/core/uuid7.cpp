#include "core/uuid7.hpp"

#include <algorithm>
#include <utility>

namespace inventory {

namespace {
constexpr std::uint16_t kCounterMax = 0x0FFF;
constexpr std::uint16_t kCounterSeedMask = 0x07FF;  // leave half the range for increments
}  // namespace

BufferedRandom::BufferedRandom(RandomFill source, std::size_t capacity)
    : source_(std::move(source)),
      buffer_(std::max<std::size_t>(capacity, 1)),
      next_(buffer_.size()) {}

void BufferedRandom::fill(std::span<std::uint8_t> out) {
    if (out.size() > buffer_.size()) {  // larger than the buffer: straight from the source
        source_(out);
        ++refills_;
        return;
    }
    if (buffer_.size() - next_ < out.size()) {
        next_ = buffer_.size();  // drop the rest: if the source throws, the buffer stays empty
        source_(std::span<std::uint8_t>(buffer_));
        ++refills_;
        next_ = 0;
    }
    const auto first = buffer_.begin() + static_cast<std::ptrdiff_t>(next_);
    std::copy(first, first + static_cast<std::ptrdiff_t>(out.size()), out.begin());
    std::fill(first, first + static_cast<std::ptrdiff_t>(out.size()), std::uint8_t{0});
    next_ += out.size();
}

Uuid7Generator::Uuid7Generator(Clock clock, RandomFill random)
    : clock_(std::move(clock)), random_(std::move(random)) {}

Uuid Uuid7Generator::next() {
    Uuid out{};
    // Bytes 6..15: 6 and 7 seed the counter, 8..15 are the random tail; 0..5 are the time.
    random_(std::span<std::uint8_t>(out).subspan(16 - kRandomBytesPerId));

    std::uint64_t now = clock_();
    if (now > last_ms_) {
        last_ms_ = now;
        counter_ = static_cast<std::uint16_t>(((out[6] << 8) | out[7]) & kCounterSeedMask);
    } else if (counter_ < kCounterMax) {
        ++counter_;  // same millisecond, or the clock stepped back
    } else {
        ++last_ms_;  // counter exhausted: borrow the next millisecond
        counter_ = 0;
    }

    for (int i = 0; i < 6; ++i) {
        out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(last_ms_ >> (40 - 8 * i));
    }
    out[6] = static_cast<std::uint8_t>(0x70 | (counter_ >> 8));
    out[7] = static_cast<std::uint8_t>(counter_ & 0xFF);
    out[8] = static_cast<std::uint8_t>(0x80 | (out[8] & 0x3F));
    return out;
}

std::string to_string(const Uuid& uuid) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text;
    text.reserve(36);
    for (std::size_t i = 0; i < uuid.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
        text.push_back(kHex[uuid[i] >> 4]);
        text.push_back(kHex[uuid[i] & 0x0F]);
    }
    return text;
}

}  // namespace inventory
