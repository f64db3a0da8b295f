#include "router/api/submit_batcher.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "smpp/base/thread_name.hpp"

namespace bindery::router {

SubmitBatcher::SubmitBatcher(GatewayApi& gateway, SubmitBatcherConfig config)
    : gateway_(gateway), config_(std::move(config)) {
    const std::size_t n = std::max<std::size_t>(1, config_.threads);
    threads_.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        threads_.emplace_back([this, i] {
            name_this_thread("submit-" + std::to_string(i));
            run();
        });
}

SubmitBatcher::~SubmitBatcher() { stop(); }

bool SubmitBatcher::submit(std::vector<SubmitRequest> requests, Done done) {
    {
        std::lock_guard lock(mutex_);
        const bool full = config_.pending_unit == PendingUnit::messages
                              ? stats_.pending + requests.size() > config_.max_pending
                              : stats_.pending_submits >= config_.max_pending;
        if (stopping_ || full) {
            ++stats_.refused;
            return false;
        }
        ++stats_.requests;
        stats_.pending += requests.size();
        ++stats_.pending_submits;
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
    std::vector<SubmitRequest> requests;
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
            stats_.pending_submits -= batch.size();
            ++stats_.batches;
            stats_.messages += messages;
            more = !jobs_.empty();
        }
        // More queued than this thread took: another thread gathers it while this one commits.
        if (more) wake_.notify_one();
        for (auto& job : batch) {
            for (auto& r : job.requests) requests.push_back(std::move(r));
        }
        answer(batch, requests);
    }
}

void SubmitBatcher::answer(std::vector<Job>& batch, std::vector<SubmitRequest>& requests) {
    std::vector<SubmitOutcome> outcomes;
    try {
        outcomes = gateway_.submit(requests);
    } catch (const std::exception& e) {  // the gateway never should; answer, do not die
        outcomes.clear();
        if (config_.on_exception) config_.on_exception(e);
    } catch (...) { outcomes.clear(); }
    std::size_t at = 0;
    for (auto& job : batch) {
        const std::size_t n = job.requests.size();
        std::vector<SubmitOutcome> mine;
        mine.reserve(n);
        for (std::size_t i = 0; i < n; ++i, ++at) {
            job.requests[i] = std::move(requests[at]);
            if (at < outcomes.size()) {
                mine.push_back(std::move(outcomes[at]));
            } else {
                mine.emplace_back(Unexpected(SubmitError{
                    SubmitErrc::unavailable, "no outcome from the gateway", std::nullopt}));
            }
        }
        if (job.done) job.done(std::move(job.requests), std::move(mine));
    }
}

}  // namespace bindery::router
