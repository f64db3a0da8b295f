// The `bindery` executable as an operator runs it: serve on a temporary configuration, signals,
// log reopening, check-config exit codes. Each test spawns the real binary.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "child_process.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using bindery::test::eventually;
using bindery::test::exit_code;
using bindery::test::Process;
using bindery::test::read_all;
using bindery::test::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBinary = BINDERY_BINARY_DIR "/app/bindery";

fs::path write_config(const fs::path& dir, const std::string& drain = "3s") {
    const auto path = dir / "bindery.yaml";
    std::ofstream(path) << "process:\n"
                           "  io_threads: 2\n"
                           "  drain_timeout: "
                        << drain
                        << "\n"
                           "  ready_file: "
                        << (dir / "ready").string()
                        << "\n"
                           "logging:\n"
                           "  level: debug\n"
                           "  format: json\n"
                           "  file: "
                        << (dir / "bindery.log").string()
                        << "\n"
                           "store:\n"
                           "  path: "
                        << (dir / "bindery.db").string()
                        << "\n"
                           "http:\n"
                           "  listen: 127.0.0.1:0\n"
                           "smpp_server:\n"
                           "  listen: 127.0.0.1:0\n";
    return path;
}

TEST(Process, ServeExitsZeroWithinTheDrainDeadlineOnSigterm) {
    TempDir dir("bindery-process-");
    const auto config = write_config(dir.path(), "3s");
    Process p(kBinary, {"serve", "--config", config.string()}, dir.path() / "out",
              dir.path() / "err");
    ASSERT_GT(p.pid(), 0);
    ASSERT_TRUE(eventually([&] { return fs::exists(dir.path() / "ready"); }))
        << read_all(dir.path() / "err");
    EXPECT_EQ(read_all(dir.path() / "ready"), std::to_string(p.pid()) + "\n");

    const auto signalled = std::chrono::steady_clock::now();
    p.signal(SIGTERM);
    const auto status = p.wait(3s + 2s);  // the drain deadline plus process teardown
    const auto took = std::chrono::steady_clock::now() - signalled;
    ASSERT_TRUE(status.has_value()) << "still running after the drain deadline";
    EXPECT_EQ(exit_code(status), 0) << read_all(dir.path() / "err");
    EXPECT_LT(took, 3s);
    EXPECT_FALSE(fs::exists(dir.path() / "ready"));  // removed on the way out

    const auto log = read_all(dir.path() / "bindery.log");
    EXPECT_THAT(log, HasSubstr("\"msg\":\"ready\",\"pid\":" + std::to_string(p.pid()) + "}"));
    EXPECT_THAT(log, HasSubstr("\"msg\":\"draining\",\"signal\":\"SIGTERM\""));
    EXPECT_THAT(log, HasSubstr("\"msg\":\"bindery stopped\",\"status\":0"));
    // Every line is one JSON object.
    std::istringstream lines(log);
    int count = 0;
    for (std::string line; std::getline(lines, line); ++count) {
        EXPECT_EQ(line.rfind("{\"ts\":\"", 0), 0U) << line;
        EXPECT_EQ(line.back(), '}') << line;
    }
    EXPECT_GE(count, 4);
}

TEST(Process, ServeExitsZeroOnSigint) {
    TempDir dir("bindery-process-");
    Process p(kBinary, {"serve", "--config", write_config(dir.path()).string()}, dir.path() / "out",
              dir.path() / "err");
    ASSERT_TRUE(eventually([&] { return fs::exists(dir.path() / "ready"); }))
        << read_all(dir.path() / "err");
    p.signal(SIGINT);
    EXPECT_EQ(exit_code(p.wait(5s)), 0);
    EXPECT_THAT(read_all(dir.path() / "bindery.log"), HasSubstr("\"signal\":\"SIGINT\""));
}

TEST(Process, SighupReopensTheLogFileAfterRotation) {
    TempDir dir("bindery-process-");
    Process p(kBinary, {"serve", "--config", write_config(dir.path()).string()}, dir.path() / "out",
              dir.path() / "err");
    ASSERT_TRUE(eventually([&] { return fs::exists(dir.path() / "ready"); }))
        << read_all(dir.path() / "err");
    fs::rename(dir.path() / "bindery.log", dir.path() / "bindery.log.1");  // what logrotate does
    p.signal(SIGHUP);
    ASSERT_TRUE(eventually([&] {
        return read_all(dir.path() / "bindery.log").find("log file reopened") != std::string::npos;
    })) << read_all(dir.path() / "bindery.log.1");
    p.signal(SIGTERM);
    EXPECT_EQ(exit_code(p.wait(5s)), 0);
    const auto rotated = read_all(dir.path() / "bindery.log.1");
    const auto current = read_all(dir.path() / "bindery.log");
    EXPECT_THAT(rotated, HasSubstr("\"msg\":\"ready\""));
    EXPECT_THAT(rotated, Not(HasSubstr("bindery stopped")));
    EXPECT_THAT(current, HasSubstr("\"msg\":\"bindery stopped\""));
    EXPECT_THAT(current, Not(HasSubstr("\"msg\":\"ready\"")));
}

