#include "router/api/submit_batcher.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <stdexcept>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace bindery::router {
namespace {

// Accepts every message and reports its destination back; the first `hold` calls block until
// release() so the test can queue work behind them. Records the size of every call.
class RecordingGateway final : public router::GatewayApi {
public:
    explicit RecordingGateway(int hold = 0) : hold_(hold) {}

    std::vector<SubmitOutcome> submit(std::span<const SubmitRequest> batch) override {
        std::unique_lock lock(mutex_);
        calls_.push_back(batch.size());
        ++entered_;
        cv_.notify_all();
        if (hold_ > 0) {
            --hold_;
            cv_.wait_for(lock, std::chrono::seconds(60), [this] { return released_; });
        }
        if (throw_next_) {
            throw_next_ = false;
            throw std::runtime_error("store on fire");
        }
        std::vector<SubmitOutcome> out;
        const std::size_t n = short_by_ < batch.size() ? batch.size() - short_by_ : 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (batch[i].destination == "refuse") {
                out.emplace_back(Unexpected(router::SubmitError{
                    router::SubmitErrc::invalid_destination, "refused", std::nullopt}));
            } else {
                router::SubmitAccepted a;
                a.destination = batch[i].destination;
                out.emplace_back(std::move(a));
            }
        }
        return out;
    }
    Expected<router::MessageStatus, router::QueryError> status(
        const router::MessageId&, std::optional<std::string_view>) override {
        return Unexpected(router::QueryError{});
    }
    Expected<router::MessagePage, router::QueryError> list(const router::MessageQuery&) override {
        return Unexpected(router::QueryError{});
    }
    router::Backpressure backpressure() const override { return {}; }

    void release() {
        std::lock_guard lock(mutex_);
        released_ = true;
        cv_.notify_all();
    }
    bool wait_entered(int n) {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, std::chrono::seconds(60), [&] { return entered_ >= n; });
    }
    std::vector<std::size_t> calls() {
        std::lock_guard lock(mutex_);
        return calls_;
    }
    void answer_short_by(std::size_t n) { short_by_ = n; }
    void throw_next() {
        std::lock_guard lock(mutex_);
        throw_next_ = true;
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    int hold_ = 0;
    int entered_ = 0;
    bool released_ = false;
    std::size_t short_by_ = 0;
    bool throw_next_ = false;
    std::vector<std::size_t> calls_;
};

std::vector<SubmitRequest> requests(const std::string& prefix, std::size_t n) {
    std::vector<SubmitRequest> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i].destination = prefix + std::to_string(i);
    return out;
}

// Collects what `done` gets, per request index.
struct Results {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::vector<SubmitRequest>> requests;
    std::vector<std::vector<SubmitOutcome>> outcomes;
    std::size_t done = 0;

    explicit Results(std::size_t n) : requests(n), outcomes(n) {}
    SubmitBatcher::Done slot(std::size_t i) {
        return [this, i](std::vector<SubmitRequest> r, std::vector<SubmitOutcome> o) {
            std::lock_guard lock(mutex);
            requests[i] = std::move(r);
            outcomes[i] = std::move(o);
            ++done;
            cv.notify_all();
        };
    }
    bool wait_all() {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, std::chrono::seconds(60),
                           [this] { return done == requests.size(); });
    }
};

TEST(SubmitBatcher, EachRequestGetsItsOwnMessagesAndOutcomesInOrder) {
    RecordingGateway gateway(/*hold=*/1);
    SubmitBatcher batcher(gateway, {.threads = 1, .max_batch = 512, .max_pending = 1000});
    Results results(4);
    // The first request holds the only thread; the other three queue up behind it.
    ASSERT_TRUE(batcher.submit(requests("a", 1), results.slot(0)));
    ASSERT_TRUE(gateway.wait_entered(1));
    ASSERT_TRUE(batcher.submit(requests("b", 2), results.slot(1)));
    auto mixed = requests("c", 3);
    mixed[1].destination = "refuse";
    ASSERT_TRUE(batcher.submit(std::move(mixed), results.slot(2)));
    ASSERT_TRUE(batcher.submit(requests("d", 1), results.slot(3)));
    gateway.release();
    ASSERT_TRUE(results.wait_all());

    // One call for the first request, one for the three queued behind it.
    EXPECT_EQ(gateway.calls(), (std::vector<std::size_t>{1, 6}));
    ASSERT_EQ(results.outcomes[1].size(), 2U);
    EXPECT_EQ(results.requests[1][1].destination, "b1");
    EXPECT_EQ(results.outcomes[1][1]->destination, "b1");
    ASSERT_EQ(results.outcomes[2].size(), 3U);
    EXPECT_TRUE(results.outcomes[2][0].has_value());
    EXPECT_FALSE(results.outcomes[2][1].has_value());  // its own refusal, the others unaffected
    EXPECT_EQ(results.outcomes[2][1].error().code, router::SubmitErrc::invalid_destination);
    EXPECT_EQ(results.outcomes[2][2]->destination, "c2");
    EXPECT_EQ(results.requests[3][0].destination, "d0");
    EXPECT_EQ(results.outcomes[3][0]->destination, "d0");
    const auto s = batcher.stats();
    EXPECT_EQ(s.requests, 4U);
    EXPECT_EQ(s.batches, 2U);
    EXPECT_EQ(s.messages, 7U);
    EXPECT_EQ(s.pending, 0U);
}

