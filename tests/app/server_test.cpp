#include "app/server.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <mutex>
#include <thread>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace bindery::app {
namespace {

using ::testing::ElementsAre;
using namespace std::chrono_literals;

// Records start/stop into a shared journal; stop completes after `stop_delay` (never when
// `never_stops`), on the server's io_context like a real component would.
class FakeService final : public Service {
public:
    FakeService(std::string name, std::vector<std::string>& journal, std::mutex& mutex,
                boost::asio::io_context& io)
        : name_(std::move(name)), journal_(journal), mutex_(mutex), io_(io) {}

    std::chrono::milliseconds stop_delay{0};
    bool never_stops = false;
    bool fail_start = false;
    std::function<void()> on_start;
    std::chrono::steady_clock::time_point deadline_seen{};
    std::function<void()> kept_done;  // the never-stopping service's callback, for a late call

    std::string_view name() const override { return name_; }
    void start() override {
        if (fail_start) throw std::runtime_error("port in use");
        record("start " + name_);
        if (on_start) on_start();
    }
    void stop(std::chrono::steady_clock::time_point deadline, std::function<void()> done) override {
        record("stop " + name_);
        deadline_seen = deadline;
        if (never_stops) {
            kept_done = std::move(done);
            return;
        }
        auto timer = std::make_shared<boost::asio::steady_timer>(io_, stop_delay);
        timer->async_wait([this, timer, done = std::move(done)](const boost::system::error_code&) {
            record("stopped " + name_);
            done();
            done();  // a second call must be harmless
        });
    }

private:
    void record(std::string event) {
        std::lock_guard lock(mutex_);
        journal_.push_back(std::move(event));
    }
    std::string name_;
    std::vector<std::string>& journal_;
    std::mutex& mutex_;
    boost::asio::io_context& io_;
};

struct Fixture {
    std::vector<std::string> journal;
    std::mutex mutex;
};

TEST(Server, StartsInOrderAndDrainsInReverseOrder) {
    Fixture f;
    Server server(ServerOptions{2, 2s, ""});
    auto store = std::make_shared<FakeService>("store", f.journal, f.mutex, server.io());
    auto http = std::make_shared<FakeService>("http", f.journal, f.mutex, server.io());
    http->stop_delay = 20ms;
    http->on_start = [&server] { server.shutdown(); };
    server.add(store);
    server.add(http);
    const auto before = std::chrono::steady_clock::now();
    EXPECT_EQ(server.run(), Server::kExitClean);
    EXPECT_THAT(f.journal, ElementsAre("start store", "start http", "stop http", "stopped http",
                                       "stop store", "stopped store"));
    EXPECT_EQ(store->deadline_seen, http->deadline_seen);
    EXPECT_GE(http->deadline_seen, before + 2s);
    EXPECT_EQ(server.thread_count(), 2U);
}

TEST(Server, CutsTheDrainAtTheDeadline) {
    Fixture f;
    Server server(ServerOptions{1, 200ms, ""});
    auto stuck = std::make_shared<FakeService>("stuck", f.journal, f.mutex, server.io());
    stuck->never_stops = true;
    stuck->on_start = [&server] { server.shutdown(); };
    server.add(stuck);
    const auto before = std::chrono::steady_clock::now();
    EXPECT_EQ(server.run(), Server::kExitClean);
    const auto took = std::chrono::steady_clock::now() - before;
    EXPECT_GE(took, 200ms);
    EXPECT_LT(took, 5s);
    EXPECT_THAT(f.journal, ElementsAre("start stuck", "stop stuck"));
}

TEST(Server, ToleratesADoneCallbackAfterItIsGone) {
    Fixture f;
    std::function<void()> late;
    {
        Server server(ServerOptions{1, 50ms, ""});
        auto stuck = std::make_shared<FakeService>("stuck", f.journal, f.mutex, server.io());
        stuck->never_stops = true;
        stuck->on_start = [&server] { server.shutdown(); };
        server.add(stuck);
        EXPECT_EQ(server.run(), Server::kExitClean);
        late = stuck->kept_done;
    }
    ASSERT_TRUE(late);
    late();  // must neither crash nor touch the destroyed server (ASan would say)
}

TEST(Server, StopsWhatStartedWhenAServiceFailsToStart) {
    Fixture f;
    Server server(ServerOptions{1, 1s, ""});
    auto first = std::make_shared<FakeService>("first", f.journal, f.mutex, server.io());
    auto broken = std::make_shared<FakeService>("broken", f.journal, f.mutex, server.io());
    auto never = std::make_shared<FakeService>("never", f.journal, f.mutex, server.io());
    broken->fail_start = true;
    server.add(first);
    server.add(broken);
    server.add(never);
    EXPECT_EQ(server.run(), Server::kExitStartFailed);
    EXPECT_THAT(f.journal, ElementsAre("start first", "stop first", "stopped first"));
}

TEST(Server, DrainsOnSigtermAndForcesOnASecondSignal) {
    Fixture f;
    Server server(ServerOptions{2, 10s, ""});
    auto slow = std::make_shared<FakeService>("slow", f.journal, f.mutex, server.io());
    slow->never_stops = true;
    slow->on_start = [] {
        ::kill(::getpid(), SIGTERM);
        std::thread([] {
            std::this_thread::sleep_for(100ms);
            ::kill(::getpid(), SIGINT);
        }).detach();
    };
    server.add(slow);
    const auto before = std::chrono::steady_clock::now();
    EXPECT_EQ(server.run(), Server::kExitForced);
    EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);  // well before the 10s deadline
    EXPECT_THAT(f.journal, ElementsAre("start slow", "stop slow"));
}

TEST(Server, CallsReloadHooksOnSighupAndKeepsServing) {
    Fixture f;
    Server server(ServerOptions{1, 1s, ""});
    std::atomic<int> reloads{0};
    server.on_reload([&] {
        if (++reloads == 2) server.shutdown();
    });
    auto svc = std::make_shared<FakeService>("svc", f.journal, f.mutex, server.io());
    svc->on_start = [] {
        ::kill(::getpid(), SIGHUP);
        std::thread([] {
            std::this_thread::sleep_for(50ms);
            ::kill(::getpid(), SIGHUP);
        }).detach();
    };
    server.add(svc);
    EXPECT_EQ(server.run(), Server::kExitClean);
    EXPECT_EQ(reloads.load(), 2);
    EXPECT_THAT(f.journal, ElementsAre("start svc", "stop svc", "stopped svc"));
}

TEST(Server, WritesAndRemovesTheReadyFile) {
    const std::string ready = ::testing::TempDir() + "bindery-ready-" + std::to_string(::getpid());
    Server server(ServerOptions{1, 1s, ready});
    std::atomic<bool> seen{false};
    std::thread watcher([&] {
        for (int i = 0; i < 500 && !seen; ++i) {
            if (::access(ready.c_str(), F_OK) == 0) seen = true;
            std::this_thread::sleep_for(10ms);
        }
        server.shutdown();
    });
    EXPECT_EQ(server.run(), Server::kExitClean);
    watcher.join();
    EXPECT_TRUE(seen.load());
    EXPECT_NE(::access(ready.c_str(), F_OK), 0);
}

}  // namespace
}  // namespace bindery::app
