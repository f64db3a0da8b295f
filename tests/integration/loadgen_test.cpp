// bindery-loadgen against real processes, briefly (tiny counts, no timing assertions): HTTP mode
// against a gateway with the simulator as carrier, closed and open loop, and with --callbacks
// (the gateway's signed delivery callbacks to the loadgen's receiver); SMPP mode against the
// simulator's server side with receipts. Checks that what it reports adds up.

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "gateway_harness.hpp"

namespace {

using namespace std::chrono_literals;
using bindery::test::eventually;
using bindery::test::exit_code;
using bindery::test::Process;
using bindery::test::read_all;
using bindery::test::TempDir;
namespace h = bindery::test::harness;

const std::string kLoadgen = BINDERY_BINARY_DIR "/tools/loadgen/bindery-loadgen";

struct LoadRun {
    int exit = -1;
    nlohmann::json report;  // the last output line
    std::string output;
};

LoadRun run_loadgen(const std::filesystem::path& dir, const std::vector<std::string>& args) {
    const auto out = dir / "loadgen.out";
    std::filesystem::remove(out);
    Process p(kLoadgen, args, out, dir / "loadgen.err");
    LoadRun run;
    run.exit = exit_code(p.wait(120s));
    run.output = read_all(out) + read_all(dir / "loadgen.err");
    // The JSON report is the last line.
    auto text = read_all(out);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    const auto line = text.rfind('\n');
    run.report = nlohmann::json::parse(line == std::string::npos ? text : text.substr(line + 1),
                                       nullptr, false);
    return run;
}

TEST(Loadgen, HttpModeClosedAndOpenLoopAgainstAGateway) {
    TempDir dir("bindery-loadgen-");
    h::Simulator sim(dir.path());
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    h::Gateway gateway(dir.path(), h::write_config(dir.path(), sim.port()));
    ASSERT_NE(gateway.port(), 0) << gateway.log();
    ASSERT_TRUE(eventually(
        [&] { return h::http(gateway.port(), "GET", "/readyz", {}, {}).status == 200; }));
    const std::string target = "127.0.0.1:" + std::to_string(gateway.port());

    // Closed loop, two connections, batches of 3 (the last request carries the remainder).
    auto closed = run_loadgen(dir.path(), {"http", "--target", target, "--key", h::kKey, "--count",
                                           "20", "--connections", "2", "--batch", "3"});
    ASSERT_EQ(closed.exit, 0) << closed.output;
    ASSERT_TRUE(closed.report.is_object()) << closed.output;
    EXPECT_EQ(closed.report["mode"], "http");
    EXPECT_EQ(closed.report["loop"], "closed");
    EXPECT_EQ(closed.report["messages"], 20);
    EXPECT_EQ(closed.report["requests"], 7);
    EXPECT_EQ(closed.report["accepted"], 20);
    EXPECT_EQ(closed.report["status"]["202"], 7);
    EXPECT_EQ(closed.report["latency_ms"]["count"], 7);
    EXPECT_EQ(closed.report["unanswered"], 0);
    EXPECT_NE(closed.output.find("latency ms"), std::string::npos) << closed.output;

    // Open loop at a modest rate over two worker threads.
    auto open =
        run_loadgen(dir.path(), {"http", "--target", target, "--key", h::kKey, "--count", "15",
                                 "--rate", "200", "--connections", "3", "--threads", "2"});
    ASSERT_EQ(open.exit, 0) << open.output;
    EXPECT_EQ(open.report["loop"], "open");
    EXPECT_EQ(open.report["accepted"], 15);
    EXPECT_EQ(open.report["connections"], 3);
    EXPECT_EQ(open.report["latency_ms"]["count"], 15);
    EXPECT_EQ(open.report["connect_failures"], 0);

    // A wrong key: every request answered 401, none accepted.
    auto refused = run_loadgen(dir.path(), {"http", "--target", target, "--key", "wrong", "--count",
                                            "4", "--format", "json"});
    EXPECT_EQ(refused.exit, 1) << refused.output;  // nothing accepted
    EXPECT_EQ(refused.report["accepted"], 0);
    EXPECT_EQ(refused.report["failed"], 4);
    EXPECT_EQ(refused.report["status"]["401"], 4);
    EXPECT_EQ(refused.output.find("latency ms"), std::string::npos);  // json only

    // Accepted messages reach the carrier: the gateway's own counter says so.
    EXPECT_TRUE(eventually([&] {
        const auto m = h::http(gateway.port(), "GET", "/metrics", {}, {}).body;
        return m.find(R"(bindery_message_transitions_total{provider="sim",state="SENT"} 35)") !=
               std::string::npos;
    })) << h::http(gateway.port(), "GET", "/metrics", {}, {}).body;
}

TEST(Loadgen, HttpModeReceivesEverySignedDeliveryCallback) {
    TempDir dir("bindery-loadgen-");
    h::Simulator sim(dir.path(), {"--dlr-delay", "10"});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    const auto config = h::write_config(dir.path(), sim.port());
    // The client section is the config's last: give the test client a signing secret.
    const std::string secret = "whsec-loadgen-integration";
    std::ofstream(config, std::ios::app) << "    callback_secret: " << secret << "\n";
    h::Gateway gateway(dir.path(), config);
    ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir.path() / "bindery.out");
    ASSERT_TRUE(eventually(
        [&] { return h::http(gateway.port(), "GET", "/readyz", {}, {}).status == 200; }));
    const std::string target = "127.0.0.1:" + std::to_string(gateway.port());

