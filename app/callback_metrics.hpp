#pragma once
// Metrics of the delivery callbacks' HTTP connections, sampled at each scrape (docs/metrics.md):
//   bindery_callback_connections_opened_total    TCP connections the callback client opened
//   bindery_callback_requests_reused_total       attempts sent on a kept-alive connection
//   bindery_callback_stale_retries_total         attempts resent on a fresh connection after a
//                                                kept-alive one failed before any answer
//   bindery_callback_idle_connections            kept-alive connections waiting in the pool

#include "http-frontend/callbacks.hpp"
#include "http-frontend/metrics.hpp"

namespace bindery::app {

// Registers the families in `metrics`' registry and samples `dispatcher` (which must outlive the
// scrapes) on each one.
void add_callback_client_collector(http::Metrics& metrics,
                                   const http::CallbackDispatcher& dispatcher);

}  // namespace bindery::app
