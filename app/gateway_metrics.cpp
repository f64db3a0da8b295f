#include "app/gateway_metrics.hpp"

#include <chrono>
#include <memory>
#include <utility>

#include "smpp/base/clock.hpp"

namespace bindery::app {

std::string_view submit_result_label(const router::SendResult& result) noexcept {
    if (!result.error) return "ok";
    switch (result.error->kind) {
        case router::SendErrorKind::timeout: return "timeout";
        case router::SendErrorKind::connection: return "connection";
        case router::SendErrorKind::throttled: return "throttled";
        case router::SendErrorKind::status: return "status";
        case router::SendErrorKind::rejected_local: return "rejected_local";
        case router::SendErrorKind::not_sent: return "not_sent";
    }
    return "status";
}

http::BreakerLevel breaker_level(router::BreakerState state) noexcept {
    switch (state) {
        case router::BreakerState::closed: return http::BreakerLevel::closed;
        case router::BreakerState::half_open: return http::BreakerLevel::half_open;
        case router::BreakerState::open: return http::BreakerLevel::open;
    }
    return http::BreakerLevel::closed;
}

void TimedProvider::send(router::OutboundMessage message,
                         std::function<void(router::SendResult)> done) {
    const auto started = std::chrono::steady_clock::now();
    inner_.send(
        std::move(message), [this, started, done = std::move(done)](router::SendResult result) {
            const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
            metrics_.observe_submit(inner_.name(), submit_result_label(result), took.count());
            done(std::move(result));
        });
}

void add_metric_hooks(router::RouterHooks& hooks, http::Metrics& metrics) {
    auto chain = [](auto previous, auto added) {
        return [previous = std::move(previous), added = std::move(added)](const auto&... args) {
            added(args...);
            if (previous) previous(args...);
        };
    };
    hooks.on_transition =
        chain(std::move(hooks.on_transition),
              [&metrics](const router::Message&, const router::MessageEvent& event) {
                  metrics.message_transition(router::to_string(event.to), event.provider);
              });
    hooks.on_store_error =
        chain(std::move(hooks.on_store_error), [&metrics](const router::StoreError& error) {
            metrics.store_error(router::to_string(error.code));
        });
    hooks.on_breaker = chain(std::move(hooks.on_breaker),
                             [&metrics](std::string_view provider, router::BreakerState state) {
                                 metrics.breaker_changed(provider, breaker_level(state));
                             });
}

http::CarrierSample carrier_sample(std::string_view carrier, const smpp::BindPoolStats& pool,
                                   const router::SmppCarrierStats& provider) {
    http::CarrierSample s;
    s.carrier = std::string(carrier);
    s.binds_configured = pool.binds;
    s.binds_up = pool.binds_up;
    s.bind_ups = pool.bind_ups;
    s.bind_downs = pool.bind_downs;
    s.bind_failures = pool.bind_failures;
    s.in_flight = pool.in_flight;
    s.window = pool.window;
    s.queued = pool.queued;
    s.throttled_carrier = pool.throttled;
    s.throttled_local = pool.throttle_waits;
    s.receipts = provider.receipts;
    s.receipts_unparsed = provider.receipts_unparsed;
    s.mo_messages = provider.mo_messages;
    return s;
}

http::RouterSample router_sample(const router::RouterStats& stats,
                                 const router::Backpressure& backpressure) {
    http::RouterSample s;
    s.backlog = backpressure.backlog;
    s.backlog_limit = backpressure.limit;
    s.accepting = backpressure.accepting;
    s.receipts_matched = stats.receipts;
    s.receipts_held = stats.receipts_held;
    s.receipts_unknown = stats.unknown_receipts;
    s.backpressured = stats.backpressured;
    s.retries_scheduled = stats.retries_scheduled;
    s.stale_results = stats.stale_results;
    return s;
}

void add_gateway_collector(http::Metrics& metrics, router::Router& router,
                           std::vector<const router::SmppCarrierProvider*> carriers) {
    metrics.add_collector([&router, carriers = std::move(carriers)](http::Metrics& m) {
        const auto stats = router.stats();
        m.sample_router(router_sample(stats, router.backpressure()));
        for (std::size_t lane = 0; lane < router::kPriorityCount; ++lane) {
            m.set_queue_depth(router::to_string(static_cast<router::Priority>(lane)),
                              static_cast<double>(stats.queued_by_lane[lane]));
        }
        const auto now = bindery::Clock::now();
        for (const auto* c : carriers) {
            m.sample_carrier(carrier_sample(c->name(), c->pool_stats(), c->stats()));
            m.set_breaker(c->name(), breaker_level(router.breaker_state(c->name(), now)));
        }
    });
}

void add_credit_collector(http::Metrics& metrics, router::SqliteStore& store) {
    // The collectors run one scrape at a time (Metrics::serialize), so `last_seq` needs no lock.
    metrics.add_collector([&store, last_seq = std::uint64_t{0}](http::Metrics& m) mutable {
        if (auto accounts = store.credit_accounts()) {
            for (const auto& a : *accounts) {
                m.set_credit_account(a.client, static_cast<double>(a.balance),
                                     static_cast<double>(a.held));
            }
        }
        auto moves = store.credit_moves(last_seq);
        if (!moves) return;  // the next scrape reads the same entries again
        for (const auto& e : moves->sums) {
            m.credit_moved(e.client, router::to_string(e.kind), static_cast<double>(e.amount));
        }
        last_seq = moves->last_seq;
    });
}

}  // namespace bindery::app
