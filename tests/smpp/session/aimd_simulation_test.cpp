// Deterministic simulation of the adaptive rate controller against carriers with an undisclosed
// token-bucket limit: fake clock, no sleeps. A sender with a window of N keeps a backlog, paces
// itself with a TokenBucket whose rate the controller sets, and retries every throttled message.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <queue>
#include <vector>

#include "smpp/base/clock.hpp"
#include "smpp/session/throttle.hpp"
#include "smpp/session/window.hpp"

namespace bindery::smpp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct Scenario {
    double limit;              // the carrier's hidden rate (messages/s)
    double burst;              // the carrier's hidden bucket size
    std::size_t window;        // sender's window
    Duration latency;          // base one-way request->response time
    Duration length;           // simulated time
    Duration settle;           // convergence time excluded from the measurement
    double later_limit = 0.0;  // when > 0: the carrier changes its limit to this at `change_at`
    Duration change_at{};
};

struct Outcome {
    double accepted_rate = 0.0;  // after `settle`
    std::uint64_t accepted = 0;
    std::uint64_t throttled = 0;
    std::uint64_t created = 0;
    std::uint64_t lost = 0;        // created - accepted - still pending (must be 0)
    std::uint64_t duplicates = 0;  // a message accepted twice (must be 0)
    double final_rate = 0.0;
};

enum class Policy { adaptive, kannel_pause };

// Small deterministic jitter source (no <random> distribution differences across libstdc++).
struct Lcg {
    std::uint64_t s = 0x9E3779B97F4A7C15ULL;
    std::uint32_t next() {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::uint32_t>(s >> 33);
    }
};

Outcome simulate(const Scenario& sc, Policy policy) {
    const TimePoint t0{};
    const TimePoint end = t0 + sc.length;
    const TimePoint measure_from = t0 + sc.settle;

    TokenBucket carrier(sc.limit, sc.burst, t0);
    AdaptiveRate controller;
    TokenBucket pacer(controller.rate(), 1.0, t0);
    auto pacer_burst = [](double rate) { return std::max(1.0, rate * 0.001); };
    pacer.set_burst(pacer_burst(controller.rate()));

    struct Inflight {
        std::uint64_t msg = 0;
    };
    InflightWindow<Inflight> window(sc.window, seconds(30));
    struct Response {
        TimePoint at;
        std::uint32_t seq;
        bool throttled;
        bool operator>(const Response& o) const { return at > o.at || (at == o.at && seq > o.seq); }
    };
    std::priority_queue<Response, std::vector<Response>, std::greater<>> responses;

    std::deque<std::uint64_t> retry;  // throttled messages go first
    std::uint64_t next_msg = 0;
    std::vector<bool> accepted_flags;
    std::uint32_t seq = 0;
    Lcg lcg;
    Outcome out;
    std::uint64_t accepted_in_measure = 0;
    TimePoint paused_until = t0;  // Kannel policy

    TimePoint now = t0;
    bool changed = false;
    while (now < end) {
        if (!changed && sc.later_limit > 0.0 && now >= t0 + sc.change_at) {
            carrier.set_rate(sc.later_limit, now);
            changed = true;
        }
        // Deliver every response due by now.
        while (!responses.empty() && responses.top().at <= now) {
            const Response r = responses.top();
            responses.pop();
            auto entry = window.complete_entry(r.seq);
            if (!entry) continue;
            if (r.throttled) {
                ++out.throttled;
                retry.push_back(entry->request.msg);
                if (policy == Policy::adaptive) {
                    if (controller.on_throttled(entry->sent_at, r.at)) {
                        pacer.set_rate(controller.rate(), r.at);
                        pacer.set_burst(pacer_burst(controller.rate()));
                    }
                } else {
                    paused_until = r.at + seconds(1);
                }
            } else {
                ++out.accepted;
                if (r.at >= measure_from) ++accepted_in_measure;
                const auto m = entry->request.msg;
                if (accepted_flags[m]) ++out.duplicates;
                accepted_flags[m] = true;
                if (policy == Policy::adaptive && controller.on_accepted(entry->sent_at, r.at)) {
                    pacer.set_rate(controller.rate(), r.at);
                    pacer.set_burst(pacer_burst(controller.rate()));
                }
            }
        }
        // Send while the window, the pacer (adaptive) or the pause (Kannel) allow.
        TimePoint next_send = end;
        for (;;) {
            if (!window.has_room()) break;
            if (policy == Policy::adaptive) {
                const TimePoint at = pacer.next_available(now);
                if (at > now) {
                    next_send = at;
                    break;
                }
                (void)pacer.try_acquire(now);
                controller.on_sent(now);
            } else if (paused_until > now) {
                next_send = paused_until;
                break;
            }
            std::uint64_t msg = 0;
            if (!retry.empty()) {
                msg = retry.front();
                retry.pop_front();
            } else {
                msg = next_msg++;
                accepted_flags.push_back(false);
                ++out.created;
            }
            seq = seq >= 0x7FFFFFFFU ? 1 : seq + 1;
            (void)window.insert(seq, Inflight{msg}, now);
            const auto jitter = milliseconds(lcg.next() % 10);
            const TimePoint arrive = now + sc.latency / 2;
            const bool ok = carrier.try_acquire(arrive);
            responses.push(Response{now + sc.latency + jitter, seq, !ok});
        }
        TimePoint next = next_send;
        if (!changed && sc.later_limit > 0.0) next = std::min(next, t0 + sc.change_at);
        if (!responses.empty()) next = std::min(next, responses.top().at);
        if (next <= now) next = now + std::chrono::microseconds(1);
        now = next;
    }
    out.accepted_rate = static_cast<double>(accepted_in_measure) /
                        std::chrono::duration<double>(end - measure_from).count();
    const std::uint64_t pending = window.size() + retry.size();
    out.lost = out.created - out.accepted - pending;
    out.final_rate = controller.rate();
    return out;
}