TEST(SubmitBatcher, BatchesStopAtMaxBatchWithoutSplittingARequest) {
    RecordingGateway gateway(/*hold=*/1);
    SubmitBatcher batcher(gateway, {.threads = 1, .max_batch = 4, .max_pending = 1000});
    Results results(5);
    ASSERT_TRUE(batcher.submit(requests("x", 1), results.slot(0)));
    ASSERT_TRUE(gateway.wait_entered(1));
    ASSERT_TRUE(batcher.submit(requests("a", 3), results.slot(1)));
    ASSERT_TRUE(batcher.submit(requests("b", 2), results.slot(2)));  // 3 + 2 > 4: next batch
    ASSERT_TRUE(batcher.submit(requests("c", 6), results.slot(3)));  // alone, larger than max_batch
    ASSERT_TRUE(batcher.submit(requests("d", 1), results.slot(4)));
    gateway.release();
    ASSERT_TRUE(results.wait_all());
    EXPECT_EQ(gateway.calls(), (std::vector<std::size_t>{1, 3, 2, 6, 1}));
    EXPECT_EQ(results.outcomes[3].size(), 6U);
}

TEST(SubmitBatcher, RefusesPastMaxPendingAndAcceptsAgainOnceDrained) {
    RecordingGateway gateway(/*hold=*/1);
    SubmitBatcher batcher(gateway, {.threads = 1, .max_batch = 512, .max_pending = 5});
    Results results(3);
    ASSERT_TRUE(batcher.submit(requests("a", 1), results.slot(0)));
    ASSERT_TRUE(gateway.wait_entered(1));  // taken: no longer pending
    ASSERT_TRUE(batcher.submit(requests("b", 4), results.slot(1)));
    bool called = false;
    EXPECT_FALSE(
        batcher.submit(requests("c", 2), [&](auto, auto) { called = true; }));  // 4 + 2 > 5
    EXPECT_EQ(batcher.stats().refused, 1U);
    gateway.release();
    ASSERT_TRUE(batcher.submit(requests("d", 1), results.slot(2)));
    ASSERT_TRUE(results.wait_all());
    EXPECT_FALSE(called);
}

TEST(SubmitBatcher, ShortAnswersFromTheGatewayAreUnavailableNeverAccepted) {
    RecordingGateway gateway;
    gateway.answer_short_by(1);
    SubmitBatcher batcher(gateway, {.threads = 1, .max_batch = 512, .max_pending = 100});
    Results results(1);
    ASSERT_TRUE(batcher.submit(requests("a", 3), results.slot(0)));
    ASSERT_TRUE(results.wait_all());
    ASSERT_EQ(results.outcomes[0].size(), 3U);
    EXPECT_TRUE(results.outcomes[0][1].has_value());
    ASSERT_FALSE(results.outcomes[0][2].has_value());
    EXPECT_EQ(results.outcomes[0][2].error().code, router::SubmitErrc::unavailable);
}

TEST(SubmitBatcher, AGatewayThatThrowsIsReportedAndAnswersUnavailableThenTheBatcherGoesOn) {
    RecordingGateway gateway;
    gateway.throw_next();
    std::mutex mutex;
    std::vector<std::string> reported;
    SubmitBatcher batcher(gateway, {.threads = 1,
                                    .max_batch = 512,
                                    .max_pending = 100,
                                    .on_exception = [&](const std::exception& e) {
                                        std::lock_guard lock(mutex);
                                        reported.emplace_back(e.what());
                                    }});
    Results first(1);
    ASSERT_TRUE(batcher.submit(requests("a", 2), first.slot(0)));
    ASSERT_TRUE(first.wait_all());
    ASSERT_EQ(first.outcomes[0].size(), 2U);
    for (const auto& o : first.outcomes[0]) {
        ASSERT_FALSE(o.has_value());
        EXPECT_EQ(o.error().code, router::SubmitErrc::unavailable);
    }
    EXPECT_EQ(first.requests[0][1].destination, "a1");  // the messages come back all the same
    {
        std::lock_guard lock(mutex);
        EXPECT_EQ(reported, (std::vector<std::string>{"store on fire"}));
    }
    Results second(1);
    ASSERT_TRUE(batcher.submit(requests("b", 1), second.slot(0)));
    ASSERT_TRUE(second.wait_all());
    ASSERT_TRUE(second.outcomes[0][0].has_value());
    EXPECT_EQ(second.outcomes[0][0]->destination, "b0");
}

