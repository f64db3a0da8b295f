// Helpers shared by the integration tests that spawn real executables: a temporary directory,
// whole-file reads, a spawned child process with its output captured to files, and polling.

#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

extern char** environ;

namespace bindery::test {

// The whole content of `p` (empty when it cannot be read).
inline std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A fresh directory under the system temporary directory, named `<prefix>XXXXXX`; removed with
// everything in it on destruction.
class TempDir {
public:
    explicit TempDir(const std::string& prefix) {
        std::string pattern =
            (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// A spawned executable, its output captured to files. A test runner may block or ignore signals;
// the child starts with an empty signal mask and the default dispositions for SIGTERM, SIGINT,
// SIGHUP and SIGPIPE. Killed (SIGKILL) and reaped on destruction unless already waited for.
class Process {
public:
    // stdout and stderr both appended to `output`.
    Process(const std::string& binary, const std::vector<std::string>& args,
            const std::filesystem::path& output) {
        spawn(binary, args, output, {}, {});
    }
    // stdout to `out`, stderr to `err`, both truncated; `cwd`: where the child runs (relative paths
    // in its configuration land there), the test's own when empty.
    Process(const std::string& binary, const std::vector<std::string>& args,
            const std::filesystem::path& out, const std::filesystem::path& err,
            const std::filesystem::path& cwd = {}) {
        spawn(binary, args, out, err, cwd);
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

    // -1 when the spawn failed.
    pid_t pid() const { return pid_; }
    void signal(int s) const { ::kill(pid_, s); }

    // The raw wait status once the process ended within `limit`; nullopt while still running.
    std::optional<int> wait(std::chrono::milliseconds limit) {
        const auto until = std::chrono::steady_clock::now() + limit;
        while (!status_) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                status_ = status;
                break;
            }
            if (std::chrono::steady_clock::now() >= until) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return status_;
    }

private:
    // An empty `err`: stderr joins stdout in `out`, appended; otherwise both files are truncated.
    void spawn(const std::string& binary, const std::vector<std::string>& args,
               const std::filesystem::path& out, const std::filesystem::path& err,
               const std::filesystem::path& cwd) {
        std::vector<std::string> storage{binary};
        storage.insert(storage.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : storage) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        if (err.empty()) {
            posix_spawn_file_actions_addopen(&actions, 1, out.c_str(),
                                             O_WRONLY | O_CREAT | O_APPEND, 0644);
            posix_spawn_file_actions_adddup2(&actions, 1, 2);
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                             0644);
            posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                             0644);
        }
        if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        sigset_t none;
        sigemptyset(&none);
        sigset_t defaults;
        sigemptyset(&defaults);
        for (int s : {SIGTERM, SIGINT, SIGHUP, SIGPIPE}) sigaddset(&defaults, s);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &defaults);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        const int rc = ::posix_spawn(&pid_, binary.c_str(), &actions, &attr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
        if (rc != 0) pid_ = -1;
    }

    pid_t pid_ = -1;
    std::optional<int> status_;
};

// The exit code of a wait status (negative: the signal that ended it); -1000 while still running.
inline int exit_code(const std::optional<int>& status) {
    if (!status) return -1000;
    if (WIFSIGNALED(*status)) return -WTERMSIG(*status);
    return WEXITSTATUS(*status);
}

// Polls `p` every 10 ms until it holds or `limit` passes; its last answer.
template <class Predicate>
bool eventually(Predicate p, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (p()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return p();
}

}  // namespace bindery::test
