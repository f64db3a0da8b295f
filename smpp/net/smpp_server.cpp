#include "smpp/net/smpp_server.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "smpp/base/log_field.hpp"
#include "smpp/net/password.hpp"

namespace bindery::smpp {

namespace asio = boost::asio;
using boost::system::error_code;

// One accepted connection: authenticates its bind, answers its submits through the handler and
// carries deliveries for its account.
class SmppServer::ServerConnection final : public SessionListener, public LinkOwner {
public:
    ServerConnection(SmppServer& server, std::uint64_t id, std::shared_ptr<Connection> connection,
                     const SessionConfig& config)
        : server_(server), id_(id) {
        link_ = std::make_shared<SessionLink>(std::move(connection), config, *this, *this);
    }
    ~ServerConnection() override { link_->detach(); }

    void start() { link_->start(); }
    [[nodiscard]] std::uint64_t id() const noexcept { return id_; }
    [[nodiscard]] Account* account() const noexcept { return account_; }
    [[nodiscard]] BindType bound_type() const noexcept { return bound_type_; }
    [[nodiscard]] SessionLink& link() noexcept { return *link_; }
    [[nodiscard]] bool can_deliver() const noexcept {
        const auto s = link_->session().state();
        return (s == SessionState::bound_rx || s == SessionState::bound_trx) &&
               !link_->session().stopping() && link_->session().window_has_room() &&
               !link_->connection().tx_over_cap();
    }
    [[nodiscard]] bool receives() const noexcept {
        const auto s = link_->session().state();
        return s == SessionState::bound_rx || s == SessionState::bound_trx;
    }

    bool send_deliver(PendingDeliver& d, TimePoint now) {
        auto r = link_->session().submit(d.message.view<DeliverSm>(), d.tag, now);
        if (!r) return false;
        ++d.attempts;
        in_flight_.emplace(d.tag, std::move(d));
        link_->flush();
        return true;
    }

