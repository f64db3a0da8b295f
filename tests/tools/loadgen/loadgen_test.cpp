// The load generator's parts that decide what its figures mean: the latency histogram (bucket
// bounds, nearest-rank percentiles that never under-report), the open-loop schedule, the command
// line, the request bodies and the JSON report.

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "tools/loadgen/http_load.hpp"
#include "tools/loadgen/latency.hpp"
#include "tools/loadgen/options.hpp"
#include "tools/loadgen/pacer.hpp"
#include "tools/loadgen/report.hpp"

namespace bindery::loadgen {
namespace {

using namespace std::chrono_literals;

TEST(LatencyHistogram, SmallValuesAreExactAndLargeOnesWithinOnePercent) {
    for (std::uint64_t v : {0ULL, 1ULL, 200ULL, 255ULL}) {
        EXPECT_EQ(LatencyHistogram::upper_of(LatencyHistogram::bucket_of(v)), v);
    }
    for (std::uint64_t v : {256ULL, 1000ULL, 4999ULL, 123456ULL, 9'999'999ULL, 3'000'000'000ULL}) {
        const auto upper = LatencyHistogram::upper_of(LatencyHistogram::bucket_of(v));
        EXPECT_GE(upper, v);
        EXPECT_LE(static_cast<double>(upper), static_cast<double>(v) * 1.01) << v;
        // The bucket below ends below v.
        EXPECT_LT(LatencyHistogram::upper_of(LatencyHistogram::bucket_of(v) - 1), v);
    }
    // Beyond the range: clamped into the last bucket, no overflow.
    EXPECT_EQ(LatencyHistogram::bucket_of(~0ULL), LatencyHistogram::bucket_of((1ULL << 33) - 1));
}

TEST(LatencyHistogram, NearestRankPercentilesAndMerge) {
    LatencyHistogram h;
    EXPECT_EQ(h.percentile_us(0.99), 0U);
    for (std::uint64_t v = 1; v <= 100; ++v) h.record_us(v);  // 1..100 us
    EXPECT_EQ(h.count(), 100U);
    EXPECT_EQ(h.percentile_us(0.5), 50U);
    EXPECT_EQ(h.percentile_us(0.9), 90U);
    EXPECT_EQ(h.percentile_us(0.99), 99U);
    EXPECT_EQ(h.percentile_us(1.0), 100U);
    EXPECT_EQ(h.max_us(), 100U);
    EXPECT_EQ(h.min_us(), 1U);
    EXPECT_DOUBLE_EQ(h.mean_us(), 50.5);

    LatencyHistogram slow;
    for (int i = 0; i < 100; ++i) slow.record_us(50'000);
    h.merge(slow);
    EXPECT_EQ(h.count(), 200U);
    EXPECT_EQ(h.percentile_us(0.5), 100U);
    // A large value answers at most its bucket's upper edge, never more than the max seen.
    EXPECT_EQ(h.percentile_us(0.99), 50'000U);
    EXPECT_EQ(h.max_us(), 50'000U);
}

TEST(Pacer, SlotsAreDueOnAFixedScheduleWhateverTheCaller) {
    const auto t0 = Pacer::Clock::time_point{} + 1s;
    Pacer p(t0, 1000);  // one every millisecond
    Pacer::Clock::time_point at{};
    EXPECT_TRUE(p.take(t0, at));
    EXPECT_EQ(at, t0);
    EXPECT_FALSE(p.take(t0, at));  // the next is due at t0 + 1 ms
    // A caller that wakes 5 ms late gets every missed slot, each with its own due time.
    int taken = 0;
    while (p.take(t0 + 5ms, at)) ++taken;
    EXPECT_EQ(taken, 5);
    EXPECT_EQ(at, t0 + 5ms);
    EXPECT_EQ(p.taken(), 6U);
    EXPECT_EQ(p.next_due(), t0 + 6ms);
}

TEST(LoadgenOptions, ParsesBothModesWithDefaultsOnLoopback) {
    const auto h = parse_options({"http", "--count", "100", "--key", "k", "--batch", "10",
                                  "--connections", "8", "--threads", "16", "--rate", "5000"});
    EXPECT_EQ(h.mode, Mode::http);
    EXPECT_EQ(h.host, "127.0.0.1");
    EXPECT_EQ(h.port, 8080);
    EXPECT_EQ(h.count, 100U);
    EXPECT_EQ(h.batch, 10U);
    EXPECT_EQ(h.connections, 8U);
    EXPECT_EQ(h.threads, 8U);  // never more threads than connections
    EXPECT_DOUBLE_EQ(h.rate, 5000);

    const auto s =
        parse_options({"smpp", "--target", "10.0.0.5:2776", "--duration", "1500ms", "--sessions",
                       "4", "--window", "100", "--receipts", "--format", "json"});
    EXPECT_EQ(s.mode, Mode::smpp);
    EXPECT_EQ(s.host, "10.0.0.5");
    EXPECT_EQ(s.port, 2776);
    EXPECT_EQ(s.duration, 1500ms);
    EXPECT_EQ(s.connections, 4U);
    EXPECT_EQ(s.window, 100U);
    EXPECT_TRUE(s.receipts);
    EXPECT_FALSE(s.table);
    EXPECT_TRUE(s.json);
    EXPECT_EQ(parse_options({"smpp", "--duration", "2m"}).duration, 120s);
    EXPECT_EQ(parse_options({"smpp", "--duration", "3"}).duration, 3s);
}

TEST(LoadgenOptions, RefusesUnboundedOrMalformedRuns) {
    EXPECT_THROW((void)parse_options({}), std::invalid_argument);
    EXPECT_THROW((void)parse_options({"ftp", "--count", "1"}), std::invalid_argument);
    EXPECT_THROW((void)parse_options({"http"}), std::invalid_argument);  // no bound
    EXPECT_THROW((void)parse_options({"http", "--count", "-5"}), std::invalid_argument);
    EXPECT_THROW((void)parse_options({"http", "--count", "5x"}), std::invalid_argument);
    EXPECT_THROW((void)parse_options({"http", "--count", "5", "--connections", "0"}),
                 std::invalid_argument);
    EXPECT_THROW((void)parse_options({"http", "--count", "5", "--target", "nohost"}),
                 std::invalid_argument);
    EXPECT_THROW((void)parse_options({"http", "--count", "5", "--rate"}), std::invalid_argument);
    EXPECT_THROW((void)parse_options({"http", "--count", "5", "--bogus", "1"}),
                 std::invalid_argument);
}

TEST(LoadgenOptions, CallbacksTakeTheirOwnOptionsInHttpModeOnly) {
    const auto d = parse_options({"http", "--count", "10", "--callbacks"});
    EXPECT_TRUE(d.callbacks);
    EXPECT_EQ(d.callback_host, "127.0.0.1");  // loopback by default
    EXPECT_EQ(d.callback_port, 0);
    EXPECT_TRUE(d.callback_url.empty());
    EXPECT_TRUE(d.callback_secret.empty());
    EXPECT_EQ(d.callback_wait, 30s);
    EXPECT_FALSE(parse_options({"http", "--count", "10"}).callbacks);

    const auto o = parse_options({"http", "--count", "10", "--callbacks", "--callback-listen",
                                  "0.0.0.0:9099", "--callback-url", "http://10.0.0.7:9099/cb",
                                  "--callback-secret", "s3cret", "--callback-wait", "5s"});
    EXPECT_EQ(o.callback_host, "0.0.0.0");
    EXPECT_EQ(o.callback_port, 9099);
    EXPECT_EQ(o.callback_url, "http://10.0.0.7:9099/cb");
    EXPECT_EQ(o.callback_secret, "s3cret");
    EXPECT_EQ(o.callback_wait, 5s);
    EXPECT_EQ(parse_options({"http", "--count", "1", "--callbacks", "--callback-listen", "[::1]:0"})
                  .callback_host,
              "::1");

    EXPECT_THROW((void)parse_options({"smpp", "--count", "1", "--callbacks"}),
                 std::invalid_argument);
    EXPECT_THROW((void)parse_options({"http", "--count", "1", "--callback-secret", "s"}),
                 std::invalid_argument);  // without --callbacks
    EXPECT_THROW(
        (void)parse_options({"http", "--count", "1", "--callbacks", "--callback-listen", "9099"}),
        std::invalid_argument);
    EXPECT_THROW((void)parse_options({"http", "--count", "1", "--callbacks", "--callback-listen",
                                      "127.0.0.1:70000"}),
                 std::invalid_argument);
    EXPECT_THROW(
        (void)parse_options({"http", "--count", "1", "--callbacks", "--callback-url", "ftp://x/"}),
        std::invalid_argument);
    EXPECT_THROW(
        (void)parse_options({"http", "--count", "1", "--callbacks", "--callback-secret", ""}),
        std::invalid_argument);
    EXPECT_THROW((void)parse_options({"http", "--count", "1", "--callbacks", "--callback-wait"}),
                 std::invalid_argument);
}

TEST(LoadgenHttp, BodiesCarryTheCallbackUrlOncePerRequest) {
    Options o;
    EXPECT_EQ(http_body(o, 7, 1, "http://127.0.0.1:9099/callback"),
              R"({"to":"+989120000007","from":"Bindery","text":"Bindery load test message",)"
              R"("callback_url":"http://127.0.0.1:9099/callback"})");
    const auto batch = nlohmann::json::parse(http_body(o, 7, 3, "http://h/\"q\""));
    EXPECT_EQ(batch["to"].size(), 3U);
    EXPECT_EQ(batch["callback_url"], "http://h/\"q\"");  // escaped
    EXPECT_FALSE(nlohmann::json::parse(http_body(o, 7, 3)).contains("callback_url"));
}

TEST(LoadgenHttp, BodiesCarryOneRecipientOrAListWithUniqueNumbers) {
    Options o;
    o.text = "he said \"hi\"";
    EXPECT_EQ(http_body(o, 42, 1),
              R"({"to":"+989120000042","from":"Bindery","text":"he said \"hi\""})");
    const auto batch = nlohmann::json::parse(http_body(o, 9'999'999, 3));
    ASSERT_TRUE(batch["to"].is_array());
    EXPECT_EQ(batch["to"][0], "+989129999999");
    EXPECT_EQ(batch["to"][1], "+989120000000");  // wraps within 7 digits
    EXPECT_EQ(batch["to"][2], "+989120000001");
}

// One keep-alive connection on loopback whose every request is answered 202 with `body`; it
// keeps each request's Idempotency-Key (empty when absent).
class FixedAnswerServer {
public:
    explicit FixedAnswerServer(std::string body)
        : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}),
          body_(std::move(body)),
          thread_([this] { serve(); }) {}
    ~FixedAnswerServer() {
        boost::system::error_code ec;
        acceptor_.close(ec);
        thread_.join();
    }
    FixedAnswerServer(const FixedAnswerServer&) = delete;
    FixedAnswerServer& operator=(const FixedAnswerServer&) = delete;
    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    std::vector<std::string> keys() const {
        std::lock_guard lock(mutex_);
        return keys_;
    }

private:
    void serve() {
        namespace http = boost::beast::http;
        boost::system::error_code ec;
        boost::asio::ip::tcp::socket socket(io_);
        acceptor_.accept(socket, ec);
        boost::beast::flat_buffer buffer;
        while (!ec) {
            http::request<http::string_body> req;
            http::read(socket, buffer, req, ec);
            if (ec) break;
            {
                std::lock_guard lock(mutex_);
                keys_.emplace_back(req["Idempotency-Key"]);
            }
            http::response<http::string_body> res{http::status::accepted, 11};
            res.set(http::field::content_type, "application/json");
            res.body() = body_;
            res.keep_alive(true);
            res.prepare_payload();
            http::write(socket, res, ec);
        }
    }

    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::string body_;
    mutable std::mutex mutex_;
    std::vector<std::string> keys_;
    std::thread thread_;  // last: starts after the members it uses
};

// The gateway answers a batch it partly refused with 202, the accepted ids under "messages" and
// the refused recipients under "rejected": only the accepted count as accepted, with or without
// --callbacks.
TEST(LoadgenHttp, APartial202CountsOnlyTheAcceptedRecipients) {
    FixedAnswerServer server(
        R"({"messages":[{"id":"0190a0b0-5c1e-7a3b-8000-000000000001","to":"+989120000000"}],)"
        R"("rejected":[{"index":1,"to":"+989120000001","error":{"code":"invalid_destination"}}]})");
    const auto options =
        parse_options({"http", "--target", "127.0.0.1:" + std::to_string(server.port()), "--key",
                       "k", "--batch", "2", "--count", "4", "--connections", "1"});
    WorkerShare share;
    share.count = 4;
    const auto r = run_http(options, share);
    EXPECT_EQ(r.requests, 2U);
    EXPECT_EQ(r.messages, 4U);
    EXPECT_EQ(r.status.at("202"), 2U);
    EXPECT_EQ(r.accepted, 2U);  // one per answer
    EXPECT_EQ(r.failed, 2U);
}

TEST(LoadgenHttp, IdempotencyKeysAreSentOnlyWhenAskedAndDifferPerRequestAndRun) {
    const std::string answer = R"({"messages":[]})";
    auto run = [&](bool keys) {
        FixedAnswerServer server(answer);
        std::vector<std::string> args = {
            "http",    "--target", "127.0.0.1:" + std::to_string(server.port()), "--key", "k",
            "--count", "3"};
        if (keys) args.emplace_back("--idempotency-keys");
        WorkerShare share;
        share.count = 3;
        (void)run_http(parse_options(args), share);
        return server.keys();
    };
    const auto none = run(false);
    ASSERT_EQ(none.size(), 3U);
    for (const auto& k : none) EXPECT_EQ(k, "");
    const auto first = run(true);
    const auto second = run(true);
    ASSERT_EQ(first.size(), 3U);
    ASSERT_EQ(second.size(), 3U);
    std::set<std::string> all(first.begin(), first.end());
    all.insert(second.begin(), second.end());
    EXPECT_EQ(all.size(), 6U);  // unique per request and per run
    for (const auto& k : all) EXPECT_EQ(k.rfind("lg-", 0), 0U) << k;
}

TEST(LoadgenReport, JsonCarriesRateCountsAndPercentiles) {
    RunResult r;
    r.mode = "http";
    r.open_loop = true;
    r.target_rate = 5000;
    r.connections = 4;
    r.requests = 10;
    r.messages = 10;
    r.accepted = 8;
    r.failed = 2;
    r.status["202"] = 8;
    r.status["429"] = 2;
    r.seconds = 2;
    for (int i = 0; i < 10; ++i) r.latency.record_us(1000);
    RunResult other = r;
    r.merge(other);
    const auto j = nlohmann::json::parse(format_json(r));
    EXPECT_EQ(j["mode"], "http");
    EXPECT_EQ(j["loop"], "open");
    EXPECT_EQ(j["connections"], 8);
    EXPECT_EQ(j["accepted"], 16);
    EXPECT_EQ(j["status"]["429"], 4);
    EXPECT_DOUBLE_EQ(j["accepted_per_second"].get<double>(), 8.0);
    EXPECT_DOUBLE_EQ(j["latency_ms"]["p99"].get<double>(), 1.0);
    EXPECT_EQ(j["latency_ms"]["count"], 20);
    const auto table = format_table(r);
    EXPECT_NE(table.find("open loop, 5000 msg/s"), std::string::npos) << table;
    EXPECT_NE(table.find("429=4"), std::string::npos) << table;
    EXPECT_FALSE(j.contains("callbacks"));  // only with --callbacks
    EXPECT_EQ(table.find("callbacks"), std::string::npos) << table;
}

TEST(LoadgenReport, CallbacksAddTheirCountsAndLatency) {
    RunResult r;
    r.mode = "http";
    CallbackSummary c;
    c.expected = 10;
    c.received = 12;
    c.by_state["DELIVERED"] = 9;
    c.duplicates = 2;
    c.retried = 2;
    c.bad_signatures = 1;
    c.unknown = 0;
    c.completed = 9;
    c.missing = 1;
    c.seconds = 4;
    c.receiver_cpu_seconds = 0.5;
    for (int i = 0; i < 9; ++i) c.latency.record_us(250'000);
    r.callbacks = c;
    const auto j = nlohmann::json::parse(format_json(r));
    const auto& k = j["callbacks"];
    EXPECT_EQ(k["received"], 12);
    EXPECT_DOUBLE_EQ(k["per_second"].get<double>(), 3.0);
    EXPECT_EQ(k["by_state"]["DELIVERED"], 9);
    EXPECT_EQ(k["duplicates"], 2);
    EXPECT_EQ(k["bad_signatures"], 1);
    EXPECT_EQ(k["expected"], 10);
    EXPECT_EQ(k["completed"], 9);
    EXPECT_EQ(k["missing"], 1);
    EXPECT_DOUBLE_EQ(k["latency_ms"]["p99"].get<double>(), 250.0);
    EXPECT_EQ(k["latency_ms"]["count"], 9);
    const auto table = format_table(r);
    EXPECT_NE(table.find("DELIVERED=9"), std::string::npos) << table;
    EXPECT_NE(table.find("9 of 10 accepted messages, missing 1"), std::string::npos) << table;
    EXPECT_NE(table.find("bad signatures 1"), std::string::npos) << table;
    EXPECT_DOUBLE_EQ(k["receiver_cpu_seconds"].get<double>(), 0.5);
    EXPECT_NE(table.find("24 callbacks per CPU-second"), std::string::npos) << table;
}

}  // namespace
}  // namespace bindery::loadgen
