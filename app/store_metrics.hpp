#pragma once
// Metrics of the SQLite message store, sampled at each scrape (docs/metrics.md):
//   bindery_store_commits_total                 group transactions committed
//   bindery_store_commit_failures_total         group transactions that failed (rolled back)
//   bindery_store_writer_cpu_seconds_total      CPU time of the writer thread (its capacity)
//   bindery_store_wal_pages                     WAL length after the last commit, in pages
//   bindery_store_checkpoints_total{by}         WAL checkpoints: by="thread" | "writer"
//   bindery_store_checkpoint_failures_total     checkpoints that failed other than busy
//   bindery_store_purged_messages_total         finished messages removed by retention
//   bindery_store_purge_failures_total          retention runs that stopped on an error
//   bindery_store_purged_alerts_total           alert records removed by alerting.retention
//   bindery_store_alert_purge_failures_total    their retention runs that stopped on an error

#include "http-frontend/metrics.hpp"
#include "router/store/sqlite_store.hpp"

namespace bindery::app {

// Registers the families in `metrics`' registry and samples `store` (which must outlive the
// scrapes) on each one.
void add_store_collector(http::Metrics& metrics, const router::SqliteStore& store);

}  // namespace bindery::app