    // SessionListener
    void on_bound(SessionState state, std::string_view) override {
        if (account_ == nullptr) return;
        account_->binds.push_back(this);
        // on_bound comes with a bound state only.
        bound_type_ = bind_type_for(state).value_or(BindType::transceiver);
        server_.count_bound(account_->config.system_id, bound_type_, true);
        server_.stats_.binds_accepted.fetch_add(1, std::memory_order_relaxed);
        spdlog::info("smpp.server client bound bind={} system_id={} state={}",
                     link_->connection().name(), log_value(account_->config.system_id),
                     to_string(state));
        server_.handler_.on_bind(account_->config.system_id, state, id_);
        if (receives()) server_.pump(*account_);
    }
    void on_bind_failed(BindFailure, CommandStatus) override {}
    void on_submit_result(UserTag tag, const SubmitResult& result) override {
        auto it = in_flight_.find(tag);
        if (it == in_flight_.end()) return;
        PendingDeliver d = std::move(it->second);
        in_flight_.erase(it);
        Account* acc = account_;
        if (result.ok()) {
            DeliverReport rep{true, result.status, d.attempts, false};
            server_.finish_deliver(d, rep);
        } else if (result.temporary() && acc != nullptr) {
            server_.stats_.deliver_retries.fetch_add(1, std::memory_order_relaxed);
            server_.requeue(*acc, std::move(d), Clock::now() + server_.config_.deliver_retry);
        } else {
            DeliverReport rep{false, result.status, d.attempts, false};
            server_.finish_deliver(d, rep);
        }
        if (acc != nullptr) server_.pump(*acc);
    }
    void on_throttled(UserTag tag, CommandStatus, TimePoint retry_at) override {
        auto it = in_flight_.find(tag);
        if (it == in_flight_.end()) return;
        PendingDeliver d = std::move(it->second);
        in_flight_.erase(it);
        server_.stats_.deliver_retries.fetch_add(1, std::memory_order_relaxed);
        if (account_ != nullptr) server_.requeue(*account_, std::move(d), retry_at);
    }
    void on_incoming(IncomingToken token, const Pdu& request) override {
        auto& session = link_->session();
        const auto id = request.command_id();
        if (id == CommandId::query_sm || id == CommandId::cancel_sm ||
            id == CommandId::replace_sm) {
            on_query(token, request);
            return;
        }
        if (id != CommandId::submit_sm && id != CommandId::data_sm &&
            id != CommandId::submit_multi) {
            session.complete_incoming(token, CommandStatus::ESME_RINVCMDID);
            return;
        }
        server_.stats_.submits.fetch_add(1, std::memory_order_relaxed);
        Account& acc = *account_;
        const auto now = Clock::now();
        if (session.pending_incoming() > acc.config.window ||
            (acc.bucket && !acc.bucket->try_acquire(now))) {
            server_.stats_.throttled.fetch_add(1, std::memory_order_relaxed);
            session.complete_incoming(token, CommandStatus::ESME_RTHROTTLED);
            return;
        }
        const SubmitOrigin origin{acc.config.system_id, id_, request.header.sequence_number};
        std::weak_ptr<SessionLink> weak = link_;
        server_.handler_.on_submit(
            origin, request,
            SubmitResponder([weak, token](CommandStatus status, std::string_view message_id,
                                          std::span<const UnsuccessSme> unsuccess) {
                auto link = weak.lock();
                if (!link || link->down()) return;
                if (token.command_id == CommandId::submit_multi && !unsuccess.empty()) {
                    SubmitMultiResp r{};
                    if (status == CommandStatus::ESME_ROK) r.message_id = message_id;
                    // At most 255 entries encode (no_unsuccess is one octet); a submit_multi
                    // carries at most 254 destinations, so nothing is cut in practice.
                    r.unsuccess_smes =
                        unsuccess.first(std::min<std::size_t>(unsuccess.size(), 255));
                    link->session().complete_incoming(token, status, Body{r});
                } else {
                    link->session().complete_incoming(token, status, message_id);
                }
                link->flush();
            }));
    }
    // query_sm / cancel_sm / replace_sm: to the handler, within the account's incoming window
    // (they do not spend its submit rate).
    void on_query(IncomingToken token, const Pdu& request) {
        auto& session = link_->session();
        Account& acc = *account_;
        if (session.pending_incoming() > acc.config.window) {
            server_.stats_.throttled.fetch_add(1, std::memory_order_relaxed);
            session.complete_incoming(token, CommandStatus::ESME_RTHROTTLED);
            return;
        }
        server_.stats_.queries.fetch_add(1, std::memory_order_relaxed);
        const SubmitOrigin origin{acc.config.system_id, id_, request.header.sequence_number};
        std::weak_ptr<SessionLink> weak = link_;
        server_.handler_.on_query(
            origin, request,
            QueryResponder([weak, token](CommandStatus status, const QuerySmResp* query) {
                auto link = weak.lock();
                if (!link || link->down()) return;
                if (token.command_id == CommandId::query_sm && status == CommandStatus::ESME_ROK &&
                    query != nullptr) {
                    link->session().complete_incoming(token, status, Body{*query});
                } else {
                    link->session().complete_incoming(token, status);
                }
                link->flush();
            }));
    }
    void on_bind_request(const BindRequestView& request) override {
        auto& session = link_->session();
        const auto now = Clock::now();
        Account* acc = server_.find_account(request.system_id, request.password);
        if (acc == nullptr) {
            const bool known = server_.accounts_.count(request.system_id) > 0;
            server_.count_rejected(known ? BindRejectReason::bad_password
                                         : BindRejectReason::unknown_system_id);
            spdlog::warn("smpp.server bind refused bind={} system_id={} reason={}",
                         link_->connection().name(), log_value(request.system_id),
                         known ? "wrong_password" : "unknown_system_id");
            session.reject_bind(
                known ? CommandStatus::ESME_RINVPASWD : CommandStatus::ESME_RINVSYSID, now);
            return;
        }
        // bind_types: a type the account may not make (SMPP 3.4 has no status for "this bind type
        // is not allowed"; ESME_RBINDFAIL is the generic bind refusal, and ESMEs treat it as a
        // configuration error: they retry slowly, where ESME_RINVBNDSTS would mean "rebind now").
        const auto& types = acc->config.bind_types;
        if (std::find(types.begin(), types.end(), request.type) == types.end()) {
            server_.count_rejected(BindRejectReason::bind_type_not_allowed);
            spdlog::warn(
                "smpp.server bind refused, not in its bind_types bind={} system_id={} "
                "command_id={}",
                link_->connection().name(), log_value(request.system_id),
                to_string(bind_command(request.type)));
            session.reject_bind(CommandStatus::ESME_RBINDFAIL, now);
            return;
        }
        if (acc->binds.size() >= acc->config.max_binds) {
            server_.count_rejected(BindRejectReason::max_binds);
            spdlog::warn(
                "smpp.server bind refused, max_binds reached bind={} system_id={} binds={}",
                link_->connection().name(), log_value(request.system_id), acc->binds.size());
            session.reject_bind(CommandStatus::ESME_RBINDFAIL, now);
            return;
        }
        account_ = acc;
        if (!session.accept_bind(now, server_.config_.system_id)) account_ = nullptr;
    }
    void on_bind_refused(BindRefusal refusal, CommandStatus status) override {
        const bool bound = refusal == BindRefusal::already_bound;
        server_.count_rejected(bound ? BindRejectReason::already_bound
                                     : BindRejectReason::invalid_pdu);
        spdlog::warn("smpp.server bind refused bind={} command_status={} reason={}",
                     link_->connection().name(), to_string(status),
                     bound ? "already_bound" : "malformed_bind_pdu");
    }
    void on_outbind(std::string_view, std::string_view) override {}
    void on_alert_notification(const AlertNotification&) override {}
    void on_link_dead() override {}
    void on_closed(CloseReason) override {}

