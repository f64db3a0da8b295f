#pragma once
// SubmitBatcher: the asynchronous door to GatewayApi::submit that every front end shares (the
// HTTP send endpoint, http-frontend/api_handler; the SMPP server side, app/smpp_frontend).
//
// GatewayApi::submit blocks until the batch is durable (one group commit). Calling it once per
// submit (an HTTP request, an SMPP PDU) from the thread that parsed it would block that I/O thread
// and put one submit per commit. Instead the I/O thread queues the submit here and goes back to
// its sockets; `threads` batcher threads each take everything queued (whole submits, up to
// `max_batch` messages), call GatewayApi::submit once for all of it, and hand each submit its own
// outcomes. While one thread waits for its commit the next one gathers what arrived meanwhile, so
// the batch grows with the load and a submit never waits for a timer.
//
// Submits keep their order within a batch (with one thread, across batches too); each submit's
// outcomes are exactly those of its own messages (GatewayApi::submit answers one outcome per
// message, in order, and a refused message does not fail the others). `done` gets the submit's
// messages back with exactly one outcome each and runs on a batcher thread: it must not block.
//
// A gateway that answers short (fewer outcomes than messages) or throws is a bug there: every
// message without an outcome of its own gets SubmitErrc::unavailable, never "accepted"; the
// messages that do have one keep it (they may be stored: answering them as failed would invite a
// duplicate on the client's retry).

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "router/api/gateway_api.hpp"

namespace bindery::router {

// What SubmitBatcherConfig::max_pending counts. The HTTP API bounds the messages waiting (a
// request carries up to its recipient limit); the SMPP server bounds the PDUs waiting, the unit
// its ESME_RMSGQFUL answer is about (a submit_multi carries up to 255 destinations).
enum class PendingUnit : std::uint8_t { messages, submits };

struct SubmitBatcherConfig {
    std::size_t threads = 2;
    std::size_t max_batch = 512;  // messages per GatewayApi::submit call (a submit is never split)
    std::size_t max_pending = 20'000;  // queued, in `pending_unit`; past it submit() refuses
    PendingUnit pending_unit = PendingUnit::messages;
    // Called (on a batcher thread) when GatewayApi::submit throws; the batch is then answered
    // unavailable. Null: not reported.
    std::function<void(const std::exception&)> on_exception;
};

struct SubmitBatcherStats {
    std::uint64_t requests = 0;       // submits accepted by submit()
    std::uint64_t refused = 0;        // submit() returned false (queue full or stopped)
    std::uint64_t batches = 0;        // GatewayApi::submit calls
    std::uint64_t messages = 0;       // messages in those calls
    std::size_t pending = 0;          // messages queued now
    std::size_t pending_submits = 0;  // submits queued now
};

class SubmitBatcher {
public:
    using Done = std::function<void(std::vector<SubmitRequest> requests,
                                    std::vector<SubmitOutcome> outcomes)>;

    SubmitBatcher(GatewayApi& gateway, SubmitBatcherConfig config);
    // Finishes what is queued (every `done` is called), then joins the threads.
    ~SubmitBatcher();
    SubmitBatcher(const SubmitBatcher&) = delete;
    SubmitBatcher& operator=(const SubmitBatcher&) = delete;

    // Queues the messages of one submit; `done` gets them back with one outcome each. False (and
    // `done` dropped uncalled) when max_pending is reached or the batcher stopped: the caller
    // answers "retry later" itself.
    [[nodiscard]] bool submit(std::vector<SubmitRequest> requests, Done done);

    // Stops taking submits, finishes the queued ones, joins the threads. Idempotent; not from a
    // `done` callback.
    void stop();

    [[nodiscard]] SubmitBatcherStats stats() const;

private:
    struct Job {
        std::vector<SubmitRequest> requests;
        Done done;
    };
    void run();
    // The gateway's answer to `batch`, flattened into `requests`: handed back job by job.
    void answer(std::vector<Job>& batch, std::vector<SubmitRequest>& requests);

    GatewayApi& gateway_;
    const SubmitBatcherConfig config_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    bool stopping_ = false;
    SubmitBatcherStats stats_;  // under mutex_
    std::vector<std::thread> threads_;
};

}  // namespace bindery::router
