// Carrier faults (issue 9): the link drops mid-window, the carrier stops answering, throttles for a
// period or under a hidden limit, answers every submit with a temporary or a permanent error. Each
// scenario runs the real gateway against the real simulator, watches the fault happen (simulator
// counters, message states), lets the carrier recover (SIGUSR1 heals the simulator) where the
// fault is temporary, and ends with the accounting check: every acknowledged message is found,
// final or still queued, and the store holds nothing else. No timing assertion: the waits are
// generous "eventually" bounds.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iostream>

#include "tests/faults/harness.hpp"

namespace bindery::faults {
namespace {

using ::testing::HasSubstr;

// The gateway's circuit breaker opens on temporary failures and waits 30 s before probing
// (router BreakerConfig::open_for, not configurable yet); scenarios that trip it take ~35 s, and
// this is their bound, not their expected time.
constexpr auto kAfterBreaker = 90s;

struct Scenario {
    TempDir dir{"bindery-fault-"};
    std::unique_ptr<Simulator> sim;
    std::unique_ptr<Gateway> gateway;

    Scenario(const std::vector<std::string>& sim_args, const GatewayOptions& options = {}) {
        sim = std::make_unique<Simulator>(dir.path(), sim_args);
        if (sim->port() == 0) return;
        gateway =
            std::make_unique<Gateway>(dir.path(), write_config(dir.path(), sim->port(), options));
    }
    // Both up and the gateway ready (store open, bind up).
    bool up() {
        return sim->port() != 0 && gateway && gateway->port() != 0 &&
               eventually([&] { return gateway->ready(); }, 30s);
    }
    std::uint16_t port() const { return gateway->port(); }
    std::string diagnostics() const {
        return "--- simulator\n" + sim->output() + read_all(dir.path() / "sim.err") +
               "--- gateway\n" + (gateway ? gateway->diagnostics() : std::string{});
    }
};

std::string history_of(std::uint16_t port, const std::string& id) {
    return http(port, "GET", "/v1/messages/" + id).body;
}

TEST(CarrierFault, LinkDroppedMidWindowLosesNothingAndEveryMessageIsDelivered) {
    // Every connection is closed (no unbind) right after its 150th submit, with up to 20 more in
    // flight: those get no response and come back to the router as connection failures.
    Scenario s({"--drop-after", "150", "--resp-delay", "5", "--dlr-delay", "20"});
    ASSERT_TRUE(s.up()) << s.diagnostics();
    const auto ids = submit_many(s.port(), 25, 10);  // 250 messages: the first link drops
    ASSERT_EQ(ids.size(), 250U) << s.diagnostics();

    const auto a = account_when_final(s.port(), ids, kAfterBreaker);
    std::cout << a.summary() << "\n";
    EXPECT_TRUE(a.balanced()) << a.summary();
    EXPECT_EQ(a.in("DELIVERED"), ids.size()) << a.summary() << s.diagnostics();
    // The simulator prints its counters once a second: wait for a line that has them.
    EXPECT_TRUE(eventually([&] { return s.sim->counter("disconnects") >= 1; }, 10s))
        << s.sim->output();
    EXPECT_TRUE(eventually([&] { return s.sim->counter("binds") >= 2; }, 10s))  // bound again
        << s.sim->output();
    EXPECT_EQ(s.gateway->stop(), 0) << s.diagnostics();
}

TEST(CarrierFault, CarrierThatStopsAnsweringTimesOutThenRecovers) {
    // After 40 submits the carrier answers nothing; the gateway's response timer (1 s) fires.
    GatewayOptions options;
    options.response_timeout = "1s";
    Scenario s({"--stall-after", "40", "--dlr-delay", "20"}, options);
    ASSERT_TRUE(s.up()) << s.diagnostics();
    const auto ids = submit_many(s.port(), 10, 10);
    ASSERT_EQ(ids.size(), 100U) << s.diagnostics();

    // The stall happens: submits go unanswered and messages come back as timeouts.
    ASSERT_TRUE(eventually([&] { return s.sim->counter("stalled") >= 10; }, 30s))
        << s.diagnostics();
    std::string timed_out;
    EXPECT_TRUE(eventually(
        [&] {
            for (const auto& id : ids) {
                const auto body = history_of(s.port(), id);
                if (body.find("FAILED_TEMP") != std::string::npos) {
                    timed_out = body;
                    return true;
                }
            }
            return false;
        },
        30s))
        << s.diagnostics();
    const auto during = account(s.port(), ids);
    EXPECT_TRUE(during.balanced()) << during.summary();
    EXPECT_GT(during.still_queued, 0U) << during.summary();

    // The carrier recovers: everything not yet delivered goes through (after the breaker's
    // cool-down). Messages whose submit the carrier swallowed were never accepted by it.
    s.sim->process().signal(SIGUSR1);
    const auto a = account_when_final(s.port(), ids, kAfterBreaker);
    std::cout << a.summary() << "\n";
    EXPECT_TRUE(a.balanced()) << a.summary();
    EXPECT_EQ(a.final_state, ids.size()) << a.summary() << s.diagnostics();
    // Attempts are bounded (5): a message is DELIVERED or, having used them up, DEAD_LETTER.
    EXPECT_EQ(a.in("DELIVERED") + a.in("DEAD_LETTER"), ids.size()) << a.summary();
    EXPECT_GE(a.in("DELIVERED"), 40U) << a.summary();
    EXPECT_TRUE(eventually([&] { return s.sim->counter("heals") >= 1; }, 10s));
    EXPECT_EQ(s.gateway->stop(), 0) << s.diagnostics();
}

TEST(CarrierFault, CarrierThrottlingEverythingForAPeriodDelaysButLosesNothing) {
    // Every submit is answered ESME_RTHROTTLED until the carrier recovers: the binds keep the
    // throttled messages and resend them after their backoff; none fails, none is lost.
    Scenario s({"--error-rate", "1", "--error-status", "ESME_RTHROTTLED", "--dlr-delay", "20"});
    ASSERT_TRUE(s.up()) << s.diagnostics();
    const auto ids = submit_many(s.port(), 10, 10);
    ASSERT_EQ(ids.size(), 100U) << s.diagnostics();

    ASSERT_TRUE(eventually([&] { return s.sim->counter("errors_injected") >= 50; }, 30s))
        << s.diagnostics();
    const auto during = account(s.port(), ids);
    EXPECT_TRUE(during.balanced()) << during.summary();
    EXPECT_EQ(during.still_queued, ids.size()) << during.summary();  // nothing went through
    EXPECT_EQ(during.in("FAILED_PERM"), 0U) << during.summary();

    s.sim->process().signal(SIGUSR1);
    const auto a = account_when_final(s.port(), ids, kAfterBreaker);
    std::cout << a.summary() << "\n";
    EXPECT_TRUE(a.balanced()) << a.summary();
    EXPECT_EQ(a.in("DELIVERED"), ids.size()) << a.summary() << s.diagnostics();
    EXPECT_EQ(s.gateway->stop(), 0) << s.diagnostics();
}

TEST(CarrierFault, HiddenThroughputLimitIsRespectedAndEveryMessageIsDelivered) {
    // A carrier limit of 40 submits/s (burst 10) the gateway is not told about.
    Scenario s({"--throttle-tps", "40", "--throttle-burst", "10", "--dlr-delay", "20"});
    ASSERT_TRUE(s.up()) << s.diagnostics();
    const auto ids = submit_many(s.port(), 20, 10);
    ASSERT_EQ(ids.size(), 200U) << s.diagnostics();

    const auto a = account_when_final(s.port(), ids, kAfterBreaker);
    EXPECT_TRUE(eventually([&] { return s.sim->counter("throttled") > 0; }, 10s))
        << s.sim->output();
    std::cout << a.summary() << " throttled answers: " << s.sim->counter("throttled") << "\n";
    EXPECT_TRUE(a.balanced()) << a.summary();
    EXPECT_EQ(a.in("DELIVERED"), ids.size()) << a.summary() << s.diagnostics();
    EXPECT_EQ(s.gateway->stop(), 0) << s.diagnostics();
}

TEST(CarrierFault, TemporaryErrorOnEverySubmitIsRetriedUntilTheCarrierRecovers) {
    Scenario s({"--error-rate", "1", "--error-status", "ESME_RSYSERR", "--dlr-delay", "20"});
    ASSERT_TRUE(s.up()) << s.diagnostics();
    const auto ids = submit_many(s.port(), 4, 5);
    ASSERT_EQ(ids.size(), 20U) << s.diagnostics();

    ASSERT_TRUE(eventually([&] { return s.sim->counter("errors_injected") >= 10; }, 30s))
        << s.diagnostics();
    const auto during = account(s.port(), ids);
    EXPECT_TRUE(during.balanced()) << during.summary();
    EXPECT_EQ(during.in("FAILED_PERM"), 0U) << during.summary();  // temporary: retried
    EXPECT_THAT(history_of(s.port(), ids.front()), HasSubstr("FAILED_TEMP"));

    s.sim->process().signal(SIGUSR1);
    const auto a = account_when_final(s.port(), ids, kAfterBreaker);
    std::cout << a.summary() << "\n";
    EXPECT_TRUE(a.balanced()) << a.summary();
    EXPECT_EQ(a.final_state, ids.size()) << a.summary() << s.diagnostics();
    EXPECT_EQ(a.in("FAILED_PERM"), 0U) << a.summary();
    EXPECT_GE(a.in("DELIVERED"), 1U) << a.summary();
    EXPECT_EQ(s.gateway->stop(), 0) << s.diagnostics();
}

TEST(CarrierFault, PermanentErrorOnEverySubmitFailsEachMessageOnceWithTheCarriersStatus) {
    Scenario s({"--error-rate", "1", "--error-status", "ESME_RINVDSTADR"});
    ASSERT_TRUE(s.up()) << s.diagnostics();
    const auto ids = submit_many(s.port(), 4, 5);
    ASSERT_EQ(ids.size(), 20U) << s.diagnostics();

    const auto a = account_when_final(s.port(), ids, 30s);
    std::cout << a.summary() << "\n";
    EXPECT_TRUE(a.balanced()) << a.summary();
    EXPECT_EQ(a.in("FAILED_PERM"), ids.size()) << a.summary() << s.diagnostics();
    EXPECT_THAT(history_of(s.port(), ids.front()), HasSubstr("ESME_RINVDSTADR"));
    // One attempt each: a permanent answer is not retried.
    EXPECT_TRUE(eventually([&] { return s.sim->counter("submits") == ids.size(); }, 5s))
        << s.sim->output();
    EXPECT_EQ(s.gateway->stop(), 0) << s.diagnostics();
}

}  // namespace
}  // namespace bindery::faults
