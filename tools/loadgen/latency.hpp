#pragma once
// A bounded latency histogram for the load generator: log-linear buckets (HdrHistogram's idea,
// 1/128 relative precision) over microseconds, 1 us .. ~1 hour, mergeable across worker threads.
// Percentiles answer the upper edge of the bucket holding the rank, so they never flatter.

#include <array>
#include <cstdint>
#include <vector>

namespace bindery::loadgen {

class LatencyHistogram {
public:
    LatencyHistogram();

    void record_us(std::uint64_t us) noexcept;
    void merge(const LatencyHistogram& other) noexcept;

    [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
    [[nodiscard]] std::uint64_t max_us() const noexcept { return max_; }
    [[nodiscard]] std::uint64_t min_us() const noexcept { return count_ == 0 ? 0 : min_; }
    [[nodiscard]] double mean_us() const noexcept;
    // q in [0, 1]; 0 when empty.
    [[nodiscard]] std::uint64_t percentile_us(double q) const noexcept;

    // Bucket index of a value, and the largest value of a bucket (exposed for tests).
    [[nodiscard]] static std::size_t bucket_of(std::uint64_t us) noexcept;
    [[nodiscard]] static std::uint64_t upper_of(std::size_t bucket) noexcept;

private:
    static constexpr unsigned kSubBits = 7;  // 128 sub-buckets per power of two
    static constexpr unsigned kMaxExp = 32;  // up to 2^32 us (~71 minutes); larger clamps
    std::vector<std::uint64_t> buckets_;
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
    std::uint64_t min_ = ~std::uint64_t{0};
    double sum_ = 0;
};

}  // namespace bindery::loadgen