class AdaptiveRateConvergence : public ::testing::TestWithParam<Scenario> {};

TEST_P(AdaptiveRateConvergence, SettlesAtLeastNinetyFivePercentOfTheHiddenLimit) {
    const Scenario sc = GetParam();
    const double limit = sc.later_limit > 0.0 ? sc.later_limit : sc.limit;
    const Outcome ours = simulate(sc, Policy::adaptive);
    const Outcome kannel = simulate(sc, Policy::kannel_pause);
    std::printf(
        "limit %6.0f/s->%6.0f/s burst %5.0f window %3zu: adaptive %7.1f/s (%5.1f%%, %llu "
        "throttled, "
        "final rate %.0f) | pause-1s %7.1f/s (%5.1f%%)\n",
        sc.limit, limit, sc.burst, sc.window, ours.accepted_rate,
        100.0 * ours.accepted_rate / limit, static_cast<unsigned long long>(ours.throttled),
        ours.final_rate, kannel.accepted_rate, 100.0 * kannel.accepted_rate / limit);
    EXPECT_GE(ours.accepted_rate, 0.95 * limit);
    // The carrier never lets more than its limit (plus its burst, once) through.
    const double seconds_measured = std::chrono::duration<double>(sc.length - sc.settle).count();
    EXPECT_LE(ours.accepted_rate, limit + sc.burst / seconds_measured + 1.0);
    EXPECT_GT(ours.throttled, 0U) << "the limit was never found";
    EXPECT_EQ(ours.lost, 0U) << "throttled messages must be retried, not dropped";
    EXPECT_EQ(ours.duplicates, 0U);
    EXPECT_GE(ours.accepted_rate, 0.99 * kannel.accepted_rate);
}

INSTANTIATE_TEST_SUITE_P(
    HiddenCarrierLimits, AdaptiveRateConvergence,
    ::testing::Values(
        Scenario{200, 1, 20, milliseconds(40), seconds(180), seconds(30)},
        Scenario{200, 200, 20, milliseconds(40), seconds(180), seconds(30)},
        Scenario{200, 2000, 20, milliseconds(40), seconds(240), seconds(60)},
        Scenario{1000, 1, 100, milliseconds(40), seconds(120), seconds(30)},
        Scenario{1000, 100, 100, milliseconds(80), seconds(120), seconds(30)},
        Scenario{1000, 5000, 100, milliseconds(40), seconds(120), seconds(30)},
        Scenario{5000, 10, 400, milliseconds(40), seconds(60), seconds(20)},
        Scenario{5000, 1000, 400, milliseconds(40), seconds(60), seconds(20)},
        Scenario{5000, 20000, 600, milliseconds(60), seconds(90), seconds(30)},
        // The carrier lowers, then another one raises, its limit mid-run.
        Scenario{1000, 50, 100, milliseconds(40), seconds(120), seconds(60), 300, seconds(30)},
        Scenario{300, 50, 100, milliseconds(40), seconds(120), seconds(60), 1500, seconds(30)}));

}  // namespace
}  // namespace bindery::smpp
