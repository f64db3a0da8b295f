// The adaptive rate through the real Session: an ESME Session (adaptive_rate on, window N) sends
// to a fake carrier with a hidden token-bucket limit; the owner resubmits every throttled message
// at the retry_at the session hands back. Fake clock, no sleeps.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <queue>
#include <vector>

#include "smpp/session/session.hpp"
#include "tests/smpp/session/session_test_support.hpp"

namespace bindery::smpp {
namespace {

using namespace std::chrono_literals;
using testing::peer;
using testing::sample_submit;
using testing::submit_resp;

struct CarrierScenario {
    double limit;
    double burst;
    std::size_t window;
    Duration latency;
    Duration length;
    Duration settle;
};

class Owner : public SessionListener {
public:
    struct Retry {
        TimePoint at;
        UserTag tag;
        bool operator>(const Retry& o) const { return at > o.at || (at == o.at && tag > o.tag); }
    };
    std::priority_queue<Retry, std::vector<Retry>, std::greater<>> retries;
    std::vector<bool> accepted;  // by tag
    std::uint64_t accepted_count = 0, accepted_in_measure = 0, throttled = 0, failed = 0,
                  duplicates = 0;
    TimePoint measure_from{};
    TimePoint now{};

    // SessionListener
    void on_bound(SessionState, std::string_view) override {}
    void on_bind_failed(BindFailure, CommandStatus) override {}
    void on_submit_result(UserTag tag, const SubmitResult& r) override {
        if (!r.ok()) {
            ++failed;
            return;
        }
        if (accepted[tag]) ++duplicates;
        accepted[tag] = true;
        ++accepted_count;
        if (now >= measure_from) ++accepted_in_measure;
    }
    void on_throttled(UserTag tag, CommandStatus, TimePoint retry_at) override {
        ++throttled;
        retries.push(Retry{retry_at, tag});
    }
    void on_incoming(IncomingToken, const Pdu&) override {}
    void on_bind_request(const BindRequestView&) override {}
    void on_outbind(std::string_view, std::string_view) override {}
    void on_alert_notification(const AlertNotification&) override {}
    void on_link_dead() override {}
    void on_closed(CloseReason) override {}
};

class SessionAgainstHiddenLimit : public ::testing::TestWithParam<CarrierScenario> {};

TEST_P(SessionAgainstHiddenLimit, ReachesNinetyFivePercentAndRetriesEveryThrottledMessage) {
    const CarrierScenario sc = GetParam();
    const TimePoint t0 = TimePoint{} + 1s;
    const TimePoint end = t0 + sc.length;
    Owner owner;
    owner.measure_from = t0 + sc.settle;
    owner.now = t0;

    SessionConfig cfg;
    cfg.role = Role::esme;
    cfg.window = sc.window;
    cfg.adaptive_rate = true;
    cfg.enquire_link_interval = {};
    Session s(cfg, owner, t0);
    ASSERT_TRUE(s.bind(BindParams{}, t0));
    s.on_pdu(peer(BindTransceiverResp{}, 1), t0);
    ASSERT_EQ(s.state(), SessionState::bound_trx);
    (void)s.take_outbox();

    TokenBucket carrier(sc.limit, sc.burst, t0);
    struct Response {
        TimePoint at;
        std::uint32_t seq;
        bool throttled;
        bool operator>(const Response& o) const { return at > o.at || (at == o.at && seq > o.seq); }
    };
    std::priority_queue<Response, std::vector<Response>, std::greater<>> responses;
    UserTag next_tag = 0;
    std::uint32_t jitter = 12345;

    TimePoint now = t0;
    while (now < end) {
        owner.now = now;
        while (!responses.empty() && responses.top().at <= now) {
            const Response r = responses.top();
            responses.pop();
            s.on_pdu(peer(submit_resp(r.throttled ? "" : "m"), r.seq,
                          r.throttled ? CommandStatus::ESME_RTHROTTLED : CommandStatus::ESME_ROK),
                     now);
        }
        TimePoint next_send = end;
        for (;;) {
            UserTag tag = next_tag;
            const bool retry = !owner.retries.empty() && owner.retries.top().at <= now;
            if (retry) tag = owner.retries.top().tag;
            auto sent = s.submit(sample_submit(), tag, now);
            if (!sent) {
                if (sent.error().reason == Refusal::throttled) next_send = sent.error().retry_at;
                ASSERT_TRUE(sent.error().reason == Refusal::throttled ||
                            sent.error().reason == Refusal::window_full)
                    << to_string(sent.error().reason);
                break;
            }
            if (retry) {
                owner.retries.pop();
            } else {
                ++next_tag;
                owner.accepted.push_back(false);
            }
            auto bytes = s.take_outbox();
            s.recycle(std::move(bytes));
            jitter = jitter * 1103515245U + 12345U;
            const bool ok = carrier.try_acquire(now + sc.latency / 2);
            responses.push(Response{
                now + sc.latency + std::chrono::milliseconds((jitter >> 16) % 10), *sent, !ok});
        }
        TimePoint next = next_send;
        if (!responses.empty()) next = std::min(next, responses.top().at);
        if (!owner.retries.empty()) next = std::min(next, std::max(owner.retries.top().at, now));
        if (next <= now) next = now + std::chrono::microseconds(1);
        now = next;
    }
    const double rate = static_cast<double>(owner.accepted_in_measure) /
                        std::chrono::duration<double>(end - owner.measure_from).count();
    std::printf(
        "session vs hidden %6.0f/s (burst %4.0f, window %3zu): %7.1f/s = %5.1f%%, "
        "%llu throttled and retried, final rate %.0f\n",
        sc.limit, sc.burst, sc.window, rate, 100.0 * rate / sc.limit,
        static_cast<unsigned long long>(owner.throttled), s.rate());
    EXPECT_GE(rate, 0.95 * sc.limit);
    EXPECT_GT(owner.throttled, 0U);
    EXPECT_EQ(owner.failed, 0U);
    EXPECT_EQ(owner.duplicates, 0U);
    // Every message created is accepted, in flight, or waiting for its retry: none dropped.
    EXPECT_EQ(next_tag, owner.accepted_count + s.in_flight() + owner.retries.size());
}

INSTANTIATE_TEST_SUITE_P(Carriers, SessionAgainstHiddenLimit,
                         ::testing::Values(CarrierScenario{200, 1, 20, 40ms, 120s, 30s},
                                           CarrierScenario{1000, 50, 100, 40ms, 90s, 30s},
                                           CarrierScenario{3000, 500, 300, 60ms, 60s, 20s}));

}  // namespace
}  // namespace bindery::smpp
