// `bindery serve` end to end, as `make run` runs it: the real binary on a temporary configuration,
// the bundled SMSC simulator (the real binary too) as its carrier, messages submitted over real
// HTTP and followed with GET until the simulator's receipts bring them to DELIVERED; SIGTERM
// drains and exits 0; a kill -9 in the middle of a load loses no acknowledged message.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "gateway_harness.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using bindery::test::eventually;
using bindery::test::exit_code;
using bindery::test::Process;
using bindery::test::read_all;
using bindery::test::TempDir;
using ::testing::HasSubstr;
using namespace bindery::test::harness;

std::vector<std::string> ids_in(const std::string& body) {
    static const std::regex id(R"re("id":"([0-9a-f-]{36})")re");
    std::vector<std::string> out;
    for (std::sregex_iterator it(body.begin(), body.end(), id), end; it != end; ++it)
        out.push_back((*it)[1]);
    return out;
}

std::string state_in(const std::string& body) {
    static const std::regex state(R"re("state":"([A-Z_]+)")re");
    // The message's own state is the last "state" key in the object (history entries use from/to).
    std::string last;
    for (std::sregex_iterator it(body.begin(), body.end(), state), end; it != end; ++it)
        last = (*it)[1];
    return last;
}

bool is_final(const std::string& state) {
    return state == "DELIVERED" || state == "UNDELIVERABLE" || state == "EXPIRED" ||
           state == "REJECTED" || state == "FAILED_PERM" || state == "DEAD_LETTER";
}

std::string submit_body(const std::string& to, const std::string& text) {
    return R"({"to":")" + to + R"(","from":"Bindery","text":")" + text + R"("})";
}

TEST(Gateway, MessagesSubmittedOverHttpReachDeliveredAndSigtermExitsZero) {
    TempDir dir("bindery-gateway-");
    Simulator sim(dir.path(), {"--dlr-delay", "20"});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    Gateway gateway(dir.path(), write_config(dir.path(), sim.port()));
    ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir.path() / "bindery.out");

    // Ready once the store is open and the bind is up.
    EXPECT_TRUE(eventually([&] {
        return http(gateway.port(), "GET", "/readyz", {}, {}).status == 200;
    })) << http(gateway.port(), "GET", "/readyz", {}, {}).body;
    EXPECT_EQ(
        http(gateway.port(), "POST", "/v1/messages", submit_body("+989121234567", "x"), "wrong-key")
            .status,
        401);

    // The API checks validity against the router's limit (72 h) and names the field.
    const auto too_long =
        http(gateway.port(), "POST", "/v1/messages",
             R"({"to":"+989121234567","from":"Bindery","text":"x","validity":"4d"})");
    EXPECT_EQ(too_long.status, 422) << too_long.body;
    EXPECT_THAT(too_long.body, HasSubstr(R"("field":"validity")"));
    EXPECT_THAT(too_long.body, HasSubstr("259200"));

    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) {
        // The fifth needs two segments.
        const auto text = i == 4 ? std::string(200, 'y') : "hello " + std::to_string(i);
        const auto reply = http(gateway.port(), "POST", "/v1/messages",
                                submit_body("+98912123450" + std::to_string(i), text));
        ASSERT_EQ(reply.status, 202) << reply.body;
        const auto got = ids_in(reply.body);
        ASSERT_EQ(got.size(), 1U) << reply.body;
        ids.push_back(got.front());
    }
    for (const auto& id : ids) {
        std::string body;
        EXPECT_TRUE(eventually([&] {
            body = http(gateway.port(), "GET", "/v1/messages/" + id).body;
            return state_in(body) == "DELIVERED";
        })) << body;
        EXPECT_THAT(body, HasSubstr(R"("provider":"sim")"));
        EXPECT_THAT(body, HasSubstr(R"("to":"SENT")"));
        EXPECT_THAT(body, HasSubstr(R"("to":"DELIVERED")"));
    }
    // Another client's key cannot read them.
    EXPECT_EQ(http(gateway.port(), "GET", "/v1/messages/" + ids.front(), {}, "nobody").status, 401);

    gateway.process().signal(SIGTERM);
    EXPECT_EQ(exit_code(gateway.process().wait(10s)), 0)
        << read_all(dir.path() / "bindery.out") << gateway.log();
    const auto log = gateway.log();
    EXPECT_THAT(log, HasSubstr(R"("msg":"draining","signal":"SIGTERM")"));
    EXPECT_THAT(log, HasSubstr("unbound"));
    EXPECT_THAT(log, HasSubstr(R"("msg":"bindery stopped","status":0)"));
}

// Issue 5: every message acknowledged with 202 survives a kill -9 of the gateway in the middle of
// the load: after the restart each one is found, and none stays short of the carrier (ACCEPTED,
// QUEUED and SENDING ones are dispatched or retried). Known gap, not asserted: a receipt that the
// killed process had received but not yet recorded is lost (the carrier will not resend it once
// answered), so a few messages can stay SENT after the restart instead of reaching DELIVERED.
// Both ways of storing a dispatch (store.record_dispatch): not recording it, a message whose
// submit was out at the kill is QUEUED in the store and goes out again.
class KillNine : public ::testing::TestWithParam<bool> {};

