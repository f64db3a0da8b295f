#pragma once
// The message state machine: which transitions exist, and how segment verdicts aggregate.

#include <optional>
#include <span>

#include "router/api/types.hpp"
#include "router/core/message.hpp"

namespace bindery::router {

// True when `from -> to` is a transition of the lifecycle (docs/router.md). Self-transitions and
// anything leaving a final state are forbidden.
bool transition_allowed(MessageState from, MessageState to) noexcept;

// The message state the carrier verdicts of its segments imply, or nullopt while undecided:
// DELIVERED when every segment is delivered; as soon as one segment has failed, the worst failed
// verdict (REJECTED > UNDELIVERABLE > EXPIRED), because the message can no longer be delivered
// whole.
std::optional<MessageState> aggregate_segments(std::span<const Segment> segments) noexcept;

MessageState to_message_state(SegmentState s) noexcept;

}  // namespace bindery::router
