#pragma once
// Per-client token buckets. Thread-safe; `now` is passed in (steady clock) so tests need no sleep.

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http-frontend/auth.hpp"
#include "smpp/base/clock.hpp"

namespace bindery::http {

struct RateDecision {
    bool allowed = true;
    std::chrono::seconds retry_after{0};  // when refused: whole seconds until a token is back
};

class RateLimiter {
public:
    explicit RateLimiter(RateLimit default_limit) : default_(default_limit) {}

    // Takes `cost` tokens from `client`'s bucket (created full on first use).
    RateDecision acquire(std::string_view client, const std::optional<RateLimit>& limit,
                         TimePoint now, double cost = 1.0);

private:
    struct Bucket {
        double tokens = 0;
        TimePoint last{};
    };
    RateLimit default_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace bindery::http
