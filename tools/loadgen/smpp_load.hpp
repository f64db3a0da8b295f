#pragma once
// SMPP mode: an ESME with N transceiver sessions (Bindery's own BindPool, codec and session)
// sending submit_sm to an SMSC — Bindery's SMPP server side, or the simulator — open or closed
// loop; with --receipts it asks for delivery receipts and counts the deliver_sm that carry one.

#include "tools/loadgen/http_load.hpp"
#include "tools/loadgen/options.hpp"
#include "tools/loadgen/report.hpp"

namespace bindery::loadgen {

[[nodiscard]] RunResult run_smpp(const Options& options, const WorkerShare& share);

}  // namespace bindery::loadgen