// The only test on fixed ports (the default's 127.0.0.1:8080 and :2776, once the listeners are
// wired in); every other test listens on port 0.
TEST(Process, ServeWithoutConfigRunsTheEmbeddedDefault) {
    TempDir dir("bindery-process-");
    Process p(kBinary, {"serve"}, dir.path() / "out", dir.path() / "err", dir.path());
    ASSERT_TRUE(eventually([&] {
        return read_all(dir.path() / "err").find(" ready pid=") != std::string::npos;
    })) << read_all(dir.path() / "err");
    EXPECT_THAT(read_all(dir.path() / "err"), HasSubstr("config=\"<embedded conf/bindery.yaml>\""));
    p.signal(SIGTERM);
    EXPECT_EQ(exit_code(p.wait(20s)), 0) << read_all(dir.path() / "err");
    EXPECT_THAT(read_all(dir.path() / "err"), HasSubstr("INFO  draining signal=SIGTERM"));
}

TEST(Process, ServeRefusesAnInvalidConfigWithLocatedErrors) {
    TempDir dir("bindery-process-");
    const auto config = dir.path() / "bad.yaml";
    std::ofstream(config) << "process:\n  drain_timeout: soon\n";
    Process p(kBinary, {"serve", "--config", config.string()}, dir.path() / "out",
              dir.path() / "err");
    EXPECT_EQ(exit_code(p.wait(20s)), 1);
    EXPECT_EQ(read_all(dir.path() / "err"), config.string() +
                                                ":2:18: process.drain_timeout: invalid duration "
                                                "\"soon\" (expected a number and a unit: "
                                                "250ms, 10s, 5m, 2h, 1d)\n");
}

struct Run {
    int code;
    std::string out;
    std::string err;
};

Run run(const std::vector<std::string>& args) {
    TempDir dir("bindery-process-");
    Process p(kBinary, args, dir.path() / "out", dir.path() / "err");
    const int code = exit_code(p.wait(20s));
    return Run{code, read_all(dir.path() / "out"), read_all(dir.path() / "err")};
}

TEST(Process, CheckConfigAcceptsTheShippedFiles) {
    const std::string def = BINDERY_SOURCE_DIR "/conf/bindery.yaml";
    const auto a = run({"check-config", def});
    EXPECT_EQ(a.code, 0) << a.err;
    EXPECT_EQ(a.out, def + ": ok\n");
    const std::string prod = BINDERY_SOURCE_DIR "/conf/examples/production.yaml";
    const auto b = run({"check-config", "--no-secrets", prod});
    EXPECT_EQ(b.code, 0) << b.err;
    EXPECT_EQ(b.out, prod + ": ok\n");
}

TEST(Process, CheckConfigPrintsTheEffectiveConfigurationRedacted) {
    const auto r = run({"check-config", "--print", BINDERY_SOURCE_DIR "/conf/bindery.yaml"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("drain_timeout: 15s"));
    EXPECT_THAT(r.out, HasSubstr("api_key: {env: BINDERY_DEMO_API_KEY, default: \"REDACTED\"}"));
    EXPECT_THAT(r.out, Not(HasSubstr("demo-key")));
}

TEST(Process, CheckConfigPrintsEveryErrorAndExitsOne) {
    TempDir dir("bindery-process-");
    const auto config = dir.path() / "bad.yaml";
    std::ofstream(config)
        << "logging:\n  levle: info\ncarriers:\n  - name: a\n    kind: smpp\n    address: h:1\n"
           "    system_id: s\n    password_env: BINDERY_TEST_SURELY_UNSET\n    window: -3\n";
    const auto r = run({"check-config", config.string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out, "");
    const auto f = config.string();
    EXPECT_EQ(r.err, f + ":2:3: logging.levle: unknown key (did you mean \"level\"?)\n" + f +
                         ":8:19: carriers[0].password_env: environment variable "
                         "BINDERY_TEST_SURELY_UNSET is not set\n" +
                         f + ":9:13: carriers[0].window: must be between 1 and 1000, got -3\n" + f +
                         ": 3 errors\n");
}

TEST(Process, CommandLineUsageErrorsExitTwo) {
    const auto unknown = run({"frobnicate"});
    EXPECT_EQ(unknown.code, 2);
    EXPECT_THAT(unknown.err, HasSubstr("unknown command frobnicate"));
    EXPECT_THAT(unknown.err, HasSubstr("usage: bindery"));
    EXPECT_EQ(run({"check-config"}).code, 2);
    EXPECT_EQ(run({}).code, 2);
    const auto help = run({"--help"});
    EXPECT_EQ(help.code, 0);
    EXPECT_THAT(help.out, HasSubstr("check-config"));
    const auto embedded = run({"default-config"});
    EXPECT_EQ(embedded.code, 0);
    EXPECT_EQ(embedded.out, read_all(BINDERY_SOURCE_DIR "/conf/bindery.yaml"));
    const auto version = run({"version"});
    EXPECT_EQ(version.code, 0);
    EXPECT_THAT(version.out, testing::StartsWith("bindery "));
}

}  // namespace