TEST_P(KillNine, AcknowledgedMessagesSurviveKillNineAndReachAFinalState) {
    TempDir dir("bindery-gateway-");
    Simulator sim(dir.path(), {"--dlr-delay", "200", "--resp-delay", "20"});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    const auto config =
        write_config(dir.path(), sim.port(), {}, GetParam() ? "" : "  record_dispatch: false\n");
    std::vector<std::string> ids;
    {
        Gateway gateway(dir.path(), config);
        ASSERT_NE(gateway.port(), 0) << gateway.log();
        ASSERT_TRUE(eventually(
            [&] { return http(gateway.port(), "GET", "/readyz", {}, {}).status == 200; }));
        std::atomic<bool> stop{false};
        std::vector<std::thread> clients;
        std::mutex mutex;
        for (int c = 0; c < 4; ++c) {
            clients.emplace_back([&, c] {
                for (int i = 0; !stop; ++i) {
                    const auto reply =
                        http(gateway.port(), "POST", "/v1/messages",
                             submit_body("+989121" + std::to_string(c) + std::to_string(10000 + i),
                                         "load " + std::to_string(i)));
                    if (reply.status != 202) continue;  // the kill cut it: not acknowledged
                    const auto got = ids_in(reply.body);
                    const std::lock_guard lock(mutex);
                    ids.insert(ids.end(), got.begin(), got.end());
                }
            });
        }
        eventually([&] {
            const std::lock_guard lock(mutex);
            return ids.size() >= 100;
        });
        gateway.process().signal(SIGKILL);
        EXPECT_EQ(exit_code(gateway.process().wait(5s)), -SIGKILL)
            << read_all(dir.path() / "bindery.out") << gateway.log();
        stop = true;
        for (auto& t : clients) t.join();
    }
    ASSERT_GE(ids.size(), 100U);
    const std::set<std::string> unique(ids.begin(), ids.end());
    EXPECT_EQ(unique.size(), ids.size());

    Gateway restarted(dir.path(), config);
    ASSERT_NE(restarted.port(), 0) << restarted.log();
    std::size_t delivered = 0;
    std::size_t sent = 0;
    for (const auto& id : ids) {
        std::string body;
        EXPECT_TRUE(eventually(
            [&] {
                body = http(restarted.port(), "GET", "/v1/messages/" + id).body;
                const auto state = state_in(body);
                return is_final(state) || state == "SENT";
            },
            60s))
            << id << " " << body;
        // Those SENT get their receipt a moment later, unless it was the one lost with the process.
        eventually(
            [&] {
                body = http(restarted.port(), "GET", "/v1/messages/" + id).body;
                return is_final(state_in(body));
            },
            2s);
        const auto state = state_in(body);
        if (state == "DELIVERED") {
            EXPECT_THAT(body, HasSubstr(R"("to":"SENDING")")) << "its dispatch is in its history";
        }
        delivered += state == "DELIVERED" ? 1 : 0;
        sent += state == "SENT" ? 1 : 0;
    }
    // The simulator's only outcome is DELIVRD: every message was delivered but those whose receipt
    // died with the process.
    EXPECT_EQ(delivered + sent, ids.size());
    EXPECT_GE(delivered, ids.size() - 20);
    std::cout << ids.size() << " acknowledged, " << delivered << " delivered, " << sent
              << " left SENT\n";
    restarted.process().signal(SIGTERM);
    EXPECT_EQ(exit_code(restarted.process().wait(10s)), 0)
        << read_all(dir.path() / "bindery.out") << restarted.log();
}

INSTANTIATE_TEST_SUITE_P(Gateway, KillNine, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                             return info.param ? "DispatchRecorded" : "DispatchNotRecorded";
                         });

// /readyz and an operator's pause (docs/http-api.md): pausing the only carrier is intentional, so
// the instance stays ready (200) while the carriers component names the pause; when the carrier
// is lost for another reason (the simulator killed, binds down), it is not ready (503).
TEST(Gateway, AnOperatorPausedCarrierKeepsReadyzAt200AndIsNamedInItsDetail) {
    TempDir dir("bindery-gateway-");
    auto sim = std::make_unique<Simulator>(dir.path());
    ASSERT_NE(sim->port(), 0) << read_all(dir.path() / "sim.log");
    const auto config = write_config(dir.path(), sim->port());
    const std::string admin_key = "readyz-admin-key-0123456789";
    {
        std::string text = read_all(config);
        const std::string http_line = "http:\n  listen: 127.0.0.1:0\n";
        const auto at = text.find(http_line);
        ASSERT_NE(at, std::string::npos) << text;
        text.insert(at + http_line.size(), "  admin_key: " + admin_key + "\n");
        std::ofstream(config) << text;
    }
    Gateway gateway(dir.path(), config);
    ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir.path() / "bindery.out");
    ASSERT_TRUE(eventually([&] {
        return http(gateway.port(), "GET", "/readyz", {}, {}).status == 200;
    })) << http(gateway.port(), "GET", "/readyz", {}, {}).body;

    const auto paused = http(gateway.port(), "POST", "/admin/v1/binds/sim/pause", {}, admin_key);
    ASSERT_EQ(paused.status, 200) << paused.body;
    const auto ready = http(gateway.port(), "GET", "/readyz", {}, {});
    EXPECT_EQ(ready.status, 200) << ready.body;
    EXPECT_THAT(ready.body, HasSubstr(R"("status":"ready")"));
    EXPECT_THAT(ready.body, HasSubstr(R"("detail":"0/1 ready; paused by operator: sim")"));

    // Resumed, then the carrier lost: not ready, and the detail says which carrier is down.
    ASSERT_EQ(http(gateway.port(), "POST", "/admin/v1/binds/sim/resume", {}, admin_key).status,
              200);
    sim.reset();
    EXPECT_TRUE(eventually([&] {
        return http(gateway.port(), "GET", "/readyz", {}, {}).status == 503;
    })) << http(gateway.port(), "GET", "/readyz", {}, {}).body;
    EXPECT_THAT(http(gateway.port(), "GET", "/readyz", {}, {}).body, HasSubstr("not ready: sim"));
}

}  // namespace
