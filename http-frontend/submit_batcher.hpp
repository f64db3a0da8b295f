#pragma once
// SubmitBatcher: the asynchronous door to GatewayApi::submit for the send endpoint.
//
// GatewayApi::submit blocks until the batch is durable (one group commit). Calling it once per
// HTTP request from a pool of worker threads puts one request per commit per thread and costs a
// wake-up of a worker, of the store's writer and of an I/O thread for every request. Instead the
// I/O thread that parsed a request queues it here and goes back to its sockets; `threads` batcher
// threads each take everything queued (up to `max_batch` messages), call GatewayApi::submit once
// for all of it, and hand each request its own outcomes. While one thread waits for its commit
// the next one gathers what arrived meanwhile, so the batch grows with the load and a request
// never waits for a timer.
//
// Requests keep their order within a batch; each request's outcomes are exactly those of its own
// messages (GatewayApi::submit answers one outcome per message, in order, and a refused message
// does not fail the others). `done` gets the request's messages back with their outcomes and runs
// on a batcher thread: it must not block.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "router/api/gateway_api.hpp"

namespace bindery::http {

struct SubmitBatcherConfig {
    std::size_t threads = 2;
    std::size_t max_batch = 512;       // messages per GatewayApi::submit call (a request is never split)
    std::size_t max_pending = 20'000;  // messages queued; past it submit() refuses
};

struct SubmitBatcherStats {
    std::uint64_t requests = 0;   // accepted by submit()
    std::uint64_t refused = 0;    // submit() returned false (queue full or stopped)
    std::uint64_t batches = 0;    // GatewayApi::submit calls
    std::uint64_t messages = 0;   // messages in those calls
    std::size_t pending = 0;      // messages queued now
};

class SubmitBatcher {
public:
    using Done = std::function<void(std::vector<router::SubmitRequest> requests,
                                    std::vector<router::SubmitOutcome> outcomes)>;

    SubmitBatcher(router::GatewayApi& gateway, SubmitBatcherConfig config);
    // Finishes what is queued (every `done` is called), then joins the threads.
    ~SubmitBatcher();
    SubmitBatcher(const SubmitBatcher&) = delete;
    SubmitBatcher& operator=(const SubmitBatcher&) = delete;

    // Queues the messages of one request; `done` gets them back with one outcome each. False
    // (and `done` dropped uncalled) when max_pending messages are queued or the batcher stopped:
    // the caller answers "retry later" itself.
    [[nodiscard]] bool submit(std::vector<router::SubmitRequest> requests, Done done);

    // Stops taking requests, finishes the queued ones, joins the threads. Idempotent; not from a
    // `done` callback.
    void stop();

    [[nodiscard]] SubmitBatcherStats stats() const;

private:
    struct Job {
        std::vector<router::SubmitRequest> requests;
        Done done;
    };
    void run();

    router::GatewayApi& gateway_;
    const SubmitBatcherConfig config_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    bool stopping_ = false;
    SubmitBatcherStats stats_;   // under mutex_
    std::vector<std::thread> threads_;
};

}  // namespace bindery::http
