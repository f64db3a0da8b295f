// GET /metrics of a running gateway (real binary, simulator as carrier): after one message is
// DELIVERED, the catalogued series (docs/metrics.md) are there with the carrier's labels and
// values that follow from that one message.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "gateway_harness.hpp"

namespace {

using namespace std::chrono_literals;
using bindery::test::eventually;
using bindery::test::read_all;
using bindery::test::TempDir;
using ::testing::HasSubstr;
namespace h = bindery::test::harness;

TEST(GatewayMetrics, ScrapeAfterOneDeliveredMessageShowsItsSeries) {
    TempDir dir("bindery-metrics-");
    h::Simulator sim(dir.path(), {"--dlr-delay", "20"});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    h::Gateway gateway(dir.path(), h::write_config(dir.path(), sim.port()));
    ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir.path() / "bindery.out");
    ASSERT_TRUE(eventually(
        [&] { return h::http(gateway.port(), "GET", "/readyz", {}, {}).status == 200; }));

    const auto reply = h::http(gateway.port(), "POST", "/v1/messages",
                               R"({"to":"+989121234567","from":"Bindery","text":"metrics"})");
    ASSERT_EQ(reply.status, 202) << reply.body;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(reply.body, m, std::regex(R"re("id":"([0-9a-f-]{36})")re")));
    const std::string id = m[1];
    std::string status;
    ASSERT_TRUE(eventually([&] {
        status = h::http(gateway.port(), "GET", "/v1/messages/" + id).body;
        return status.find(R"("state":"DELIVERED")") != std::string::npos;
    })) << status;

    std::string text;
    // The receipt is counted by the router's poll right after the transition: wait for both.
    ASSERT_TRUE(eventually([&] {
        const auto scrape = h::http(gateway.port(), "GET", "/metrics", {}, {});
        text = scrape.body;
        return scrape.status == 200 &&
               h::metric_value(text, R"(bindery_receipts_total{result="matched"})") >= 1;
    })) << text;

    // Messages by state and provider: the one message went through each state once.
    EXPECT_EQ(h::metric_value(
                  text, R"(bindery_message_transitions_total{provider="none",state="QUEUED"})"),
              1)
        << text;
    EXPECT_EQ(h::metric_value(
                  text, R"(bindery_message_transitions_total{provider="sim",state="SENDING"})"),
              1);
    EXPECT_EQ(
        h::metric_value(text, R"(bindery_message_transitions_total{provider="sim",state="SENT"})"),
        1);
    EXPECT_EQ(h::metric_value(
                  text, R"(bindery_message_transitions_total{provider="sim",state="DELIVERED"})"),
              1);
    // Provider submit latency: one successful send.
    EXPECT_EQ(
        h::metric_value(
            text, R"(bindery_provider_submit_duration_seconds_count{provider="sim",result="ok"})"),
        1);
    EXPECT_EQ(
        h::metric_value(
            text,
            R"(bindery_provider_submit_duration_seconds_bucket{provider="sim",result="ok",le="+Inf"})"),
        1);
    // The carrier's bind pool, sampled at the scrape.
    EXPECT_EQ(h::metric_value(text, R"(bindery_binds_configured{carrier="sim"})"), 1);
    EXPECT_EQ(h::metric_value(text, R"(bindery_binds_up{carrier="sim"})"), 1);
    EXPECT_EQ(h::metric_value(text, R"(bindery_bind_events_total{carrier="sim",event="up"})"), 1);
    EXPECT_EQ(h::metric_value(text, R"(bindery_window_size{carrier="sim"})"), 20);
    EXPECT_EQ(h::metric_value(text, R"(bindery_window_in_flight{carrier="sim"})"), 0);
    EXPECT_EQ(h::metric_value(text, R"(bindery_carrier_queue_depth{carrier="sim"})"), 0);
    EXPECT_EQ(
        h::metric_value(text, R"(bindery_throttle_events_total{carrier="sim",source="carrier"})"),
        0);
    EXPECT_EQ(
        h::metric_value(text, R"(bindery_carrier_receipts_total{carrier="sim",result="parsed"})"),
        1);
    // Router: receipts matched, nothing waiting, accepting, breaker closed.
    EXPECT_EQ(h::metric_value(text, R"(bindery_receipts_total{result="matched"})"), 1);
    EXPECT_EQ(h::metric_value(text, R"(bindery_receipts_total{result="unknown"})"), 0);
    EXPECT_EQ(h::metric_value(text, "bindery_router_backlog"), 0);
    EXPECT_EQ(h::metric_value(text, "bindery_router_accepting"), 1);
    EXPECT_EQ(h::metric_value(text, R"(bindery_breaker_state{provider="sim"})"), 0);
    EXPECT_EQ(h::metric_value(text, R"(bindery_carrier_paused{carrier="sim"})"), 0);
    // Store retention: nothing old enough to purge yet.
    EXPECT_EQ(h::metric_value(text, "bindery_store_purged_alerts_total"), 0);
    // HTTP front end.
    EXPECT_EQ(h::metric_value(
                  text, R"(http_requests_total{code="202",method="POST",route="/v1/messages"})"),
              1);
    EXPECT_EQ(h::metric_value(text, R"(bindery_messages_accepted_total{priority="normal"})"), 1);
    // Store: the acceptance and the three transitions were committed (in 1 to 4 groups).
    EXPECT_GE(h::metric_value(text, "bindery_store_commits_total"), 1);
    EXPECT_LE(h::metric_value(text, "bindery_store_commits_total"), 40);  // plus startup writes
    EXPECT_EQ(h::metric_value(text, "bindery_store_commit_failures_total"), 0);
    EXPECT_GT(h::metric_value(text, "bindery_store_writer_cpu_seconds_total"), 0);
    EXPECT_GT(h::metric_value(text, "bindery_store_wal_pages"), 0);
    EXPECT_EQ(h::metric_value(text, R"(bindery_store_checkpoints_total{by="writer"})"), 0);
    EXPECT_EQ(h::metric_value(text, "bindery_store_checkpoint_failures_total"), 0);
    EXPECT_EQ(h::metric_value(text, "bindery_store_purge_failures_total"), 0);
    EXPECT_THAT(text, HasSubstr("# TYPE bindery_store_purged_messages_total counter\n"));
    // Process.
    EXPECT_GT(h::metric_value(text, "process_resident_memory_bytes"), 0);
    EXPECT_GT(h::metric_value(text, "process_open_fds"), 0);
    EXPECT_THAT(text, HasSubstr("# TYPE process_cpu_seconds_total counter\n"));
}

