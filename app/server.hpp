#pragma once

// The process: a pool of io_context threads, the services that run on it, and the signals that
// end it. SIGTERM/SIGINT start a graceful drain: services are stopped one by one in reverse start
// order (front ends first, the store last), each told the common deadline; when all reported done,
// or the deadline passed, run() returns. A second SIGTERM/SIGINT during the drain forces the end
// (run() returns kExitForced). SIGHUP calls the reload hooks (log reopen).

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "app/config.hpp"

namespace bindery::app {

// What a long-lived component (HTTP listener, SMPP server, bind pool, store) implements to take
// part in start-up and the drain.
class Service {
public:
    virtual ~Service() = default;
    [[nodiscard]] virtual std::string_view name() const = 0;
    // Called on an io thread before the process reports ready. Throwing aborts start-up.
    virtual void start() = 0;
    // Stop accepting new work, finish what is in flight (unbind, flush) and call `done` once, from
    // any thread, preferably before `deadline`. Calling it late, or more than once, is harmless.
    virtual void stop(std::chrono::steady_clock::time_point deadline,
                      std::function<void()> done) = 0;
};

struct ServerOptions {
    unsigned io_threads = 0;  // 0 = hardware concurrency
    Millis drain_timeout{std::chrono::seconds(15)};
    std::string ready_file;  // written after every service started, removed on exit
};

class Server {
public:
    static constexpr int kExitClean = 0;
    static constexpr int kExitStartFailed = 1;
    static constexpr int kExitForced = 2;

    explicit Server(ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    [[nodiscard]] boost::asio::io_context& io() noexcept { return io_; }
    [[nodiscard]] unsigned thread_count() const noexcept { return threads_; }

    // Before run(). Services start in this order and stop in the reverse one.
    void add(std::shared_ptr<Service> service);
    // Before run(): called on SIGHUP.
    void on_reload(std::function<void()> hook);

    // Blocks: starts the services, reports ready, serves until a stop signal, drains. Returns the
    // exit status: kExitClean after a drain (complete or cut at the deadline, which is logged),
    // kExitForced on a second signal, kExitStartFailed when a service failed to start.
    int run();

    // From any thread: what SIGTERM does.
    void shutdown();

private:
    void start_services();
    void wait_signal();
    void on_signal(int signal);
    void begin_drain();
    void stop_next();
    void on_drain_deadline();
    void finish(int status);

    // Lets a `done` callback that arrives late (after the deadline, even after the Server is gone)
    // find out that nobody is waiting any more.
    struct Liveness {
        std::mutex mutex;
        Server* server = nullptr;
    };

    std::shared_ptr<Liveness> liveness_;
    ServerOptions options_;
    unsigned threads_;
    boost::asio::io_context io_;
    boost::asio::strand<boost::asio::io_context::executor_type> strand_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer drain_timer_;
    std::vector<std::shared_ptr<Service>> services_;
    std::vector<std::function<void()>> reload_hooks_;
    std::size_t started_ = 0;   // services started so far (the ones to stop)
    std::size_t stopping_ = 0;  // index + 1 of the service being stopped
    bool draining_ = false;
    bool finished_ = false;
    int status_ = kExitClean;
    std::chrono::steady_clock::time_point deadline_{};
    std::chrono::steady_clock::time_point drain_started_{};
};

}  // namespace bindery::app
