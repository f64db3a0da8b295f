#include "app/store_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include <memory>

#include "app/sampled_counter.hpp"

namespace bindery::app {

void add_store_collector(http::Metrics& metrics, const router::SqliteStore& store) {
    struct Series {
        SampledCounter commits, commit_failures, checkpoints_thread, checkpoints_writer,
            checkpoint_failures, purged, purge_failures, purged_alerts, alert_purge_failures;
        prometheus::Counter& writer_cpu;
        double writer_cpu_last = 0;
        prometheus::Gauge& wal_pages;
    };
    auto& checkpoints =
        counter_family(metrics, "bindery_store_checkpoints_total",
                       "WAL checkpoints, by who ran them: the checkpoint thread, or the "
                       "writer itself once the WAL passed 10,000 pages");
    auto series = std::make_shared<Series>(Series{
        SampledCounter(counter_family(metrics, "bindery_store_commits_total",
                                      "Group transactions the store's writer committed")
                           .Add({})),
        SampledCounter(counter_family(metrics, "bindery_store_commit_failures_total",
                                      "Group transactions that failed and were rolled back")
                           .Add({})),
        SampledCounter(checkpoints.Add({{"by", "thread"}})),
        SampledCounter(checkpoints.Add({{"by", "writer"}})),
        SampledCounter(counter_family(metrics, "bindery_store_checkpoint_failures_total",
                                      "WAL checkpoints that failed other than busy (disk full, I/O "
                                      "error); the next commit tries again")
                           .Add({})),
        SampledCounter(counter_family(metrics, "bindery_store_purged_messages_total",
                                      "Finished messages removed by store.retention")
                           .Add({})),
        SampledCounter(counter_family(metrics, "bindery_store_purge_failures_total",
                                      "Retention runs that stopped on an error")
                           .Add({})),
        SampledCounter(
            counter_family(metrics, "bindery_store_purged_alerts_total",
                           "Alert records removed by alerting.retention (with their messages)")
                .Add({})),
        SampledCounter(counter_family(metrics, "bindery_store_alert_purge_failures_total",
                                      "Alert record retention runs that stopped on an error")
                           .Add({})),
        counter_family(
            metrics, "bindery_store_writer_cpu_seconds_total",
            "CPU time of the store's writer thread: near 1 per second of wall time means "
            "the writer is the bottleneck")
            .Add({}),
        0.0,
        prometheus::BuildGauge()
            .Name("bindery_store_wal_pages")
            .Help("Length of the write-ahead log after the last commit, in pages")
            .Register(metrics.registry())
            .Add({}),
    });
    metrics.add_collector([&store, series](http::Metrics&) {
        const auto s = store.stats();
        series->commits.follow(s.commits);
        series->commit_failures.follow(s.failed_commits);
        series->checkpoints_thread.follow(s.checkpoints);
        series->checkpoints_writer.follow(s.writer_checkpoints);
        series->checkpoint_failures.follow(s.checkpoint_failures);
        series->purged.follow(s.purged);
        series->purge_failures.follow(s.purge_failures);
        // Retention tasks beside the messages' purge (SqliteStore::add_retention_task).
        for (const auto& t : store.retention_stats()) {
            if (t.records != "alerts") continue;
            series->purged_alerts.follow(t.purged);
            series->alert_purge_failures.follow(t.failures);
        }
        const double cpu = static_cast<double>(s.writer_cpu_ns) / 1e9;
        if (cpu > series->writer_cpu_last)
            series->writer_cpu.Increment(cpu - series->writer_cpu_last);
        series->writer_cpu_last = cpu;
        series->wal_pages.Set(static_cast<double>(s.wal_pages));
    });
}

}  // namespace bindery::app
