#include "http-frontend/submit_batcher.hpp"

#include <algorithm>
#include <utility>

namespace bindery::http {

SubmitBatcher::SubmitBatcher(router::GatewayApi& gateway, SubmitBatcherConfig config)
    : gateway_(gateway), config_(config) {
    const std::size_t n = std::max<std::size_t>(1, config_.threads);
    threads_.reserve(n);
    for (std::size_t i = 0; i < n; ++i) threads_.emplace_back([this] { run(); });
}

SubmitBatcher::~SubmitBatcher() { stop(); }

bool SubmitBatcher::submit(std::vector<router::SubmitRequest> requests, Done done) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || stats_.pending + requests.size() > config_.max_pending) {
            ++stats_.refused;
            return false;
        }
        ++stats_.requests;
        stats_.pending += requests.size();
        jobs_.push_back(Job{std::move(requests), std::move(done)});
    }
    wake_.notify_one();
    return true;
}

void SubmitBatcher::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) {
        if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
    }
}

SubmitBatcherStats SubmitBatcher::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void SubmitBatcher::run() {
    const std::size_t max_batch = std::max<std::size_t>(1, config_.max_batch);
    std::vector<Job> batch;
    std::vector<router::SubmitRequest> requests;
    for (;;) {
        batch.clear();
        requests.clear();
        bool more = false;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return;  // stopping and drained
            std::size_t messages = 0;
            // At least one job, then whole jobs while they fit.
            while (!jobs_.empty() &&
                   (batch.empty() || messages + jobs_.front().requests.size() <= max_batch)) {
                messages += jobs_.front().requests.size();
                batch.push_back(std::move(jobs_.front()));
                jobs_.pop_front();
            }
            stats_.pending -= messages;
            ++stats_.batches;
            stats_.messages += messages;
            more = !jobs_.empty();
        }
        // More queued than this thread took: another thread gathers it while this one commits.
        if (more) wake_.notify_one();
        for (auto& job : batch) {
            for (auto& r : job.requests) requests.push_back(std::move(r));
        }
        auto outcomes = gateway_.submit(requests);
        std::size_t at = 0;
        for (auto& job : batch) {
            const std::size_t n = job.requests.size();
            std::vector<router::SubmitOutcome> mine;
            mine.reserve(n);
            for (std::size_t i = 0; i < n; ++i, ++at) {
                job.requests[i] = std::move(requests[at]);
                if (at < outcomes.size()) {
                    mine.push_back(std::move(outcomes[at]));
                } else {
                    // A gateway answering short is a bug there: never report such entries accepted.
                    mine.emplace_back(Unexpected(router::SubmitError{
                        router::SubmitErrc::unavailable, "no outcome from the gateway", std::nullopt}));
                }
            }
            if (job.done) job.done(std::move(job.requests), std::move(mine));
        }
    }
}

}  // namespace bindery::http
