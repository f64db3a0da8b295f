#pragma once
// The one clock type Bindery's protocol code is written against. Code below smpp/net never reads
// it: `now` is passed in, so tests drive time by hand.

#include <chrono>

namespace bindery {

using Clock = std::chrono::steady_clock;
using Duration = Clock::duration;
using TimePoint = Clock::time_point;

}  // namespace bindery