    // LinkOwner
    void on_link_ready(SessionLink&, TimePoint) override {}
    void on_link_writable(SessionLink&) override {
        if (account_ != nullptr) server_.pump(*account_);
    }
    void on_link_down(SessionLink&, const error_code&) override { server_.connection_down(*this); }

    // Deliveries sent on this bind and not answered: handed back when the link goes down (the
    // session reports them as connection_lost first, which requeues them).
    std::unordered_map<UserTag, PendingDeliver> in_flight_;

private:
    SmppServer& server_;
    std::uint64_t id_;
    std::shared_ptr<SessionLink> link_;
    Account* account_ = nullptr;
    BindType bound_type_ = BindType::transceiver;  // set in on_bound
};

// `respond` by value as declared: an override may keep it until its answer is ready.
void SubmitHandler::on_query(
    const SubmitOrigin& /*origin*/, const Pdu& request,
    QueryResponder respond) {  // NOLINT(performance-unnecessary-value-param)
    const auto id = request.command_id();
    respond(id == CommandId::query_sm    ? CommandStatus::ESME_RQUERYFAIL
            : id == CommandId::cancel_sm ? CommandStatus::ESME_RCANCELFAIL
                                         : CommandStatus::ESME_RREPLACEFAIL);
}

std::string_view to_string(BindRejectReason r) noexcept {
    switch (r) {
        case BindRejectReason::unknown_system_id: return "unknown_system_id";
        case BindRejectReason::bad_password: return "bad_password";
        case BindRejectReason::bind_type_not_allowed: return "bind_type_not_allowed";
        case BindRejectReason::max_binds: return "max_binds";
        case BindRejectReason::already_bound: return "already_bound";
        case BindRejectReason::invalid_pdu: return "invalid_pdu";
    }
    return "unknown";
}

std::string_view bind_type_label(BindType t) noexcept {
    switch (t) {
        case BindType::transmitter: return "tx";
        case BindType::receiver: return "rx";
        case BindType::transceiver: return "trx";
    }
    return "trx";
}

SmppServer::SmppServer(asio::any_io_executor executor, SmppServerConfig config,
                       SubmitHandler& handler)
    : executor_(std::move(executor)),
      config_(std::move(config)),
      handler_(handler),
      retry_timer_(executor_) {
    config_.session.role = Role::smsc;
    const auto now = Clock::now();
    for (const auto& a : config_.accounts) {
        for (const auto t : a.bind_types) bound_now_.try_emplace({a.system_id, t}, 0U);
        Account acc;
        acc.config = a;
        if (a.max_tps > 0) {
            acc.bucket =
                std::make_unique<TokenBucket>(a.max_tps, a.burst > 0 ? a.burst : a.max_tps, now);
        }
        accounts_.emplace(a.system_id, std::move(acc));
    }
}

SmppServer::~SmppServer() {
    for (auto& [id, c] : connections_) c->link().detach();
}

void SmppServer::start() {
    auto listen = config_.listen;
    if (listen.connection.name.empty()) listen.connection.name = "smpp-in";
    listener_ = std::make_shared<Listener>(
        executor_, std::move(listen), [weak = weak_from_this()](std::shared_ptr<Connection> c) {
            if (auto self = weak.lock()) self->on_accept(std::move(c));
        });
    listener_->start();
}

SmppServerStats SmppServer::stats() const noexcept {
    const auto get = [](const std::atomic<std::uint64_t>& c) {
        return c.load(std::memory_order_relaxed);
    };
    SmppServerStats s;
    s.binds_accepted = get(stats_.binds_accepted);
    for (std::size_t i = 0; i < kBindRejectReasons; ++i) {
        s.binds_rejected_by[i] = get(stats_.binds_rejected_by[i]);
        s.binds_rejected += s.binds_rejected_by[i];
    }
    s.submits = get(stats_.submits);
    s.queries = get(stats_.queries);
    s.throttled = get(stats_.throttled);
    s.delivers_sent = get(stats_.delivers_sent);
    s.delivers_ok = get(stats_.delivers_ok);
    s.delivers_failed = get(stats_.delivers_failed);
    s.deliver_retries = get(stats_.deliver_retries);
    s.connections = get(stats_.connections);
    return s;
}

std::vector<BoundSessions> SmppServer::bound_sessions() const {
    std::vector<BoundSessions> out;
    const std::lock_guard lock(bound_mutex_);
    out.reserve(bound_now_.size());
    for (const auto& [key, n] : bound_now_) out.push_back(BoundSessions{key.first, key.second, n});
    return out;
}

void SmppServer::count_rejected(BindRejectReason reason) noexcept {
    stats_.binds_rejected_by[static_cast<std::size_t>(reason)].fetch_add(1,
                                                                         std::memory_order_relaxed);
}

void SmppServer::count_bound(const std::string& account, BindType type, bool up) {
    const std::lock_guard lock(bound_mutex_);
    auto& n = bound_now_[{account, type}];
    if (up) {
        ++n;
    } else if (n > 0) {
        --n;
    }
}

std::uint16_t SmppServer::port() const noexcept { return listener_ ? listener_->port() : 0; }

void SmppServer::stop() {
    if (stopped_) return;
    stopped_ = true;
    if (listener_) listener_->stop();
    retry_timer_.cancel();
    const auto now = Clock::now();
    for (auto& [id, c] : connections_) {
        c->link().session().unbind(now);
        c->link().flush();
    }
}

void SmppServer::on_accept(std::shared_ptr<Connection> connection) {
    if (stopped_) {
        connection->abort();
        return;
    }
    stats_.connections.fetch_add(1, std::memory_order_relaxed);
    const auto id = next_connection_id_++;
    auto sc = std::make_shared<ServerConnection>(*this, id, std::move(connection), config_.session);
    connections_.emplace(id, sc);
    sc->start();
}

SmppServer::Account* SmppServer::find_account(std::string_view system_id,
                                              std::string_view password) {
    auto it = accounts_.find(system_id);
    if (it != accounts_.end()) {
        if (it->second.config.password_hash.empty() && config_.accept_any) return &it->second;
        return verify_password(it->second.config.password_hash, password) ? &it->second : nullptr;
    }
    if (!config_.accept_any || system_id.empty()) return nullptr;
    Account acc;
    acc.config = config_.any_account;
    acc.config.system_id = std::string(system_id);
    acc.config.password_hash.clear();
    if (acc.config.max_tps > 0) {
        acc.bucket = std::make_unique<TokenBucket>(
            acc.config.max_tps, acc.config.burst > 0 ? acc.config.burst : acc.config.max_tps,
            Clock::now());
    }
    return &accounts_.emplace(std::string(system_id), std::move(acc)).first->second;
}

void SmppServer::disconnect(std::uint64_t connection_id) {
    auto it = connections_.find(connection_id);
    if (it == connections_.end()) return;
    spdlog::info("smpp.server disconnected on request bind={}",
                 it->second->link().connection().name());
    it->second->link().connection().abort();
}

void SmppServer::connection_down(ServerConnection& c) {
    auto it = connections_.find(c.id());
    if (it == connections_.end()) return;
    auto keep = it->second;  // alive until this function returns
    connections_.erase(it);
    if (Account* acc = c.account()) {
        auto& binds = acc->binds;
        if (auto b = std::find(binds.begin(), binds.end(), &c); b != binds.end()) {
            binds.erase(b);
            count_bound(acc->config.system_id, c.bound_type(), false);
            handler_.on_unbind(acc->config.system_id, c.id());
        }
        // Anything still marked in flight on this bind goes back to the queue.
        const auto now = Clock::now();
        for (auto& [tag, d] : c.in_flight_) requeue(*acc, std::move(d), now);
        c.in_flight_.clear();
        pump(*acc);
    }
    // Destroy the connection object outside of its own callback chain.
    asio::post(executor_, [keep] {});
}

void SmppServer::deliver(const std::string& account, ShortMessageData message,
                         DeliverCallback done) {
    const auto now = Clock::now();
    auto it = accounts_.find(account);
    if (it == accounts_.end()) {
        if (!config_.accept_any) {
            stats_.delivers_failed.fetch_add(1, std::memory_order_relaxed);
            if (done) done(DeliverReport{false, CommandStatus::ESME_RINVSYSID, 0, false});
            return;
        }
        Account acc;
        acc.config = config_.any_account;
        acc.config.system_id = account;
        it = accounts_.emplace(account, std::move(acc)).first;
    }
    Account& acc = it->second;
    if (acc.queued() >= config_.max_deliver_queue) {
        stats_.delivers_failed.fetch_add(1, std::memory_order_relaxed);
        if (done) done(DeliverReport{false, CommandStatus::ESME_RMSGQFUL, 0, false});
        return;
    }
    PendingDeliver d;
    d.tag = next_tag_++;
    d.message = std::move(message);
    d.done = std::move(done);
    d.deadline = now + config_.deliver_timeout;
    d.not_before = now;
    acc.deliveries.push_back(std::move(d));
    pump(acc);
}

namespace {
// std::push_heap builds a max-heap: "greater not_before" puts the earliest at the front.
struct RetryLater {
    template <class D>
    bool operator()(const D& a, const D& b) const noexcept {
        return a.not_before > b.not_before || (a.not_before == b.not_before && a.tag > b.tag);
    }
};
}  // namespace

void SmppServer::requeue(Account& account, PendingDeliver d, TimePoint not_before) {
    d.not_before = not_before;
    account.retries.push_back(std::move(d));
    std::push_heap(account.retries.begin(), account.retries.end(), RetryLater{});
    arm_retry();
}

void SmppServer::finish_deliver(PendingDeliver& d, const DeliverReport& report) {
    (report.delivered ? stats_.delivers_ok : stats_.delivers_failed)
        .fetch_add(1, std::memory_order_relaxed);
    if (d.done) {
        auto done = std::move(d.done);
        done(report);
    }
}

void SmppServer::pump(Account& acc) {
    if (acc.deliveries.empty() && acc.retries.empty()) return;
    const auto now = Clock::now();
    // Retries that are due go first, earliest first (they are older than what waits in the queue).
    if (!acc.retries.empty() && acc.retries.front().not_before <= now) {
        std::vector<PendingDeliver> due;
        while (!acc.retries.empty() && acc.retries.front().not_before <= now) {
            std::pop_heap(acc.retries.begin(), acc.retries.end(), RetryLater{});
            due.push_back(std::move(acc.retries.back()));
            acc.retries.pop_back();
        }
        for (auto it = due.rbegin(); it != due.rend(); ++it)
            acc.deliveries.push_front(std::move(*it));
    }
    while (!acc.deliveries.empty()) {
        PendingDeliver& d = acc.deliveries.front();
        if (now >= d.deadline) {
            PendingDeliver gone = std::move(d);
            acc.deliveries.pop_front();
            finish_deliver(gone,
                           DeliverReport{false, CommandStatus::ESME_ROK, gone.attempts, true});
            continue;
        }
        // Round robin over binds that can take one more.
        ServerConnection* target = nullptr;
        for (std::size_t i = 0; i < acc.binds.size(); ++i) {
            auto* c = acc.binds[(acc.next_bind + i) % acc.binds.size()];
            if (c->can_deliver()) {
                target = c;
                acc.next_bind = (acc.next_bind + i + 1) % acc.binds.size();
                break;
            }
        }
        if (target == nullptr) break;
        PendingDeliver moving = std::move(d);
        acc.deliveries.pop_front();
        if (!target->send_deliver(moving, now)) {
            acc.deliveries.push_front(std::move(moving));
            break;
        }
        stats_.delivers_sent.fetch_add(1, std::memory_order_relaxed);
    }
    // Retries whose deadline passes while they wait are given up when they come due: a retry
    // is at most deliver_retry (or a throttle's retry time) away.
    if (!acc.deliveries.empty() || !acc.retries.empty()) arm_retry();
}

void SmppServer::pump_all() {
    for (auto& [name, acc] : accounts_) pump(acc);
}

void SmppServer::arm_retry() {
    if (retry_armed_ || stopped_) return;
    retry_armed_ = true;
    retry_timer_.expires_after(
        std::min<Duration>(config_.deliver_retry, std::chrono::milliseconds(250)));
    retry_timer_.async_wait([weak = weak_from_this()](const error_code& ec) {
        auto self = weak.lock();
        if (!self) return;
        self->retry_armed_ = false;
        if (!ec) self->pump_all();
    });
}

unsigned SmppServer::bound(std::string_view account) const {
    auto it = accounts_.find(account);
    return it == accounts_.end() ? 0U : static_cast<unsigned>(it->second.binds.size());
}

unsigned SmppServer::bound_receivers(std::string_view account) const {
    auto it = accounts_.find(account);
    if (it == accounts_.end()) return 0;
    return static_cast<unsigned>(
        std::count_if(it->second.binds.begin(), it->second.binds.end(),
                      [](const ServerConnection* c) { return c->receives(); }));
}

std::vector<std::string> SmppServer::accounts_with_receivers() const {
    std::vector<std::string> out;
    for (const auto& [name, acc] : accounts_) {
        if (bound_receivers(name) > 0) out.push_back(name);
    }
    return out;
}

}  // namespace bindery::smpp
