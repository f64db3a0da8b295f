#pragma once
// HTTP mode: keep-alive connections POSTing JSON messages (one recipient, or `batch` as a list),
// open or closed loop, on one io_context (one thread). Several workers run side by side for
// --threads; their results merge.

#include <cstdint>
#include <string>
#include <string_view>

#include "tools/loadgen/callback_tracker.hpp"
#include "tools/loadgen/options.hpp"
#include "tools/loadgen/report.hpp"

namespace bindery::loadgen {

struct WorkerShare {
    unsigned connections = 1;
    double rate = 0;              // messages/s of this worker (open loop)
    std::uint64_t count = 0;      // messages of this worker (0: duration only)
    std::uint64_t first_seq = 0;  // destination numbers start here (unique across workers)
    // --callbacks: every request carries `callback_url`; the ids of each 202 go to `callbacks`
    // with the request's send (open loop: scheduled) time. In both modes `accepted` / `failed`
    // count per recipient from the answer (a recipient a 202 does not list is failed).
    CallbackTracker* callbacks = nullptr;
    std::string callback_url;
};

[[nodiscard]] RunResult run_http(const Options& options, const WorkerShare& share);

// The request body for messages `seq`, `seq + 1`, ... (`n` recipients), with `callback_url`
// when one is given.
[[nodiscard]] std::string http_body(const Options& options, std::uint64_t seq, unsigned n,
                                    std::string_view callback_url = {});

}  // namespace bindery::loadgen
