#pragma once
// Seeded randomness for jitter and ids: deterministic in tests, seeded from the OS by the
// composition root in production. Not for secrets.

#include <cstdint>

#include "router/api/types.hpp"

namespace bindery::router {

// xoshiro256** seeded through splitmix64.
class Rng {
public:
    explicit Rng(std::uint64_t seed) noexcept;
    std::uint64_t next() noexcept;
    // Uniform in [0, 1).
    double uniform() noexcept;
    // Uniform in [0, bound); 0 when bound is 0.
    std::uint64_t below(std::uint64_t bound) noexcept;

private:
    std::uint64_t s_[4]{};
};

// UUIDv7 ids (RFC 9562, method 1: 12-bit sub-millisecond counter in rand_a). Ids are strictly
// increasing for one generator even when the wall clock stalls or steps back.
class MessageIdGenerator {
public:
    explicit MessageIdGenerator(std::uint64_t seed) noexcept : rng_(seed) {}
    MessageId next(SystemTime wall_now) noexcept;

private:
    Rng rng_;
    std::uint64_t last_ms_ = 0;
    std::uint16_t counter_ = 0;
};

}  // namespace bindery::router
