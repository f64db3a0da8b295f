#include "smpp/net/client_bind.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "smpp/base/log_field.hpp"
#include "smpp/net/bind_name.hpp"
#include "smpp/net/net_error.hpp"

namespace bindery::smpp {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

std::string_view to_string(ClientBind::State s) noexcept {
    switch (s) {
        case ClientBind::State::idle: return "idle";
        case ClientBind::State::connecting: return "connecting";
        case ClientBind::State::binding: return "binding";
        case ClientBind::State::bound: return "bound";
        case ClientBind::State::waiting: return "waiting";
        case ClientBind::State::stopping: return "stopping";
        case ClientBind::State::stopped: return "stopped";
    }
    return "unknown";
}

ClientBind::ClientBind(asio::any_io_executor executor, ClientBindConfig config,
                       ClientBindObserver* observer)
    : executor_(std::move(executor)),
      config_(std::move(config)),
      observer_(observer),
      resolver_(executor_),
      socket_(executor_),
      timer_(executor_),
      backoff_(config_.backoff,
               config_.backoff_seed != 0 ? config_.backoff_seed : std::random_device{}()) {
    config_.session.role = Role::esme;
    if (config_.max_queue == 0)
        config_.max_queue = std::max<std::size_t>(4 * config_.session.window, 16);
    if (config_.connection.name.empty()) config_.connection.name = config_.name;
}

ClientBind::~ClientBind() {
    if (link_) link_->detach();
}

void ClientBind::set_shared_bucket(TokenBucket* bucket) noexcept {
    shared_bucket_ = bucket;
    if (link_) link_->session().set_shared_bucket(bucket);
}

bool ClientBind::can_submit() const noexcept {
    return state_ == State::bound && !stopping_ && config_.bind_type != BindType::receiver;
}

std::size_t ClientBind::in_flight() const noexcept { return in_flight_.size(); }
std::size_t ClientBind::load() const noexcept { return in_flight_.size() + queue_.size(); }

void ClientBind::start() {
    if (state_ != State::idle) return;
    do_connect();
}

void ClientBind::do_connect() {
    if (stopping_) return;
    state_ = State::connecting;
    ++stats_.connects;
    if (config_.tls.enabled && !tls_) {
        // Loaded at the first attempt that needs it, then kept. A file that cannot be read fails
        // this attempt like a refused connect (counted, retried with backoff): never a throw on
        // the io thread.
        auto ctx = load_tls_context(config_.tls, TlsRole::client);
        if (!ctx) {
            spdlog::error("smpp.bind cannot connect bind={} carrier={} address={}:{} error={}",
                          config_.name, carrier_of(config_.name), config_.host, config_.port,
                          log_value(ctx.error()));
            ++stats_.bind_failures;
            next_cause_ = RetryCause::network;
            return schedule_reconnect();
        }
        tls_ = std::move(*ctx);
    }
    timer_.expires_after(config_.connect_timeout);
    timer_.async_wait([weak = weak_from_this()](const error_code& ec) {
        auto self = weak.lock();
        if (!self || ec || self->state_ != State::connecting) return;
        spdlog::warn("smpp.bind connect timed out bind={} carrier={} address={}:{}",
                     self->config_.name, carrier_of(self->config_.name), self->config_.host,
                     self->config_.port);
        self->resolver_.cancel();
        error_code ignored;
        self->socket_.close(ignored);
    });
    resolver_.async_resolve(config_.host, std::to_string(config_.port),
                            [weak = weak_from_this()](const error_code& ec,
                                                      const tcp::resolver::results_type& results) {
                                auto self = weak.lock();
                                if (!self || self->state_ != State::connecting) return;
                                if (ec) return self->on_connected(ec);
                                self->socket_ = tcp::socket(self->executor_);
                                asio::async_connect(self->socket_, results,
                                                    [weak = std::weak_ptr<ClientBind>(self)](
                                                        const error_code& e, const tcp::endpoint&) {
                                                        if (auto s = weak.lock())
                                                            s->on_connected(e);
                                                    });
                            });
}

void ClientBind::on_connected(const error_code& ec) {
    if (state_ != State::connecting) return;
    timer_.cancel();
    if (ec || stopping_) {
        if (!stopping_) {
            spdlog::warn("smpp.bind connect failed bind={} carrier={} address={}:{} error={}",
                         config_.name, carrier_of(config_.name), config_.host, config_.port,
                         log_value(ec.message()));
        }
        error_code ignored;
        socket_.close(ignored);
        next_cause_ = RetryCause::network;
        return schedule_reconnect();
    }
    spdlog::info("smpp.bind connected bind={} carrier={} address={}:{} tls={}", config_.name,
                 carrier_of(config_.name), config_.host, config_.port, tls_ ? "true" : "false");
    state_ = State::binding;
    auto conn = tls_ ? std::make_shared<Connection>(
                           std::move(socket_), tls_, TlsRole::client,
                           config_.tls.server_name.empty() ? config_.host : config_.tls.server_name,
                           config_.connection)
                     : std::make_shared<Connection>(std::move(socket_), config_.connection);
    link_ = std::make_shared<SessionLink>(std::move(conn), config_.session, *this, *this);
    link_->session().set_shared_bucket(shared_bucket_);
    link_->start();
}

void ClientBind::schedule_reconnect() {
    if (stopping_) {
        state_ = State::stopped;
        if (auto done = std::exchange(stopped_, nullptr)) done();
        return;
    }
    state_ = State::waiting;
    last_backoff_ = backoff_.next_delay(next_cause_);
    next_cause_ = RetryCause::network;
    spdlog::info("smpp.bind reconnecting bind={} carrier={} delay_ms={}", config_.name,
                 carrier_of(config_.name),
                 std::chrono::duration_cast<std::chrono::milliseconds>(last_backoff_).count());
    timer_.expires_after(last_backoff_);
    timer_.async_wait([weak = weak_from_this()](const error_code& ec) {
        auto self = weak.lock();
        if (!self || ec || self->state_ != State::waiting) return;
        self->do_connect();
    });
}

void ClientBind::stop(Duration drain, std::function<void()> done) {
    if (state_ == State::stopped || state_ == State::idle) {
        state_ = State::stopped;
        if (done) done();
        return;
    }
    if (stopping_) {
        if (done) {
            auto prev = std::move(stopped_);
            stopped_ = [prev = std::move(prev), done = std::move(done)] {
                if (prev) prev();
                done();
            };
        }
        return;
    }
    stopping_ = true;
    stopped_ = std::move(done);
    refuse_queue(Refusal::closing);
    spdlog::info("smpp.bind stopping bind={} carrier={} state={}", config_.name,
                 carrier_of(config_.name), to_string(state_));
    if (link_) {
        state_ = State::stopping;
        link_->session().unbind(Clock::now(), drain);
        link_->flush();
        return;
    }
    // Connecting or waiting to reconnect: nothing to drain.
    timer_.cancel();
    resolver_.cancel();
    error_code ignored;
    socket_.close(ignored);
    state_ = State::stopped;
    if (auto d = std::exchange(stopped_, nullptr)) d();
}

void ClientBind::submit(ShortMessageData message, SubmitCallback done) {
    Queued q{std::move(message), std::move(done), 0, {}};
    if (stopping_) return refuse(q, Refusal::closing);
    if (state_ != State::bound) return refuse(q, Refusal::not_bound);
    if (config_.bind_type == BindType::receiver) return refuse(q, Refusal::not_allowed);
    if (queue_.size() >= config_.max_queue) return refuse(q, Refusal::window_full);
    queue_.push_back(std::move(q));
    pump();
}

void ClientBind::refuse(Queued& q, Refusal why, std::error_code error) {
    (void)error;
    SubmitReport r;
    r.sent = false;
    r.refusal = why;
    r.throttle_retries = q.throttle_retries;
    if (q.done) {
        auto done = std::move(q.done);
        done(r);
    }
}

void ClientBind::refuse_queue(Refusal why) {
    auto queue = std::move(queue_);
    queue_.clear();
    for (auto& q : queue) refuse(q, why);
}

void ClientBind::pump() {
    if (pumping_ || !link_ || state_ != State::bound) return;
    pumping_ = true;
    auto& session = link_->session();
    const auto now = Clock::now();
    bool sent_any = false;
    while (!queue_.empty()) {
        if (link_->connection().tx_over_cap()) break;  // resumes on_link_writable
        if (throttle_until_ && *throttle_until_ > now) break;
        throttle_until_.reset();
        Queued& q = queue_.front();
        const UserTag tag = next_tag_++;
        auto r = session.submit(q.message.view<SubmitSm>(), tag, now);
        if (r) {
            ++stats_.submits;
            in_flight_.emplace(tag, std::move(q));
            queue_.pop_front();
            sent_any = true;
            continue;
        }
        const auto& why = r.error();
        if (why.reason == Refusal::window_full) break;  // a result frees a slot
        if (why.reason == Refusal::throttled) {
            ++stats_.throttle_waits;
            throttle_until_ = why.retry_at;
            break;
        }
        Queued gone = std::move(q);
        queue_.pop_front();
        refuse(gone, why.reason, why.error);
    }
    pumping_ = false;
    link_->set_wakeup(throttle_until_);
    if (sent_any) link_->flush();
}

// ---- SessionListener ---------------------------------------------------------------------------

void ClientBind::on_bound(SessionState state, std::string_view peer_system_id) {
    state_ = State::bound;
    ++stats_.binds_up;
    backoff_.on_bound(Clock::now());
    spdlog::info("smpp.bind bound bind={} carrier={} system_id={} state={} peer_system_id={}",
                 config_.name, carrier_of(config_.name), log_value(config_.system_id),
                 to_string(state), log_value(peer_system_id));
    if (observer_) observer_->on_bind_up(*this);
    if (observer_ && can_submit()) observer_->on_ready(*this);
}

void ClientBind::on_bind_failed(BindFailure failure, CommandStatus status) {
    ++stats_.bind_failures;
    next_cause_ =
        failure == BindFailure::rejected ? classify_bind_status(status) : RetryCause::network;
    spdlog::warn(
        "smpp.bind bind refused bind={} carrier={} system_id={} reason={} command_status={}",
        config_.name, carrier_of(config_.name), log_value(config_.system_id),
        failure == BindFailure::rejected  ? "rejected"
        : failure == BindFailure::timeout ? "timeout"
                                          : "closed",
        to_string(status));
}

void ClientBind::on_submit_result(UserTag tag, const SubmitResult& result) {
    auto it = in_flight_.find(tag);
    if (it == in_flight_.end()) return;
    Queued q = std::move(it->second);
    in_flight_.erase(it);
    SubmitReport r;
    r.sent = true;
    r.outcome = result.outcome;
    r.status = result.status;
    r.message_id = std::string(result.message_id);
    r.throttle_retries = q.throttle_retries;
    r.ok() ? ++stats_.submit_ok : ++stats_.submit_failed;
    if (result.outcome == SubmitOutcome::timeout) {
        spdlog::warn("smpp.bind submit_sm_resp timed out, outcome unknown bind={} carrier={}",
                     config_.name, carrier_of(config_.name));
    }
    if (q.done) q.done(r);
    if (link_ && state_ == State::bound) {
        pump();
        if (observer_ && can_submit() && queue_.empty() && link_->session().window_has_room()) {
            observer_->on_ready(*this);
        }
    }
}

void ClientBind::on_throttled(UserTag tag, CommandStatus status, TimePoint retry_at) {
    auto it = in_flight_.find(tag);
    if (it == in_flight_.end()) return;
    Queued q = std::move(it->second);
    in_flight_.erase(it);
    ++stats_.throttled;
    const auto now = Clock::now();
    if (q.throttle_retries == 0) q.first_throttled = now;
    ++q.throttle_retries;
    const bool too_many =
        config_.max_throttle_retries != 0 && q.throttle_retries > config_.max_throttle_retries;
    const bool too_old = config_.throttle_give_up != Duration::zero() &&
                         now - q.first_throttled >= config_.throttle_give_up;
    if (too_many || too_old) {
        // Bounded: the caller learns of a temporary failure (the router decides about retry).
        spdlog::debug(
            "smpp.bind throttled submit given back bind={} carrier={} command_status={} retries={}",
            config_.name, carrier_of(config_.name), to_string(status), q.throttle_retries - 1);
        ++stats_.throttle_gave_up;
        ++stats_.submit_failed;
        SubmitReport r;
        r.sent = true;
        r.outcome = SubmitOutcome::response;
        r.status = status;
        r.throttle_retries = q.throttle_retries - 1;
        if (q.done) q.done(r);
    } else {
        spdlog::debug(
            "smpp.bind throttled, retrying submit after backoff bind={} carrier={} "
            "command_status={}",
            config_.name, carrier_of(config_.name), to_string(status));
        if (stopping_ || state_ != State::bound)
            return refuse(q, stopping_ ? Refusal::closing : Refusal::not_bound);
        queue_.push_front(std::move(q));
    }
    if (stopping_ || state_ != State::bound) return;
    if (!throttle_until_ || *throttle_until_ < retry_at) throttle_until_ = retry_at;
    if (link_) link_->set_wakeup(throttle_until_);
}

void ClientBind::on_incoming(IncomingToken token, const Pdu& request) {
    ++stats_.delivers;
    if (observer_ == nullptr) {
        link_->session().complete_incoming(token, CommandStatus::ESME_ROK);
        return;
    }
    std::weak_ptr<SessionLink> weak = link_;
    observer_->on_deliver(*this, request, [weak, token](CommandStatus status) {
        auto link = weak.lock();
        if (!link || link->down()) return;  // the carrier will redeliver on another bind
        link->session().complete_incoming(token, status);
        link->flush();
    });
}

void ClientBind::on_bind_request(const BindRequestView&) {}
void ClientBind::on_outbind(std::string_view, std::string_view) {}
void ClientBind::on_alert_notification(const AlertNotification&) {}
void ClientBind::on_link_dead() { next_cause_ = RetryCause::network; }
void ClientBind::on_closed(CloseReason) {}

// ---- LinkOwner ---------------------------------------------------------------------------------

void ClientBind::on_link_ready(SessionLink& link, TimePoint now) {
    BindParams p;
    p.type = config_.bind_type;
    p.system_id = config_.system_id;
    p.password = config_.password;
    p.system_type = config_.system_type;
    p.addr_ton = config_.addr_ton;
    p.addr_npi = config_.addr_npi;
    p.address_range = config_.address_range;
    if (auto r = link.session().bind(p, now); !r) {
        spdlog::error("smpp.bind cannot send bind bind={} carrier={} error={}", config_.name,
                      carrier_of(config_.name), to_string(r.error().reason));
        next_cause_ = RetryCause::rejected;
        link.session().close(CloseReason::local);
    }
}

void ClientBind::on_link_wakeup(SessionLink&, TimePoint) { pump(); }

void ClientBind::on_link_writable(SessionLink&) { pump(); }

void ClientBind::on_link_down(SessionLink&, const error_code& ec) {
    const bool was_bound = state_ == State::bound || state_ == State::stopping;
    spdlog::info("smpp.bind link down bind={} carrier={} error={}", config_.name,
                 carrier_of(config_.name), log_value(ec.message()));
    // Keep the link object alive until this callback chain unwinds.
    asio::post(executor_, [old = std::move(link_)] {});
    throttle_until_.reset();
    if (was_bound) {
        ++stats_.binds_down;
        backoff_.on_unbound(Clock::now());
    }
    refuse_queue(stopping_ ? Refusal::closing : Refusal::not_bound);
    if (was_bound && observer_) observer_->on_bind_down(*this);
    schedule_reconnect();
}

}  // namespace bindery::smpp
