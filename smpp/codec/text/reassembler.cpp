#include "smpp/codec/text/reassembler.hpp"

#include <algorithm>

namespace bindery::smpp {

std::string_view to_string(DropReason r) noexcept {
    switch (r) {
        case DropReason::timed_out: return "timed_out";
        case DropReason::evicted_messages: return "evicted_messages";
        case DropReason::evicted_parts: return "evicted_parts";
        case DropReason::evicted_bytes: return "evicted_bytes";
        case DropReason::superseded: return "superseded";
        case DropReason::drained: return "drained";
    }
    return "unknown";
}

Reassembler::Reassembler(ReassemblyLimits limits) : limits_(limits) {
    limits_.max_pending_messages = std::max<std::size_t>(limits_.max_pending_messages, 1);
    limits_.max_pending_parts = std::max<std::size_t>(limits_.max_pending_parts, 255);
}

IncompleteMessage Reassembler::release(Map::iterator it, DropReason reason) {
    IncompleteMessage m;
    m.key = it->first;
    m.data_coding = it->second.data_coding;
    m.total = it->second.total;
    m.first_seen = it->second.first_seen;
    m.reason = reason;
    for (std::size_t i = 0; i < it->second.parts.size(); ++i) {
        if (auto& p = it->second.parts[i]) {
            m.parts.emplace_back(static_cast<std::uint8_t>(i + 1), std::move(*p));
        }
    }
    parts_ -= it->second.received;
    bytes_ -= it->second.bytes;
    age_.erase(it->second.age);
    pending_.erase(it);
    return m;
}

AddResult Reassembler::add(ConcatPart part, TimePoint now) {
    AddResult r;
    if (part.total == 0 || part.seqnum == 0 || part.seqnum > part.total) {
        r.status = PartStatus::invalid;
        return r;
    }
    if (part.user_data.size() > limits_.max_pending_bytes && part.total > 1) {
        r.status = PartStatus::too_large;
        return r;
    }
    if (part.total == 1) {
        r.status = PartStatus::completed;
        r.message =
            CompleteMessage{std::move(part.key), part.data_coding, 1, std::move(part.user_data)};
        return r;
    }
    auto it = pending_.find(part.key);
    if (it != pending_.end() && it->second.total != part.total) {
        r.dropped.push_back(release(it, DropReason::superseded));
        it = pending_.end();
    }
    if (it == pending_.end()) {
        while (pending_.size() >= limits_.max_pending_messages) {
            r.dropped.push_back(release(pending_.find(age_.front()), DropReason::evicted_messages));
        }
        Pending p;
        p.data_coding = part.data_coding;
        p.total = part.total;
        p.parts.resize(part.total);
        p.first_seen = now;
        p.age = age_.insert(age_.end(), part.key);
        it = pending_.emplace(part.key, std::move(p)).first;
    }
    auto& slot = it->second.parts[part.seqnum - 1U];
    if (slot) {
        r.status = PartStatus::duplicate;
        return r;
    }
    // Room for one more part: drop the oldest other messages (this one alone always fits).
    while (parts_ + 1 > limits_.max_pending_parts && age_.front() != it->first) {
        r.dropped.push_back(release(pending_.find(age_.front()), DropReason::evicted_parts));
    }
    while (bytes_ + part.user_data.size() > limits_.max_pending_bytes) {
        auto oldest = age_.begin();
        if (*oldest == it->first) ++oldest;
        if (oldest == age_.end()) {
            // This message alone cannot grow within the bound: give it up with what it had.
            r.dropped.push_back(release(it, DropReason::evicted_bytes));
            r.status = PartStatus::too_large;
            return r;
        }
        r.dropped.push_back(release(pending_.find(*oldest), DropReason::evicted_bytes));
    }
    const std::size_t size = part.user_data.size();
    slot = std::move(part.user_data);
    ++it->second.received;
    it->second.bytes += size;
    ++parts_;
    bytes_ += size;
    if (it->second.received < it->second.total) {
        r.status = PartStatus::stored;
        return r;
    }
    CompleteMessage m;
    m.key = it->first;
    m.data_coding = it->second.data_coding;
    m.total = it->second.total;
    m.user_data.reserve(it->second.bytes);
    for (const auto& p : it->second.parts)
        m.user_data.insert(m.user_data.end(), p->begin(), p->end());
    parts_ -= it->second.received;
    bytes_ -= it->second.bytes;
    age_.erase(it->second.age);
    pending_.erase(it);
    r.status = PartStatus::completed;
    r.message = std::move(m);
    return r;
}

std::vector<IncompleteMessage> Reassembler::take_expired(TimePoint now) {
    std::vector<IncompleteMessage> out;
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (now - it->second.first_seen >= limits_.timeout) {
            auto next = std::next(it);
            out.push_back(release(it, DropReason::timed_out));
            it = next;
        } else {
            ++it;
        }
    }
    std::sort(out.begin(), out.end(), [](const IncompleteMessage& a, const IncompleteMessage& b) {
        return a.first_seen < b.first_seen;
    });
    return out;
}

std::vector<IncompleteMessage> Reassembler::drain() {
    std::vector<IncompleteMessage> out;
    while (!age_.empty()) out.push_back(release(pending_.find(age_.front()), DropReason::drained));
    return out;
}

std::optional<TimePoint> Reassembler::next_deadline() const noexcept {
    std::optional<TimePoint> d;
    for (const auto& [key, p] : pending_) {
        const TimePoint t = p.first_seen + limits_.timeout;
        if (!d || t < *d) d = t;
    }
    return d;
}

}  // namespace bindery::smpp