// Prepaid credit (docs/credits.md) as /metrics shows it: a metered client's balance and open holds,
// and the amounts held, captured and released. Four messages at 7 each from an initial 1000; the
// simulator delivers some and reports the others undelivered (capture on DELIVERED, release on a
// permanent failure), so what is expected follows from the states the messages reached.
TEST(GatewayMetrics, CreditBalanceHoldsAndMovesPerClient) {
    TempDir dir("bindery-metrics-");
    h::Simulator sim(dir.path(), {"--dlr-delay", "20", "--dlr-mix", "DELIVRD=50,UNDELIV=50"});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    const auto config = h::write_config(dir.path(), sim.port());
    std::ofstream(config, std::ios::app)
        << "    credit: 1000\ncredits:\n  currency: IRR\n  default_price: 7\n";
    h::Gateway gateway(dir.path(), config);
    ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir.path() / "bindery.out");
    ASSERT_TRUE(eventually(
        [&] { return h::http(gateway.port(), "GET", "/readyz", {}, {}).status == 200; }));

    // Before any message: the account from the configuration, nothing moved but the top-up.
    auto text = h::http(gateway.port(), "GET", "/metrics", {}, {}).body;
    EXPECT_EQ(h::metric_value(text, R"(bindery_credit_balance{client="test"})"), 1000) << text;
    EXPECT_EQ(h::metric_value(text, R"(bindery_credit_on_hold{client="test"})"), 0);
    EXPECT_EQ(h::metric_value(text, R"(bindery_credit_added_total{client="test"})"), 1000);
    EXPECT_EQ(h::metric_value(text, R"(bindery_credit_held_total{client="test"})"), 0);
    EXPECT_THAT(text, HasSubstr("# TYPE bindery_credit_balance gauge\n"));
    EXPECT_THAT(text, HasSubstr("# TYPE bindery_credit_captured_total counter\n"));

    std::vector<std::string> ids;
    for (int i = 0; i < 4; ++i) {
        const auto reply = h::http(gateway.port(), "POST", "/v1/messages",
                                   R"({"to":"+98912123456)" + std::to_string(i) +
                                       R"(","from":"Bindery","text":"credit"})");
        ASSERT_EQ(reply.status, 202) << reply.body;
        std::smatch m;
        ASSERT_TRUE(std::regex_search(reply.body, m, std::regex(R"re("id":"([0-9a-f-]{36})")re")));
        ids.push_back(m[1]);
    }
    int delivered = 0;
    int undelivered = 0;
    for (const auto& id : ids) {
        std::string body;
        ASSERT_TRUE(eventually([&] {
            body = h::http(gateway.port(), "GET", "/v1/messages/" + id).body;
            return body.find(R"("state":"DELIVERED")") != std::string::npos ||
                   body.find(R"("state":"UNDELIVERABLE")") != std::string::npos;
        })) << body;
        (body.find(R"("state":"DELIVERED")") != std::string::npos ? delivered : undelivered) += 1;
    }
    text = h::http(gateway.port(), "GET", "/metrics", {}, {}).body;
    EXPECT_EQ(h::metric_value(text, R"(bindery_credit_held_total{client="test"})"), 28) << text;
    EXPECT_EQ(h::metric_value(text, R"(bindery_credit_captured_total{client="test"})"),
              7 * delivered);
    EXPECT_EQ(h::metric_value(text, R"(bindery_credit_released_total{client="test"})"),
              7 * undelivered);
    EXPECT_EQ(h::metric_value(text, R"(bindery_credit_on_hold{client="test"})"), 0);
    EXPECT_EQ(h::metric_value(text, R"(bindery_credit_balance{client="test"})"),
              1000 - 7 * delivered);
    EXPECT_EQ(h::metric_value(text, R"(bindery_credit_added_total{client="test"})"), 1000);
    // A second scrape adds nothing (the counters advance by new ledger entries only).
    text = h::http(gateway.port(), "GET", "/metrics", {}, {}).body;
    EXPECT_EQ(h::metric_value(text, R"(bindery_credit_held_total{client="test"})"), 28);
}

}  // namespace
