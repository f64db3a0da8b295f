#pragma once
// HTTP mode: keep-alive connections POSTing JSON messages (one recipient, or `batch` as a list),
// open or closed loop, on one io_context (one thread). Several workers run side by side for
// --threads; their results merge.

#include <cstdint>

#include "tools/loadgen/options.hpp"
#include "tools/loadgen/report.hpp"

namespace bindery::loadgen {

struct WorkerShare {
    unsigned connections = 1;
    double rate = 0;             // messages/s of this worker (open loop)
    std::uint64_t count = 0;     // messages of this worker (0: duration only)
    std::uint64_t first_seq = 0; // destination numbers start here (unique across workers)
};

[[nodiscard]] RunResult run_http(const Options& options, const WorkerShare& share);

// The request body for messages `seq`, `seq + 1`, ... (`n` recipients).
[[nodiscard]] std::string http_body(const Options& options, std::uint64_t seq, unsigned n);

}  // namespace bindery::loadgen
