// Issue 8 end to end: the real `bindery serve` with a route whose first provider is Kavenegar (the
// Kavenegar mock, in this process, over HTTPS with a self-signed certificate the configuration
// trusts through tls.ca_file) and whose failover is an SMPP carrier (the bundled SMSC simulator).
// Messages go to Kavenegar and reach DELIVERED by status polling; during a Kavenegar outage the
// breaker opens and they fail over to the simulator; once Kavenegar answers again the breaker's
// half-open probes bring the traffic back. After a restart, messages left SENT are polled again
// (the poll list is rebuilt from the store).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "gateway_harness.hpp"
#include "tools/kavenegar-mock/mock.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using bindery::test::eventually;
using bindery::test::exit_code;
using bindery::test::read_all;
using bindery::test::TempDir;
using ::testing::HasSubstr;
using namespace bindery::test::harness;
using json = nlohmann::json;

constexpr auto kLong = 60s;  // "eventually" bound: sanitizers on a loaded 2-core machine

std::string submit_body(const std::string& to, const std::string& text) {
    return R"({"to":")" + to + R"(","from":"Bindery","text":")" + text + R"("})";
}

json message(std::uint16_t port, const std::string& id) {
    const auto reply = http(port, "GET", "/v1/messages/" + id);
    if (reply.status != 200) return json::object();
    return json::parse(reply.body, nullptr, false);
}