TEST(SubmitBatcher, PendingCountedInSubmitsBoundsQueuedSubmitsWhateverTheirSize) {
    RecordingGateway gateway(/*hold=*/1);
    SubmitBatcher batcher(
        gateway,
        {.threads = 1, .max_batch = 512, .max_pending = 2, .pending_unit = PendingUnit::submits});
    Results results(3);
    ASSERT_TRUE(batcher.submit(requests("a", 1), results.slot(0)));
    ASSERT_TRUE(gateway.wait_entered(1));                             // taken: no longer pending
    ASSERT_TRUE(batcher.submit(requests("b", 40), results.slot(1)));  // 40 messages, one submit
    ASSERT_TRUE(batcher.submit(requests("c", 40), results.slot(2)));
    bool called = false;
    EXPECT_FALSE(batcher.submit(requests("d", 1), [&](auto, auto) { called = true; }));  // a third
    auto s = batcher.stats();
    EXPECT_EQ(s.refused, 1U);
    EXPECT_EQ(s.pending_submits, 2U);
    EXPECT_EQ(s.pending, 80U);
    gateway.release();
    ASSERT_TRUE(results.wait_all());
    EXPECT_FALSE(called);
    s = batcher.stats();
    EXPECT_EQ(s.pending_submits, 0U);
    EXPECT_EQ(s.pending, 0U);
}

TEST(SubmitBatcher, StopAnswersEverythingQueuedThenRefuses) {
    RecordingGateway gateway(/*hold=*/1);
    auto batcher = std::make_unique<SubmitBatcher>(
        gateway, SubmitBatcherConfig{.threads = 2, .max_batch = 2, .max_pending = 1000});
    constexpr std::size_t kRequests = 50;
    Results results(kRequests);
    for (std::size_t i = 0; i < kRequests; ++i) {
        ASSERT_TRUE(
            batcher->submit(requests("m" + std::to_string(i) + "-", 1 + i % 3), results.slot(i)));
    }
    std::thread releaser([&] {
        gateway.wait_entered(1);
        gateway.release();
    });
    batcher->stop();
    releaser.join();
    EXPECT_EQ(results.done, kRequests);  // every one answered before stop() returned
    for (std::size_t i = 0; i < kRequests; ++i) {
        ASSERT_EQ(results.outcomes[i].size(), 1 + i % 3) << i;
        EXPECT_EQ(results.outcomes[i][0]->destination, "m" + std::to_string(i) + "-0");
    }
    EXPECT_FALSE(batcher->submit(requests("late", 1), [](auto, auto) {}));
}

TEST(SubmitBatcher, ManyThreadsSubmittingEachGetTheirOwnOutcomes) {
    RecordingGateway gateway;
    SubmitBatcher batcher(gateway, {.threads = 2, .max_batch = 64, .max_pending = 100'000});
    constexpr std::size_t kThreads = 4;
    constexpr std::size_t kPerThread = 200;
    Results results(kThreads * kPerThread);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (std::size_t i = 0; i < kPerThread; ++i) {
                const std::size_t k = t * kPerThread + i;
                EXPECT_TRUE(
                    batcher.submit(requests(std::to_string(k) + ":", 1 + k % 2), results.slot(k)));
            }
        });
    }
    for (auto& th : threads) th.join();
    ASSERT_TRUE(results.wait_all());
    std::size_t messages = 0;
    for (std::size_t k = 0; k < results.outcomes.size(); ++k) {
        ASSERT_EQ(results.outcomes[k].size(), 1 + k % 2);
        for (std::size_t j = 0; j < results.outcomes[k].size(); ++j) {
            EXPECT_EQ(results.outcomes[k][j]->destination,
                      std::to_string(k) + ":" + std::to_string(j));
        }
        messages += results.outcomes[k].size();
    }
    EXPECT_EQ(batcher.stats().messages, messages);
}

}  // namespace
}  // namespace bindery::router