    // Open loop, batches of 10: every message's callback_url is the loadgen's receiver.
    auto run = run_loadgen(
        dir.path(), {"http", "--target", target, "--key", h::kKey, "--count", "200", "--rate",
                     "400", "--batch", "10", "--connections", "4", "--callbacks",
                     "--callback-secret", secret, "--callback-wait", "90s"});
    ASSERT_EQ(run.exit, 0) << run.output << gateway.log();
    ASSERT_TRUE(run.report.is_object()) << run.output;
    EXPECT_EQ(run.report["accepted"], 200) << run.output;
    const auto& cb = run.report["callbacks"];
    EXPECT_EQ(cb["expected"], 200) << run.output;
    EXPECT_EQ(cb["by_state"]["DELIVERED"], 200) << run.output;
    EXPECT_EQ(cb["completed"], 200) << run.output;
    EXPECT_EQ(cb["missing"], 0) << run.output;
    EXPECT_EQ(cb["bad_signatures"], 0) << run.output;
    EXPECT_EQ(cb["unknown"], 0) << run.output;
    EXPECT_EQ(cb["malformed"], 0) << run.output;
    EXPECT_EQ(cb["latency_ms"]["count"], 200) << run.output;
    EXPECT_GE(cb["received"].get<int>(), 200) << run.output;  // retries would add duplicates
    EXPECT_EQ(cb["received"].get<int>() - 200, cb["duplicates"].get<int>()) << run.output;
    EXPECT_NE(run.output.find("200 of 200 accepted messages, missing 0"), std::string::npos)
        << run.output;

    // The wrong secret: every callback still arrives, each one counted as badly signed, and the
    // run fails.
    auto wrong = run_loadgen(
        dir.path(), {"http", "--target", target, "--key", h::kKey, "--count", "10", "--callbacks",
                     "--callback-secret", "not-it", "--callback-wait", "90s", "--format", "json"});
    EXPECT_EQ(wrong.exit, 1) << wrong.output;
    EXPECT_EQ(wrong.report["callbacks"]["missing"], 0) << wrong.output;
    EXPECT_EQ(wrong.report["callbacks"]["bad_signatures"].get<int>(),
              wrong.report["callbacks"]["received"].get<int>())
        << wrong.output;
    EXPECT_GE(wrong.report["callbacks"]["received"].get<int>(), 10) << wrong.output;
}

TEST(Loadgen, SmppModeCountsResponsesAndReceipts) {
    TempDir dir("bindery-loadgen-");
    h::Simulator sim(dir.path(), {"--dlr-delay", "10"});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    const std::string target = "127.0.0.1:" + std::to_string(sim.port());
    auto run =
        run_loadgen(dir.path(), {"smpp", "--target", target, "--sessions", "2", "--window", "5",
                                 "--count", "30", "--receipts", "--receipt-wait", "30s"});
    ASSERT_EQ(run.exit, 0) << run.output;
    EXPECT_EQ(run.report["mode"], "smpp");
    EXPECT_EQ(run.report["accepted"], 30);
    EXPECT_EQ(run.report["status"]["ESME_ROK"], 30);
    EXPECT_EQ(run.report["receipts"], 30);
    EXPECT_EQ(run.report["latency_ms"]["count"], 30);

    // Open loop, nothing listening: every session fails to bind, the run ends and says so.
    auto nobody = run_loadgen(dir.path(),
                              {"smpp", "--target", "127.0.0.1:1", "--count", "5", "--rate", "100"});
    EXPECT_EQ(nobody.exit, 1) << nobody.output;
    EXPECT_EQ(nobody.report["accepted"], 0);
    EXPECT_GE(nobody.report["connect_failures"].get<int>(), 1);
}

}  // namespace
