#include "router/core/lifecycle.hpp"

namespace bindery::router {

std::string_view to_string(SegmentState s) noexcept {
    switch (s) {
        case SegmentState::pending: return "pending";
        case SegmentState::delivered: return "delivered";
        case SegmentState::expired: return "expired";
        case SegmentState::undeliverable: return "undeliverable";
        case SegmentState::rejected: return "rejected";
    }
    return "pending";
}

bool transition_allowed(MessageState from, MessageState to) noexcept {
    using S = MessageState;
    switch (from) {
        case S::accepted:
            // Stored, then queued; dead-lettered when recovered after its validity ended.
            return to == S::queued || to == S::dead_letter || to == S::cancelled;
        case S::queued:
            // Validity ends while waiting (e.g. every provider down) -> dead letter.
            return to == S::sending || to == S::dead_letter || to == S::cancelled;
        case S::sending:
            // queued: handed back untried (provider closed before taking it; not an attempt).
            return to == S::sent || to == S::failed_temp || to == S::failed_perm || to == S::queued;
        case S::sent:
            return to == S::delivered || to == S::undeliverable || to == S::expired ||
                   to == S::rejected;
        case S::failed_temp: return to == S::queued || to == S::dead_letter || to == S::cancelled;
        case S::delivered:
        case S::undeliverable:
        case S::expired:
        case S::rejected:
        case S::failed_perm:
        case S::dead_letter:
        case S::cancelled: return false;
    }
    return false;
}

MessageState to_message_state(SegmentState s) noexcept {
    switch (s) {
        case SegmentState::pending: return MessageState::sent;
        case SegmentState::delivered: return MessageState::delivered;
        case SegmentState::expired: return MessageState::expired;
        case SegmentState::undeliverable: return MessageState::undeliverable;
        case SegmentState::rejected: return MessageState::rejected;
    }
    return MessageState::sent;
}

std::optional<MessageState> aggregate_segments(std::span<const Segment> segments) noexcept {
    if (segments.empty()) return std::nullopt;
    auto severity = [](SegmentState s) {
        switch (s) {
            case SegmentState::rejected: return 3;
            case SegmentState::undeliverable: return 2;
            case SegmentState::expired: return 1;
            case SegmentState::pending:
            case SegmentState::delivered: return 0;
        }
        return 0;
    };
    bool all_delivered = true;
    SegmentState worst = SegmentState::delivered;
    for (const auto& seg : segments) {
        if (seg.state != SegmentState::delivered) all_delivered = false;
        if (severity(seg.state) > severity(worst)) worst = seg.state;
    }
    if (all_delivered) return MessageState::delivered;
    if (worst != SegmentState::delivered) return to_message_state(worst);
    return std::nullopt;
}

}  // namespace bindery::router
