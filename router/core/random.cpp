#include "router/core/random.hpp"

#include <chrono>

namespace bindery::router {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) noexcept {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(std::uint64_t seed) noexcept {
    for (auto& s : s_) s = splitmix64(seed);
}

std::uint64_t Rng::next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

double Rng::uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::uint64_t Rng::below(std::uint64_t bound) noexcept {
    if (bound == 0) return 0;
    // Lemire-style rejection keeps it unbiased.
    const std::uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        const std::uint64_t r = next();
        if (r >= threshold) return r % bound;
    }
}

MessageId MessageIdGenerator::next(SystemTime wall_now) noexcept {
    const auto since_epoch = wall_now.time_since_epoch();
    const auto ms_signed =
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
    std::uint64_t ms = ms_signed < 0 ? 0 : static_cast<std::uint64_t>(ms_signed);
    ms &= 0xFFFF'FFFF'FFFFULL;
    if (ms > last_ms_) {
        last_ms_ = ms;
        counter_ = static_cast<std::uint16_t>(rng_.next() & 0x3FF);  // leave headroom
    } else if (counter_ < 0xFFF) {
        ++counter_;  // same (or earlier) millisecond: keep ordering by the counter
    } else {
        ++last_ms_;  // counter exhausted: borrow the next millisecond
        counter_ = 0;
    }
    const std::uint64_t rand_b = rng_.next();
    MessageId::Bytes b{};
    for (std::size_t i = 0; i < 6; ++i) {
        b[i] = static_cast<std::uint8_t>(last_ms_ >> (8 * (5 - i)));
    }
    b[6] = static_cast<std::uint8_t>(0x70 | ((counter_ >> 8) & 0x0F));
    b[7] = static_cast<std::uint8_t>(counter_ & 0xFF);
    b[8] = static_cast<std::uint8_t>(0x80 | ((rand_b >> 56) & 0x3F));
    for (std::size_t i = 9; i < 16; ++i) {
        b[i] = static_cast<std::uint8_t>(rand_b >> (8 * (15 - i)));
    }
    return MessageId(b);
}

}  // namespace bindery::router
