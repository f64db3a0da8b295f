#include "smpp/net/bind_pool.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "smpp/base/log_field.hpp"

namespace bindery::smpp {

BindPool::BindPool(boost::asio::any_io_executor executor, BindPoolConfig config,
                   PoolDeliverHandler on_deliver)
    : executor_(std::move(executor)),
      config_(std::move(config)),
      on_deliver_(std::move(on_deliver)) {
    if (config_.max_tps > 0) {
        const double burst =
            config_.burst > 0 ? config_.burst : std::max(1.0, config_.max_tps / 10);
        bucket_ = std::make_unique<TokenBucket>(config_.max_tps, burst, Clock::now());
    }
    auto make = [&](BindType type, unsigned index) {
        ClientBindConfig c;
        c.name = config_.carrier + "#" + std::to_string(index) +
                 (type == BindType::transmitter ? "tx"
                  : type == BindType::receiver  ? "rx"
                                                : "");
        c.host = config_.host;
        c.port = config_.port;
        c.bind_type = type;
        c.system_id = config_.system_id;
        c.password = config_.password;
        c.system_type = config_.system_type;
        c.addr_ton = config_.addr_ton;
        c.addr_npi = config_.addr_npi;
        c.address_range = config_.address_range;
        c.session.window = config_.window;
        c.session.incoming_window = config_.incoming_window;
        c.session.response_timeout = config_.response_timeout;
        c.session.enquire_link_interval = config_.enquire_link_interval;
        c.session.adaptive_rate = config_.adaptive_rate;
        if (config_.adaptive_rate && config_.max_tps > 0)
            c.session.adaptive.max_rate = config_.max_tps;
        c.connect_timeout = config_.connect_timeout;
        c.tls = config_.tls;
        c.backoff = config_.backoff;
        auto b = std::make_shared<ClientBind>(executor_, std::move(c), this);
        b->set_shared_bucket(bucket_.get());
        binds_.push_back(std::move(b));
    };
    const unsigned n = std::max(1U, config_.count);
    for (unsigned i = 1; i <= n; ++i) {
        if (config_.tx_rx_pairs) {
            make(BindType::transmitter, i);
            make(BindType::receiver, i);
        } else {
            make(BindType::transceiver, i);
        }
    }
}

BindPool::~BindPool() = default;

void BindPool::start() {
    spdlog::info("smpp.pool starting carrier={} binds={} address={}:{}", config_.carrier,
                 binds_.size(), config_.host, config_.port);
    for (auto& b : binds_) b->start();
}

void BindPool::stop(Duration drain, std::function<void()> done) {
    auto remaining = std::make_shared<std::size_t>(binds_.size());
    auto finish = std::make_shared<std::function<void()>>(std::move(done));
    for (auto& b : binds_) {
        b->stop(drain, [remaining, finish] {
            if (--*remaining == 0 && *finish) (*finish)();
        });
    }
}

bool BindPool::ready() const noexcept {
    return std::any_of(binds_.begin(), binds_.end(), [](const auto& b) {
        return b->can_submit() && b->queued() < b->config().max_queue;
    });
}

void BindPool::submit(ShortMessageData message, SubmitCallback done) {
    // Least loaded first: occupancy of the window plus what waits behind it, among the bound
    // transmitting binds whose queue has room (so the chosen bind never refuses for load).
    ClientBind* best = nullptr;
    bool any_bound = false;
    for (auto& b : binds_) {
        if (!b->can_submit()) continue;
        any_bound = true;
        if (b->queued() >= b->config().max_queue) continue;
        if (best == nullptr || b->load() * best->window() < best->load() * b->window())
            best = b.get();
    }
    if (best == nullptr) {
        SubmitReport r;
        r.refusal = any_bound ? Refusal::window_full : Refusal::not_bound;
        if (done) done(r);
        return;
    }
    best->submit(std::move(message), std::move(done));
}

BindPoolStats BindPool::stats() const {
    BindPoolStats s;
    s.binds = static_cast<unsigned>(binds_.size());
    s.delivers = delivers_;
    for (const auto& b : binds_) {
        const auto& st = b->stats();
        if (b->bound()) ++s.binds_up;
        if (b->can_submit()) s.window += b->window();
        s.in_flight += b->in_flight();
        s.queued += b->queued();
        s.bind_ups += st.binds_up;
        s.bind_downs += st.binds_down;
        s.bind_failures += st.bind_failures;
        s.submits += st.submits;
        s.submit_ok += st.submit_ok;
        s.submit_failed += st.submit_failed;
        s.throttled += st.throttled;
        s.throttle_waits += st.throttle_waits;
    }
    return s;
}

void BindPool::on_bind_up(ClientBind& bind) {
    spdlog::info("smpp.pool bind up bind={} carrier={} system_id={}", bind.name(), config_.carrier,
                 log_value(config_.system_id));
    if (on_capacity) on_capacity();
}

void BindPool::on_bind_down(ClientBind& bind) {
    if (bind.state() == ClientBind::State::stopping) {
        spdlog::info("smpp.pool bind unbound bind={} carrier={} system_id={}", bind.name(),
                     config_.carrier, log_value(config_.system_id));
    } else {
        spdlog::warn("smpp.pool bind down bind={} carrier={} system_id={}", bind.name(),
                     config_.carrier, log_value(config_.system_id));
    }
}

void BindPool::on_ready(ClientBind&) {
    if (on_capacity) on_capacity();
}

void BindPool::on_deliver(ClientBind&, const Pdu& request, IncomingDone done) {
    ++delivers_;
    if (on_deliver_) {
        on_deliver_(request, std::move(done));
    } else {
        done(CommandStatus::ESME_ROK);
    }
}

}  // namespace bindery::smpp
