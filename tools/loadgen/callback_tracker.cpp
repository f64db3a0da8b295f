#include "tools/loadgen/callback_tracker.hpp"

#include <algorithm>
#include <bit>

namespace bindery::loadgen {

namespace {

std::uint64_t micros(CallbackTracker::Clock::duration d) {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(
        0, std::chrono::duration_cast<std::chrono::microseconds>(d).count()));
}

}  // namespace

void CallbackTracker::sending_started(Clock::time_point t) {
    std::lock_guard lock(mutex_);
    if (!started_ || t < first_send_) first_send_ = t;
    started_ = true;
}

void CallbackTracker::record_latency(const Entry& e) {
    latency_.record_us(micros(e.final_at - e.sent));
}

void CallbackTracker::accepted(std::span<const MessageKey> ids, Clock::time_point sent) {
    bool complete = false;
    {
        std::lock_guard lock(mutex_);
        for (const auto& id : ids) {
            auto& e = entries_[id];
            if (e.registered) continue;  // named twice: counted once
            e.registered = true;
            e.sent = sent;
            ++expected_;
            if (e.final_seen) {  // its callback came before the 202 was read
                ++completed_;
                record_latency(e);
            }
        }
        complete = completed_ == expected_;
    }
    if (complete) cv_.notify_all();
}

void CallbackTracker::received(const Arrival& a) {
    bool complete = false;
    {
        std::lock_guard lock(mutex_);
        first_arrival_ = received_ == 0 ? a.at : std::min(first_arrival_, a.at);
        ++received_;
        last_arrival_ = std::max(last_arrival_, a.at);
        if (!a.signature_ok) ++bad_signatures_;
        if (a.attempt > 1) ++retried_;
        if (!a.fields) {
            ++malformed_;
            return;
        }
        auto& e = entries_[a.fields->id];
        const auto bit = static_cast<std::uint16_t>(1U << static_cast<unsigned>(a.fields->state));
        if ((e.seen & bit) != 0) {
            ++duplicates_;
            return;
        }
        e.seen = static_cast<std::uint16_t>(e.seen | bit);
        ++by_state_[static_cast<std::size_t>(a.fields->state)];
        if (!is_final(a.fields->state) || e.final_seen) return;
        e.final_seen = true;
        e.final_at = a.at;
        if (e.registered) {
            ++completed_;
            record_latency(e);
            complete = completed_ == expected_;
        }
    }
    if (complete) cv_.notify_all();
}

bool CallbackTracker::wait_complete(Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return cv_.wait_until(lock, deadline, [&] { return completed_ >= expected_; });
}

CallbackSummary CallbackTracker::summary() const {
    std::lock_guard lock(mutex_);
    CallbackSummary s;
    s.expected = expected_;
    s.received = received_;
    for (std::size_t i = 0; i < by_state_.size(); ++i) {
        if (by_state_[i] > 0)
            s.by_state[std::string(to_string(static_cast<CallbackState>(i)))] = by_state_[i];
    }
    s.duplicates = duplicates_;
    s.retried = retried_;
    s.bad_signatures = bad_signatures_;
    s.malformed = malformed_;
    for (const auto& [id, e] : entries_) {
        if (!e.registered) s.unknown += static_cast<std::uint64_t>(std::popcount(e.seen));
    }
    s.completed = completed_;
    s.missing = expected_ - completed_;
    if (started_ && received_ > 0) {
        s.seconds = std::chrono::duration<double>(last_arrival_ - first_send_).count();
    }
    if (received_ > 0) {
        s.arrival_seconds = std::chrono::duration<double>(last_arrival_ - first_arrival_).count();
    }
    s.latency = latency_;
    return s;
}

}  // namespace bindery::loadgen
