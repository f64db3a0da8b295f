#include "http-frontend/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace bindery::http {

RateDecision RateLimiter::acquire(std::string_view client, const std::optional<RateLimit>& limit,
                                  TimePoint now, double cost) {
    const RateLimit l = limit.value_or(default_);
    if (l.per_second <= 0) return {};  // unlimited
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(std::string(client));
    if (it == buckets_.end()) {
        it = buckets_.emplace(std::string(client), Bucket{l.burst, now}).first;
    }
    Bucket& b = it->second;
    const double elapsed = std::chrono::duration<double>(now - b.last).count();
    if (elapsed > 0) {
        b.tokens = std::min(l.burst, b.tokens + elapsed * l.per_second);
        b.last = now;
    }
    if (b.tokens >= cost) {
        b.tokens -= cost;
        return {};
    }
    const double wait = (std::min(cost, l.burst) - b.tokens) / l.per_second;
    return {false, std::chrono::seconds(
                       std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait))))};
}

}  // namespace bindery::http
