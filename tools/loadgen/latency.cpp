#include "tools/loadgen/latency.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace bindery::loadgen {

namespace {
constexpr std::uint64_t kSub = std::uint64_t{1} << 7;
}

LatencyHistogram::LatencyHistogram() : buckets_(bucket_of(~std::uint64_t{0}) + 1, 0) {}

std::size_t LatencyHistogram::bucket_of(std::uint64_t us) noexcept {
    // Values below 2 * kSub are exact; above, each power of two is split into kSub buckets.
    if (us < 2 * kSub) return static_cast<std::size_t>(us);
    const auto top = static_cast<unsigned>(std::bit_width(us)) - 1;  // floor(log2(us)) >= 8
    const unsigned exp = std::min(top, kMaxExp);
    if (top > kMaxExp) us = (std::uint64_t{1} << (kMaxExp + 1)) - 1;  // clamp
    const unsigned shift = exp - kSubBits;
    const std::uint64_t sub = (us >> shift) - kSub;  // 0 .. kSub-1
    return static_cast<std::size_t>(2 * kSub + (exp - (kSubBits + 1)) * kSub + sub);
}

std::uint64_t LatencyHistogram::upper_of(std::size_t bucket) noexcept {
    if (bucket < 2 * kSub) return bucket;
    const std::uint64_t rel = bucket - 2 * kSub;
    const unsigned exp = static_cast<unsigned>(rel / kSub) + kSubBits + 1;
    const std::uint64_t sub = rel % kSub;
    const unsigned shift = exp - kSubBits;
    return ((kSub + sub + 1) << shift) - 1;
}

void LatencyHistogram::record_us(std::uint64_t us) noexcept {
    ++buckets_[bucket_of(us)];
    ++count_;
    max_ = std::max(max_, us);
    min_ = std::min(min_, us);
    sum_ += static_cast<double>(us);
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
    for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
    min_ = std::min(min_, other.min_);
    sum_ += other.sum_;
}

double LatencyHistogram::mean_us() const noexcept {
    return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_);
}

std::uint64_t LatencyHistogram::percentile_us(double q) const noexcept {
    if (count_ == 0) return 0;
    q = std::clamp(q, 0.0, 1.0);
    // The rank-th smallest sample (1-based), nearest-rank definition.
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        seen += buckets_[i];
        if (seen >= rank) return std::min(upper_of(i), max_);
    }
    return max_;
}

}  // namespace bindery::loadgen