std::string field(const json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// The providers named in the message's history (every attempt's transitions carry it).
std::vector<std::string> history_providers(const json& m) {
    std::vector<std::string> out;
    if (!m.is_object() || !m.contains("history") || !m["history"].is_array()) return out;
    for (const auto& h : m["history"]) {
        if (h.contains("provider") && h["provider"].is_string())
            out.push_back(h["provider"].get<std::string>());
    }
    return out;
}

class KavenegarEndToEnd : public ::testing::Test {
protected:
    void SetUp() override {
        sim_ =
            std::make_unique<Simulator>(dir_.path(), std::vector<std::string>{"--dlr-delay", "20"});
        ASSERT_NE(sim_->port(), 0) << read_all(dir_.path() / "sim.log");
        const auto pem = bindery::mock::make_self_signed("localhost");
        std::ofstream(dir_.path() / "kavenegar-ca.pem") << pem.cert_pem;
        std::ofstream(dir_.path() / "kavenegar.key") << "e2e-api-key\n";
        bindery::mock::KavenegarMockConfig mc;
        mc.cert_pem = pem.cert_pem;
        mc.key_pem = pem.key_pem;
        mc.api_key = "e2e-api-key";
        mock_ = std::make_unique<bindery::mock::KavenegarMock>(mc);
        mock_->start();
    }

    fs::path write_config(bool poll_status) {
        const auto path = dir_.path() / "bindery.yaml";
        std::ofstream(path)
            << "process:\n  io_threads: 2\n  drain_timeout: 5s\n"
               "logging:\n  level: info\n  format: json\n  file: "
            << (dir_.path() / "bindery.log").string()
            << "\nstore:\n  path: " << (dir_.path() / "var" / "bindery.db").string()
            << "\n  synchronous: normal\n  commit_interval: 0ms\n"
               "http:\n  listen: 127.0.0.1:0\n"
               "smpp_server:\n  enabled: false\n"
               "carriers:\n"
               "  - name: kavenegar\n    kind: kavenegar\n"
               "    base_url: https://127.0.0.1:"
            << mock_->port() << "\n    api_key_file: " << (dir_.path() / "kavenegar.key").string()
            << "\n    sender: \"10004346\"\n    rate: 1000\n    concurrency: 4\n    batch: 20\n"
               "    timeout: 2s\n"
               "    poll_status: "
            << (poll_status ? "true" : "false")
            << "\n    status_interval: 1s\n    status_max_interval: 2s\n"
               "    tls:\n      ca_file: "
            << (dir_.path() / "kavenegar-ca.pem").string()
            << "\n    breaker: {open_for: 2s, window: 10, min_samples: 4, error_rate: 0.5, "
               "probe_successes: 2}\n"
               "  - name: sim\n    kind: smpp\n    address: 127.0.0.1:"
            << sim_->port()
            << "\n    system_id: bindery\n    password: secret\n    window: 20\n"
               "    reconnect: {initial: 100ms, max: 1s}\n"
               "routes:\n  - name: default\n    providers: [kavenegar]\n    failover: [sim]\n"
               "clients:\n  - name: test\n    api_key: "
            << kKey << "\n    rate: 100000\n    burst: 100000\n";
        return path;
    }

    std::string submit(std::uint16_t port, const std::string& to, const std::string& text) {
        const auto reply = http(port, "POST", "/v1/messages", submit_body(to, text));
        EXPECT_EQ(reply.status, 202) << reply.body;
        // {"id": ...} for one recipient (or the first of "messages")
        static const std::regex id(R"re("id":"([0-9a-f-]{36})")re");
        std::smatch m;
        return std::regex_search(reply.body, m, id) ? std::string(m[1]) : std::string();
    }

    // Waits (bounded) for the message to reach `state`; returns its last JSON.
    json wait_state(std::uint16_t port, const std::string& id, const std::string& state) {
        json last;
        eventually(
            [&] {
                last = message(port, id);
                return field(last, "state") == state;
            },
            kLong);
        return last;
    }

    TempDir dir_{"bindery-kavenegar-e2e-"};
    std::unique_ptr<Simulator> sim_;
    std::unique_ptr<bindery::mock::KavenegarMock> mock_;
};

TEST_F(KavenegarEndToEnd, DeliversThroughKavenegarFailsOverToSmppDuringAnOutageAndComesBack) {
    Gateway gateway(dir_.path(), write_config(true));
    ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir_.path() / "bindery.out");
    const auto port = gateway.port();
    ASSERT_TRUE(
        eventually([&] { return http(port, "GET", "/readyz", {}, {}).status == 200; }, kLong))
        << http(port, "GET", "/readyz", {}, {}).body;

    // 1. Healthy: through Kavenegar over verified HTTPS, DELIVERED by status polling.
    {
        const auto id = submit(port, "+989121230001", "via kavenegar");
        ASSERT_FALSE(id.empty());
        const auto m = wait_state(port, id, "DELIVERED");
        EXPECT_EQ(field(m, "state"), "DELIVERED") << m.dump();
        EXPECT_EQ(field(m, "provider"), "kavenegar") << m.dump();
        EXPECT_THAT(history_providers(m), ::testing::Each(std::string("kavenegar"))) << m.dump();
        EXPECT_EQ(mock_->stats().messages, 1U);
        EXPECT_GE(mock_->stats().status_calls, 1U);
    }

    // 2. Outage: Kavenegar refuses connections. The failures open its breaker and the messages
    // (their retries) go to the SMPP failover, whose receipts bring them to DELIVERED.
    mock_->set_down(true);
    std::vector<std::string> during;
    for (int i = 0; i < 8; ++i)
        during.push_back(
            submit(port, "+98912123100" + std::to_string(i), "outage " + std::to_string(i)));
    for (const auto& id : during) {
        ASSERT_FALSE(id.empty());
        const auto m = wait_state(port, id, "DELIVERED");
        EXPECT_EQ(field(m, "state"), "DELIVERED") << m.dump();
        EXPECT_EQ(field(m, "provider"), "sim") << m.dump();
    }
    EXPECT_THAT(gateway.log(),
                HasSubstr(R"("msg":"circuit breaker","carrier":"kavenegar","state":"open")"));
    EXPECT_EQ(mock_->stats().messages, 1U);  // nothing reached Kavenegar

    // 3. Kavenegar answers again: after open_for the half-open probes succeed, the breaker closes
    // and the traffic is Kavenegar's again. Sent one at a time (each waited for) until one goes
    // through Kavenegar, then a group that must all go there.
    mock_->set_down(false);
    bool back = false;
    // Bounded by time: open_for (2 s here, 30 s by default) plus slack for a loaded machine.
    const auto give_up = std::chrono::steady_clock::now() + 90s;
    for (int i = 0; !back && std::chrono::steady_clock::now() < give_up; ++i) {
        const auto id =
            submit(port, "+989121232" + std::to_string(100 + i), "probe " + std::to_string(i));
        ASSERT_FALSE(id.empty());
        const auto m = wait_state(port, id, "DELIVERED");
        ASSERT_EQ(field(m, "state"), "DELIVERED") << m.dump();
        back = field(m, "provider") == "kavenegar";
        if (!back) std::this_thread::sleep_for(250ms);
    }
    ASSERT_TRUE(back) << gateway.log();
    // The breaker needs two probe successes to close: at most one more message may still be a probe
    // or fail over; after it every message goes to Kavenegar.
    {
        const auto id = submit(port, "+989121233000", "second probe");
        EXPECT_EQ(field(wait_state(port, id, "DELIVERED"), "state"), "DELIVERED");
    }
    EXPECT_TRUE(eventually(
        [&] {
            return gateway.log().find(
                       R"("msg":"circuit breaker","carrier":"kavenegar","state":"closed")") !=
                   std::string::npos;
        },
        kLong))
        << gateway.log();
    std::vector<std::string> after;
    for (int i = 0; i < 5; ++i)
        after.push_back(
            submit(port, "+98912123400" + std::to_string(i), "after " + std::to_string(i)));
    for (const auto& id : after) {
        const auto m = wait_state(port, id, "DELIVERED");
        EXPECT_EQ(field(m, "state"), "DELIVERED") << m.dump();
        EXPECT_EQ(field(m, "provider"), "kavenegar") << m.dump();
        EXPECT_THAT(history_providers(m), ::testing::Each(std::string("kavenegar"))) << m.dump();
    }

    gateway.process().signal(SIGTERM);
    EXPECT_EQ(exit_code(gateway.process().wait(20s)), 0)
        << read_all(dir_.path() / "bindery.out") << gateway.log();
}

