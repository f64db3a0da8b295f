#pragma once
// InflightWindow: the requests a session has sent and not yet seen answered, each with its own
// response deadline (now + response_timeout at insert). Driven from outside: no thread, no timer,
// no lock, no clock read. The session completes entries as responses arrive (in any order), asks
// for expired ones on each tick, and drains the rest on close so the owner can retry them.
//
// Storage is one contiguous vector reserved at construction (SMPP windows are 1..a few hundred),
// so insert/complete never allocate; lookups are a linear scan over at most `capacity` entries.
// What runs on every PDU is O(1): insert (a new sequence number is above every one in flight, so
// no scan unless the numbers wrapped) and deadline_bound() (the timer the session arms).

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "smpp/base/clock.hpp"

namespace bindery::smpp {

template <class Request>
class InflightWindow {
public:
    struct Entry {
        std::uint32_t sequence_number = 0;
        TimePoint sent_at{};
        TimePoint deadline{};
        Request request;
    };

    // capacity 0 is treated as 1 (a window that can never send is a configuration error).
    InflightWindow(std::size_t capacity, Duration response_timeout)
        : capacity_(std::max<std::size_t>(capacity, 1)), response_timeout_(response_timeout) {
        entries_.reserve(capacity_);
    }

    [[nodiscard]] bool has_room() const noexcept { return entries_.size() < capacity_; }
    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
    [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }
    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
    [[nodiscard]] Duration response_timeout() const noexcept { return response_timeout_; }

    [[nodiscard]] bool contains(std::uint32_t seq) const noexcept { return find(seq) != nullptr; }

    // Records a sent request with deadline now + response_timeout. Refuses (returns false, keeps
    // nothing) when the window is full or `seq` is already in flight.
    [[nodiscard]] bool insert(std::uint32_t seq, Request request, TimePoint now) {
        if (!has_room()) return false;
        const TimePoint deadline = now + response_timeout_;
        if (entries_.empty()) {
            max_seq_ = seq;
            bound_ = deadline;
        } else {
            if (seq <= max_seq_ && contains(seq)) return false;
            max_seq_ = std::max(max_seq_, seq);
            bound_ = std::min(bound_, deadline);
        }
        entries_.push_back(Entry{seq, now, deadline, std::move(request)});
        return true;
    }

    // The entry for `seq` (for reading sent_at before completing), or nullptr.
    [[nodiscard]] const Entry* find(std::uint32_t seq) const noexcept {
        for (const auto& e : entries_) {
            if (e.sequence_number == seq) return &e;
        }
        return nullptr;
    }

    // Removes and returns the request answered by a response with `seq` (any order).
    std::optional<Request> complete(std::uint32_t seq) {
        auto e = complete_entry(seq);
        if (!e) return std::nullopt;
        return std::move(e->request);
    }
    std::optional<Entry> complete_entry(std::uint32_t seq) {
        for (auto it = entries_.begin(); it != entries_.end(); ++it) {
            if (it->sequence_number != seq) continue;
            Entry e = std::move(*it);
            if (it + 1 != entries_.end()) *it = std::move(entries_.back());
            entries_.pop_back();
            return e;
        }
        return std::nullopt;
    }

    // Removes and returns every request whose deadline is at or before `now`, oldest deadline
    // first.
    std::vector<Request> take_expired(TimePoint now) {
        std::vector<Request> out;
        for (auto& e : take_expired_entries(now)) out.push_back(std::move(e.request));
        return out;
    }
    std::vector<Entry> take_expired_entries(TimePoint now) {
        std::vector<Entry> out;
        auto keep = std::partition(entries_.begin(), entries_.end(),
                                   [now](const Entry& e) { return e.deadline > now; });
        for (auto it = keep; it != entries_.end(); ++it) out.push_back(std::move(*it));
        entries_.erase(keep, entries_.end());
        if (auto d = next_deadline()) bound_ = *d;
        std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
            return a.deadline < b.deadline ||
                   (a.deadline == b.deadline && a.sequence_number < b.sequence_number);
        });
        return out;
    }

    // Removes and returns everything (on close: handed back for retry), oldest first.
    std::vector<Request> drain() {
        std::vector<Request> out;
        for (auto& e : drain_entries()) out.push_back(std::move(e.request));
        return out;
    }
    std::vector<Entry> drain_entries() {
        std::vector<Entry> out = std::move(entries_);
        entries_.clear();
        entries_.reserve(capacity_);
        std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
            return a.sent_at < b.sent_at ||
                   (a.sent_at == b.sent_at && a.sequence_number < b.sequence_number);
        });
        return out;
    }

    // A time at or before every deadline in the window, nullopt when it is empty, in O(1): exact
    // after an insert into an empty window and after take_expired(); a completion does not raise
    // it (that would be a scan per response), so a timer armed to it may fire before anything is
    // due, and take_expired() then finds nothing and makes it exact.
    [[nodiscard]] std::optional<TimePoint> deadline_bound() const noexcept {
        if (entries_.empty()) return std::nullopt;
        return bound_;
    }

    // The earliest deadline in the window, or nullopt (a scan).
    [[nodiscard]] std::optional<TimePoint> next_deadline() const noexcept {
        std::optional<TimePoint> best;
        for (const auto& e : entries_) {
            if (!best || e.deadline < *best) best = e.deadline;
        }
        return best;
    }

private:
    std::size_t capacity_;
    Duration response_timeout_;
    std::vector<Entry> entries_;
    std::uint32_t max_seq_ = 0;  // at least every sequence number in flight (while not empty)
    TimePoint bound_{};          // at most every deadline in flight (while not empty)
};

}  // namespace bindery::smpp
