// The metric families of docs/metrics.md: names, types, labels, and how samples become counters.

#include <gtest/gtest.h>

#include <string>

#include "http-frontend/metrics.hpp"

namespace bindery::http {
namespace {

bool has(const std::string& text, const std::string& line) {
    return text.find(line) != std::string::npos;
}

TEST(Metrics, EveryCataloguedFamilyIsExportedWithItsType) {
    // A family is rendered once it has a series: give each one.
    Metrics m;
    m.observe_request("/v1/messages", "POST", 202, 0.001);
    m.message_accepted("normal");
    m.message_rejected("invalid_number");
    m.message_transition("DEAD_LETTER", "");
    m.observe_submit("sim", "ok", 0.002);
    m.callback_completed(true);
    m.set_queue_depth("normal", 0);
    m.store_error("busy");
    m.breaker_changed("sim", BreakerLevel::open);
    m.callback_attempt("success", 0.01);
    m.sample_carrier(CarrierSample{.carrier = "sim"});
    const auto text = m.serialize();
    for (const char* type_line : {
             "# TYPE http_requests_total counter",
             "# TYPE http_request_duration_seconds histogram",
             "# TYPE http_connections_active gauge",
             "# TYPE http_connections_refused_total counter",
             "# TYPE bindery_messages_accepted_total counter",
             "# TYPE bindery_messages_rejected_total counter",
             "# TYPE bindery_message_transitions_total counter",
             "# TYPE bindery_dead_letters_total counter",
             "# TYPE bindery_provider_submit_duration_seconds histogram",
             "# TYPE bindery_store_errors_total counter",
             "# TYPE bindery_breaker_transitions_total counter",
             "# TYPE bindery_breaker_state gauge",
             "# TYPE bindery_callback_attempts_total counter",
             "# TYPE bindery_callback_duration_seconds histogram",
             "# TYPE bindery_callbacks_completed_total counter",
             "# TYPE bindery_callbacks_pending gauge",
             "# TYPE bindery_binds_configured gauge",
             "# TYPE bindery_binds_up gauge",
             "# TYPE bindery_bind_events_total counter",
             "# TYPE bindery_window_in_flight gauge",
             "# TYPE bindery_window_size gauge",
             "# TYPE bindery_carrier_queue_depth gauge",
             "# TYPE bindery_throttle_events_total counter",
             "# TYPE bindery_carrier_receipts_total counter",
             "# TYPE bindery_mo_messages_total counter",
             "# TYPE bindery_queue_depth gauge",
             "# TYPE bindery_router_backlog gauge",
             "# TYPE bindery_router_backlog_limit gauge",
             "# TYPE bindery_router_accepting gauge",
             "# TYPE bindery_receipts_total counter",
             "# TYPE bindery_router_backpressure_refusals_total counter",
             "# TYPE bindery_retries_scheduled_total counter",
             "# TYPE bindery_stale_results_total counter",
             "# TYPE bindery_smpp_concat_parts_pending gauge",
             "# TYPE bindery_smpp_concat_messages_pending gauge",
             "# TYPE bindery_smpp_concat_parts_total counter",
             "# TYPE bindery_smpp_concat_messages_total counter",
             "# TYPE process_resident_memory_bytes gauge",
             "# TYPE process_cpu_seconds_total counter",
             "# TYPE process_open_fds gauge",
             "# TYPE process_start_time_seconds gauge",
         }) {
        EXPECT_TRUE(has(text, type_line)) << type_line;
    }
}

TEST(Metrics, TransitionsCountByStateAndProviderAndDeadLettersTwice) {
    Metrics m;
    m.message_transition("QUEUED", "");
    m.message_transition("SENT", "mci");
    m.message_transition("SENT", "mci");
    m.message_transition("DEAD_LETTER", "mci");
    const auto text = m.serialize();
    EXPECT_TRUE(
        has(text, R"(bindery_message_transitions_total{provider="none",state="QUEUED"} 1)"));
    EXPECT_TRUE(has(text, R"(bindery_message_transitions_total{provider="mci",state="SENT"} 2)"));
    EXPECT_TRUE(
        has(text, R"(bindery_message_transitions_total{provider="mci",state="DEAD_LETTER"} 1)"));
    EXPECT_TRUE(has(text, R"(bindery_dead_letters_total{provider="mci"} 1)"));
}

TEST(Metrics, SubmitLatencyFallsInTheRightBuckets) {
    Metrics m;
    m.observe_submit("mci", "ok", 0.0007);
    m.observe_submit("mci", "ok", 0.2);
    m.observe_submit("mci", "timeout", 30);
    const auto text = m.serialize();
    EXPECT_TRUE(has(
        text,
        R"(bindery_provider_submit_duration_seconds_bucket{provider="mci",result="ok",le="0.0005"} 0)"));
    EXPECT_TRUE(has(
        text,
        R"(bindery_provider_submit_duration_seconds_bucket{provider="mci",result="ok",le="0.001"} 1)"));
    EXPECT_TRUE(has(
        text,
        R"(bindery_provider_submit_duration_seconds_bucket{provider="mci",result="ok",le="0.25"} 2)"));
    EXPECT_TRUE(has(
        text, R"(bindery_provider_submit_duration_seconds_count{provider="mci",result="ok"} 2)"));
    EXPECT_TRUE(has(
        text,
        R"(bindery_provider_submit_duration_seconds_count{provider="mci",result="timeout"} 1)"));
}

TEST(Metrics, SampledCumulativeCountsAdvanceCountersByTheirDifference) {
    Metrics m;
    CarrierSample s;
    s.carrier = "mci";
    s.binds_configured = 4;
    s.binds_up = 3;
    s.bind_ups = 5;
    s.bind_downs = 2;
    s.in_flight = 17;
    s.window = 40;
    s.queued = 9;
    s.throttled_carrier = 7;
    s.throttled_local = 1;
    m.sample_carrier(s);
    s.bind_ups = 6;
    s.throttled_carrier = 10;
    s.binds_up = 4;
    m.sample_carrier(s);
    auto text = m.serialize();
    EXPECT_TRUE(has(text, R"(bindery_binds_up{carrier="mci"} 4)"));
    EXPECT_TRUE(has(text, R"(bindery_binds_configured{carrier="mci"} 4)"));
    EXPECT_TRUE(has(text, R"(bindery_bind_events_total{carrier="mci",event="up"} 6)"));
    EXPECT_TRUE(has(text, R"(bindery_bind_events_total{carrier="mci",event="down"} 2)"));
    EXPECT_TRUE(has(text, R"(bindery_window_in_flight{carrier="mci"} 17)"));
    EXPECT_TRUE(has(text, R"(bindery_window_size{carrier="mci"} 40)"));
    EXPECT_TRUE(has(text, R"(bindery_carrier_queue_depth{carrier="mci"} 9)"));
    EXPECT_TRUE(has(text, R"(bindery_throttle_events_total{carrier="mci",source="carrier"} 10)"));
    EXPECT_TRUE(has(text, R"(bindery_throttle_events_total{carrier="mci",source="local"} 1)"));
    // The source restarted (a smaller cumulative value): counted from zero, never backwards.
    s.bind_ups = 1;
    m.sample_carrier(s);
    text = m.serialize();
    EXPECT_TRUE(has(text, R"(bindery_bind_events_total{carrier="mci",event="up"} 7)"));
}

TEST(Metrics, CollectorsRunOnEveryScrape) {
    Metrics m;
    std::uint64_t matched = 0;
    m.add_collector([&matched](Metrics& self) {
        matched += 3;
        RouterSample r;
        r.backlog = 12;
        r.backlog_limit = 500;
        r.accepting = false;
        r.receipts_matched = matched;
        r.receipts_unknown = 1;
        self.sample_router(r);
        self.set_queue_depth("bulk", 5);
        self.set_breaker("mci", BreakerLevel::half_open);
    });
    (void)m.serialize();
    const auto text = m.serialize();
    EXPECT_TRUE(has(text, "bindery_router_backlog 12"));
    EXPECT_TRUE(has(text, "bindery_router_backlog_limit 500"));
    EXPECT_TRUE(has(text, "bindery_router_accepting 0"));
    EXPECT_TRUE(has(text, R"(bindery_receipts_total{result="matched"} 6)"));
    EXPECT_TRUE(has(text, R"(bindery_receipts_total{result="unknown"} 1)"));
    EXPECT_TRUE(has(text, R"(bindery_receipts_total{result="held"} 0)"));
    EXPECT_TRUE(has(text, R"(bindery_queue_depth{lane="bulk"} 5)"));
    EXPECT_TRUE(has(text, R"(bindery_queue_depth{lane="express"} 0)"));
    EXPECT_TRUE(has(text, R"(bindery_breaker_state{provider="mci"} 1)"));
}

TEST(Metrics, CallbackResultsAndBreakerChanges) {
    Metrics m;
    m.callback_attempt("http_error", 0.3);
    m.callback_attempt("success", 0.01);
    m.callback_completed(true);
    m.callback_completed(false);
    m.callback_completed(false);
    m.set_callbacks_pending(4);
    m.breaker_changed("kv", BreakerLevel::open);
    m.breaker_changed("kv", BreakerLevel::closed);
    m.store_error("full");
    const auto text = m.serialize();
    EXPECT_TRUE(has(text, R"(bindery_callback_attempts_total{result="http_error"} 1)"));
    EXPECT_TRUE(has(text, R"(bindery_callback_attempts_total{result="success"} 1)"));
    EXPECT_TRUE(has(text, "bindery_callback_duration_seconds_count 2"));
    EXPECT_TRUE(has(text, R"(bindery_callbacks_completed_total{outcome="delivered"} 1)"));
    EXPECT_TRUE(has(text, R"(bindery_callbacks_completed_total{outcome="abandoned"} 2)"));
    EXPECT_TRUE(has(text, "bindery_callbacks_pending 4"));
    EXPECT_TRUE(has(text, R"(bindery_breaker_transitions_total{provider="kv",state="open"} 1)"));
    EXPECT_TRUE(has(text, R"(bindery_breaker_transitions_total{provider="kv",state="closed"} 1)"));
    EXPECT_TRUE(has(text, R"(bindery_breaker_state{provider="kv"} 0)"));
    EXPECT_TRUE(has(text, R"(bindery_store_errors_total{code="full"} 1)"));
}

TEST(Metrics, ProcessFiguresAreReadFromProc) {
    Metrics m;
    const auto text = m.serialize();
    // This process has some resident memory and at least stdin/stdout/stderr open.
    const auto rss = text.find("\nprocess_resident_memory_bytes ");
    ASSERT_NE(rss, std::string::npos);
    EXPECT_NE(text.compare(rss, 32, "\nprocess_resident_memory_bytes 0"), 0);
    EXPECT_FALSE(has(text, "\nprocess_open_fds 0\n"));
    EXPECT_FALSE(has(text, "\nprocess_max_fds 0\n"));
}

TEST(Metrics, SmppConcatSamplesSetGaugesAndAdvanceCountersByResult) {
    Metrics m;
    std::uint64_t stored = 0;
    m.add_collector([&stored](Metrics& self) {
        stored += 4;
        SmppConcatSample s;
        s.parts_pending = 3;
        s.messages_pending = 2;
        s.parts_stored = stored;
        s.parts_duplicate = 1;
        s.reassembled = 1;
        s.timed_out = 2;
        self.sample_smpp_concat(s);
    });
    (void)m.serialize();
    const auto text = m.serialize();
    EXPECT_TRUE(has(text, "bindery_smpp_concat_parts_pending 3"));
    EXPECT_TRUE(has(text, "bindery_smpp_concat_messages_pending 2"));
    EXPECT_TRUE(has(text, R"(bindery_smpp_concat_parts_total{result="stored"} 8)"));
    EXPECT_TRUE(has(text, R"(bindery_smpp_concat_parts_total{result="duplicate"} 1)"));
    EXPECT_TRUE(has(text, R"(bindery_smpp_concat_parts_total{result="refused"} 0)"));
    EXPECT_TRUE(has(text, R"(bindery_smpp_concat_messages_total{result="reassembled"} 1)"));
    EXPECT_TRUE(has(text, R"(bindery_smpp_concat_messages_total{result="timed_out"} 2)"));
    EXPECT_TRUE(has(text, R"(bindery_smpp_concat_messages_total{result="rejected"} 0)"));
}

}  // namespace
}  // namespace bindery::http
