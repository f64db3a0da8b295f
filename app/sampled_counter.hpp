#pragma once
// A Prometheus counter that follows a cumulative count kept elsewhere (a module's stats, read at
// each scrape): prometheus-cpp counters only increase, so each sample adds the difference.

#include <prometheus/counter.h>

#include <cstdint>

namespace bindery::app {

class SampledCounter {
public:
    explicit SampledCounter(prometheus::Counter& counter) : counter_(counter) {}
    void follow(std::uint64_t total) {
        if (total > last_) counter_.Increment(static_cast<double>(total - last_));
        last_ = total;
    }

private:
    prometheus::Counter& counter_;
    std::uint64_t last_ = 0;
};

}  // namespace bindery::app
