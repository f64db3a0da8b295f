#pragma once
// A Prometheus counter that follows a cumulative count kept elsewhere (a module's stats, read at
// each scrape), advanced with http::advance; and the counter families the app's collectors
// register.

#include <prometheus/counter.h>

#include <cstdint>

#include "http-frontend/metrics.hpp"

namespace bindery::app {

class SampledCounter {
public:
    explicit SampledCounter(prometheus::Counter& counter) : counter_(counter) {}
    void follow(std::uint64_t total) { http::advance(counter_, last_, total); }

private:
    prometheus::Counter& counter_;
    std::uint64_t last_ = 0;
};

inline prometheus::Family<prometheus::Counter>& counter_family(http::Metrics& metrics,
                                                               const char* name, const char* help) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(metrics.registry());
}

}  // namespace bindery::app
