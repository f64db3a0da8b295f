// The `bindery` executable as an operator runs it: serve on a temporary configuration, signals,
// log reopening, check-config exit codes. Each test spawns the real binary.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBinary = BINDERY_BINARY_DIR "/app/bindery";

std::string read_all(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "bindery-process-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// A spawned `bindery`, stdout and stderr captured to files.
class Process {
public:
    // `cwd`: where the child runs (relative paths in its configuration land there).
    Process(const std::vector<std::string>& args, const fs::path& out, const fs::path& err, const fs::path& cwd = {}) {
        std::vector<char*> argv;
        std::vector<std::string> storage{kBinary};
        storage.insert(storage.end(), args.begin(), args.end());
        for (auto& a : storage) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
        // A test runner may block or ignore signals; the child starts with the defaults.
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        sigset_t none;
        sigemptyset(&none);
        sigset_t defaults;
        sigemptyset(&defaults);
        for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&defaults, s);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &defaults);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        const int rc = ::posix_spawn(&pid_, kBinary.c_str(), &actions, &attr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
        if (rc != 0) pid_ = -1;
    }
    ~Process() {
        if (pid_ > 0 && !status_) {
            ::kill(pid_, SIGKILL);
            int ignored = 0;
            ::waitpid(pid_, &ignored, 0);
        }
    }
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int s) const { ::kill(pid_, s); }

    // The raw wait status once the process ended within `limit`.
    std::optional<int> wait(std::chrono::milliseconds limit) {
        const auto until = std::chrono::steady_clock::now() + limit;
        while (!status_) {
            int status = 0;
            const pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_) {
                status_ = status;
                break;
            }
            if (std::chrono::steady_clock::now() >= until) break;
            std::this_thread::sleep_for(5ms);
        }
        return status_;
    }

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
};

template <class Predicate>
bool eventually(Predicate p, std::chrono::milliseconds limit = 20s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (p()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return p();
}

int exit_code(const std::optional<int>& status) {
    if (!status) return -1000;  // still running
    if (WIFSIGNALED(*status)) return -WTERMSIG(*status);
    return WEXITSTATUS(*status);
}

fs::path write_config(const fs::path& dir, const std::string& drain = "3s") {
    const auto path = dir / "bindery.yaml";
    std::ofstream(path) << "process:\n"
                           "  io_threads: 2\n"
                           "  drain_timeout: " << drain << "\n"
                           "  ready_file: " << (dir / "ready").string() << "\n"
                           "logging:\n"
                           "  level: debug\n"
                           "  format: json\n"
                           "  file: " << (dir / "bindery.log").string() << "\n"
                           "store:\n"
                           "  path: " << (dir / "bindery.db").string() << "\n"
                           "http:\n"
                           "  listen: 127.0.0.1:0\n"
                           "smpp_server:\n"
                           "  listen: 127.0.0.1:0\n";
    return path;
}

TEST(Process, ServeExitsZeroWithinTheDrainDeadlineOnSigterm) {
    TempDir dir;
    const auto config = write_config(dir.path(), "3s");
    Process p({"serve", "--config", config.string()}, dir.path() / "out", dir.path() / "err");
    ASSERT_GT(p.pid(), 0);
    ASSERT_TRUE(eventually([&] { return fs::exists(dir.path() / "ready"); })) << read_all(dir.path() / "err");
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
    EXPECT_THAT(log, HasSubstr("\"msg\":\"ready\",\"pid\":\"" + std::to_string(p.pid()) + "\""));
    EXPECT_THAT(log, HasSubstr("\"msg\":\"draining\",\"signal\":\"SIGTERM\""));
    EXPECT_THAT(log, HasSubstr("\"msg\":\"bindery stopped\",\"status\":\"0\""));
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
    TempDir dir;
    Process p({"serve", "--config", write_config(dir.path()).string()}, dir.path() / "out", dir.path() / "err");
    ASSERT_TRUE(eventually([&] { return fs::exists(dir.path() / "ready"); })) << read_all(dir.path() / "err");
    p.signal(SIGINT);
    EXPECT_EQ(exit_code(p.wait(5s)), 0);
    EXPECT_THAT(read_all(dir.path() / "bindery.log"), HasSubstr("\"signal\":\"SIGINT\""));
}

TEST(Process, SighupReopensTheLogFileAfterRotation) {
    TempDir dir;
    Process p({"serve", "--config", write_config(dir.path()).string()}, dir.path() / "out", dir.path() / "err");
    ASSERT_TRUE(eventually([&] { return fs::exists(dir.path() / "ready"); })) << read_all(dir.path() / "err");
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
    TempDir dir;
    Process p({"serve"}, dir.path() / "out", dir.path() / "err", dir.path());
    ASSERT_TRUE(eventually([&] { return read_all(dir.path() / "err").find(" ready pid=") != std::string::npos; }))
        << read_all(dir.path() / "err");
    EXPECT_THAT(read_all(dir.path() / "err"), HasSubstr("config=\"<embedded conf/bindery.yaml>\""));
    p.signal(SIGTERM);
    EXPECT_EQ(exit_code(p.wait(20s)), 0) << read_all(dir.path() / "err");
    EXPECT_THAT(read_all(dir.path() / "err"), HasSubstr("INFO    draining signal=SIGTERM"));
}

TEST(Process, ServeRefusesAnInvalidConfigWithLocatedErrors) {
    TempDir dir;
    const auto config = dir.path() / "bad.yaml";
    std::ofstream(config) << "process:\n  drain_timeout: soon\n";
    Process p({"serve", "--config", config.string()}, dir.path() / "out", dir.path() / "err");
    EXPECT_EQ(exit_code(p.wait(20s)), 1);
    EXPECT_EQ(read_all(dir.path() / "err"),
              config.string() + ":2:18: process.drain_timeout: invalid duration \"soon\" (expected a number and a unit: "
                                "250ms, 10s, 5m, 2h, 1d)\n");
}

struct Run {
    int code;
    std::string out;
    std::string err;
};

Run run(const std::vector<std::string>& args) {
    TempDir dir;
    Process p(args, dir.path() / "out", dir.path() / "err");
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
    TempDir dir;
    const auto config = dir.path() / "bad.yaml";
    std::ofstream(config) << "logging:\n  levle: info\ncarriers:\n  - name: a\n    kind: smpp\n    address: h:1\n"
                             "    system_id: s\n    password_env: BINDERY_TEST_SURELY_UNSET\n    window: -3\n";
    const auto r = run({"check-config", config.string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out, "");
    const auto f = config.string();
    EXPECT_EQ(r.err, f + ":2:3: logging.levle: unknown key (did you mean \"level\"?)\n" + f +
                         ":8:19: carriers[0].password_env: environment variable BINDERY_TEST_SURELY_UNSET is not set\n" + f +
                         ":9:13: carriers[0].window: must be between 1 and 1000, got -3\n" + f + ": 3 errors\n");
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