TEST_F(KavenegarEndToEnd, MessagesLeftSentArePolledAgainAfterARestart) {
    std::string id;
    {
        // Status polling off: the message stays SENT with its Kavenegar id in the store.
        Gateway gateway(dir_.path(), write_config(false));
        ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir_.path() / "bindery.out");
        id = submit(gateway.port(), "+989121235000", "sent before the restart");
        ASSERT_FALSE(id.empty());
        const auto m = wait_state(gateway.port(), id, "SENT");
        ASSERT_EQ(field(m, "state"), "SENT") << m.dump();
        EXPECT_EQ(field(m, "provider"), "kavenegar");
        gateway.process().signal(SIGTERM);
        ASSERT_EQ(exit_code(gateway.process().wait(20s)), 0)
            << read_all(dir_.path() / "bindery.out") << gateway.log();
        EXPECT_EQ(mock_->stats().status_calls, 0U);
    }
    // A new process: nothing in memory; the poll list comes back from the store.
    Gateway restarted(dir_.path(), write_config(true));
    ASSERT_NE(restarted.port(), 0) << restarted.log();
    const auto m = wait_state(restarted.port(), id, "DELIVERED");
    EXPECT_EQ(field(m, "state"), "DELIVERED") << m.dump() << restarted.log();
    EXPECT_GE(mock_->stats().status_calls, 1U);
    EXPECT_EQ(mock_->stats().messages, 1U);  // polled, not sent again
    EXPECT_THAT(restarted.log(),
                HasSubstr(R"("msg":"status polls resumed","carrier":"kavenegar","messages":1)"));
    restarted.process().signal(SIGTERM);
    EXPECT_EQ(exit_code(restarted.process().wait(20s)), 0) << restarted.log();
}

}  // namespace
