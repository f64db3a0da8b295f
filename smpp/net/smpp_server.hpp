#pragma once
// SmppServer: Bindery's SMPP server side (role SMSC). Accepts binds, authenticates system_id /
// password against configured accounts (salted SHA-256 at rest, constant-time compare), enforces
// per-account bind types and bind count, incoming window and throughput (ESME_RTHROTTLED past it),
// hands submit_sm / data_sm / submit_multi and query_sm / cancel_sm / replace_sm to an injected
// SubmitHandler (never the router: the composition root adapts), and sends deliver_sm (receipts,
// MO) to an account's RX/TRX binds, retrying while no bind is up.
//
// Threading: all calls on the server's executor (post() to it from other threads), except
// stats() and bound_sessions(), which any thread may call (a metrics scrape, the admin status).

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "smpp/net/listener.hpp"
#include "smpp/net/message.hpp"
#include "smpp/net/session_link.hpp"

namespace bindery::smpp {

struct ServerAccount {
    std::string system_id;
    std::string password_hash;  // hash_password() form: "sha256:<salt hex>:<digest hex>"
    unsigned max_binds = 4;
    std::size_t window = 100;  // requests in flight per bind (incoming window)
    double max_tps = 0;        // submits/s across the account's binds; 0 = unlimited
    double burst = 0;          // bucket size; 0 = max_tps (one second of traffic)
    // The binds this account may make; any other is refused with ESME_RBINDFAIL (after the
    // password check), logged and counted in SmppServerStats::binds_rejected.
    std::vector<BindType> bind_types{BindType::transmitter, BindType::receiver,
                                     BindType::transceiver};
};

struct SmppServerConfig {
    ListenerConfig listen;
    std::string system_id = "bindery";  // in bind responses
    std::vector<ServerAccount> accounts;
    // Any system_id/password binds (each system_id becomes its own account with these limits):
    // for the simulator and tests.
    bool accept_any = false;
    ServerAccount any_account{};
    SessionConfig session{};  // template for each bind (role forced to smsc)
    Duration deliver_retry = std::chrono::seconds(1);     // no bind up: try again after this
    Duration deliver_timeout = std::chrono::minutes(10);  // give a delivery up after this
    std::size_t max_deliver_queue = 100000;               // per account
};

// Where a submit came from.
struct SubmitOrigin {
    std::string_view account;
    std::uint64_t connection_id = 0;
    std::uint32_t sequence_number = 0;
};

// Answers a submit exactly once: status, the message_id for ESME_ROK and, for submit_multi only,
// the destinations that were not accepted (submit_multi_resp's no_unsuccess / unsuccess_sme list;
// ignored for submit_sm and data_sm). The entries' views need only live during the call.
class SubmitResponder {
public:
    using Function = std::function<void(CommandStatus status, std::string_view message_id,
                                        std::span<const UnsuccessSme> unsuccess)>;
    SubmitResponder() = default;
    explicit SubmitResponder(Function f) : f_(std::move(f)) {}
    void operator()(CommandStatus status, std::string_view message_id,
                    std::span<const UnsuccessSme> unsuccess = {}) const {
        if (f_) f_(status, message_id, unsuccess);
    }
    explicit operator bool() const noexcept { return static_cast<bool>(f_); }

private:
    Function f_;
};

// Answers a query_sm, cancel_sm or replace_sm exactly once: the status and, for a query_sm
// answered ESME_ROK, the query_sm_resp (its views need only live during the call; ignored for
// the others, whose responses are header only).
class QueryResponder {
public:
    using Function = std::function<void(CommandStatus status, const QuerySmResp* query)>;
    QueryResponder() = default;
    explicit QueryResponder(Function f) : f_(std::move(f)) {}
    void operator()(CommandStatus status, const QuerySmResp* query = nullptr) const {
        if (f_) f_(status, query);
    }
    explicit operator bool() const noexcept { return static_cast<bool>(f_); }

private:
    Function f_;
};

class SubmitHandler {
public:
    virtual ~SubmitHandler() = default;
    // submit_sm, data_sm or submit_multi (request.body says which). The request's views are valid
    // during this call only; `respond` may be called later (on the server's executor).
    virtual void on_submit(const SubmitOrigin& origin, const Pdu& request,
                           SubmitResponder respond) = 0;
    // query_sm, cancel_sm or replace_sm, under the same rules. Default: refused with
    // ESME_RQUERYFAIL / ESME_RCANCELFAIL / ESME_RREPLACEFAIL (a handler keeping no messages).
    virtual void on_query(const SubmitOrigin& origin, const Pdu& request, QueryResponder respond);
    virtual void on_bind(std::string_view /*account*/, SessionState /*state*/,
                         std::uint64_t /*connection_id*/) {}
    virtual void on_unbind(std::string_view /*account*/, std::uint64_t /*connection_id*/) {}
};

struct DeliverReport {
    bool delivered = false;                          // the ESME answered ESME_ROK
    CommandStatus status = CommandStatus::ESME_ROK;  // the ESME's answer (when one came)
    unsigned attempts = 0;
    bool expired = false;  // deliver_timeout passed without success
};
using DeliverCallback = std::function<void(const DeliverReport&)>;

// Why a bind was refused: each is a label value
// (bindery_smpp_server_bind_rejections_total{reason}), so names are stable. The first four are the
// server's own checks, in the order it makes them; the last two are refused by the session before
// the server sees the bind.
enum class BindRejectReason : std::uint8_t {
    unknown_system_id,  // no such account (or an empty system_id under accept_any): ESME_RINVSYSID
    bad_password,       // ESME_RINVPASWD
    bind_type_not_allowed,  // the bind type is not in the account's bind_types: ESME_RBINDFAIL
    max_binds,              // the account has max_binds binds already: ESME_RBINDFAIL
    already_bound,          // a bind on a connection bound (or unbinding) already: ESME_RALYBND
    invalid_pdu,            // a bind PDU whose body does not decode (e.g. password over 9 octets)
};
inline constexpr std::size_t kBindRejectReasons = 6;
[[nodiscard]] std::string_view to_string(BindRejectReason r) noexcept;
// "trx", "tx", "rx": the spelling of smpp_server.accounts[].bind_types.
[[nodiscard]] std::string_view bind_type_label(BindType t) noexcept;

struct SmppServerStats {
    std::uint64_t binds_accepted = 0;
    std::uint64_t binds_rejected = 0;  // the sum of binds_rejected_by
    // Indexed by BindRejectReason.
    std::array<std::uint64_t, kBindRejectReasons> binds_rejected_by{};
    std::uint64_t submits = 0;
    std::uint64_t queries = 0;  // query_sm, cancel_sm, replace_sm handed to the handler
    std::uint64_t throttled = 0;
    std::uint64_t delivers_sent = 0;
    std::uint64_t delivers_ok = 0;
    std::uint64_t delivers_failed = 0;
    std::uint64_t deliver_retries = 0;
    std::uint64_t connections = 0;
};

// ESME sessions bound now, for one account and bind type.
struct BoundSessions {
    std::string account;
    BindType type = BindType::transceiver;
    unsigned count = 0;
};

class SmppServer : public std::enable_shared_from_this<SmppServer> {
public:
    SmppServer(boost::asio::any_io_executor executor, SmppServerConfig config,
               SubmitHandler& handler);
    ~SmppServer();

    void start();  // throws on an unusable listen address (startup)
    // Stops accepting; unbinds every session (graceful) and closes them.
    void stop();
    [[nodiscard]] std::uint16_t port() const noexcept;

    // Queues a deliver_sm for `account` (receipt or MO) and sends it on one of its RX/TRX binds,
    // retrying until deliver_timeout. `done` is called exactly once.
    void deliver(const std::string& account, ShortMessageData message, DeliverCallback done = {});
    // Closes one connection at once (no unbind): fault injection and admin.
    void disconnect(std::uint64_t connection_id);

    [[nodiscard]] unsigned bound(std::string_view account) const;  // live binds of an account
    [[nodiscard]] unsigned bound_receivers(std::string_view account) const;
    [[nodiscard]] std::vector<std::string> accounts_with_receivers() const;
    [[nodiscard]] std::size_t connections() const noexcept { return connections_.size(); }
    // A snapshot; safe from any thread (a metrics scrape reads it while sessions count).
    [[nodiscard]] SmppServerStats stats() const noexcept;
    // Sessions bound now by account and bind type, sorted; safe from any thread. Every configured
    // account has an entry for each of its bind_types (0 when none is bound); an account created
    // by accept_any, or a bind type, appears at its first bind and stays (at 0) afterwards. A
    // session counts from its bind_resp until its connection is gone (unbind, close, inactivity,
    // error, stop()), once.
    [[nodiscard]] std::vector<BoundSessions> bound_sessions() const;
    [[nodiscard]] boost::asio::any_io_executor get_executor() const { return executor_; }

private:
    class ServerConnection;
    struct PendingDeliver {
        std::uint64_t tag = 0;
        ShortMessageData message;
        DeliverCallback done;
        TimePoint deadline{};
        TimePoint not_before{};
        unsigned attempts = 0;
    };
    struct Account {
        ServerAccount config;
        std::unique_ptr<TokenBucket> bucket;  // submits/s across binds
        std::vector<ServerConnection*> binds;
        std::deque<PendingDeliver> deliveries;  // due now, waiting for a bind with room
        // Retries not yet due: a min-heap by not_before (RetryLater), so a pump does not walk
        // past thousands of them; due ones move to the front of `deliveries`.
        std::vector<PendingDeliver> retries;
        [[nodiscard]] std::size_t queued() const noexcept {
            return deliveries.size() + retries.size();
        }
        std::size_t next_bind = 0;  // round robin
    };

    Account* find_account(std::string_view system_id, std::string_view password);
    void on_accept(std::shared_ptr<Connection> connection);
    void pump(Account& account);
    void pump_all();
    void arm_retry();
    void finish_deliver(PendingDeliver& d, const DeliverReport& report);
    void requeue(Account& account, PendingDeliver d, TimePoint not_before);
    void connection_down(ServerConnection& c);
    void count_rejected(BindRejectReason reason) noexcept;
    void count_bound(const std::string& account, BindType type, bool up);

    boost::asio::any_io_executor executor_;
    SmppServerConfig config_;
    SubmitHandler& handler_;
    std::shared_ptr<Listener> listener_;
    std::map<std::string, Account, std::less<>> accounts_;
    std::unordered_map<std::uint64_t, std::shared_ptr<ServerConnection>> connections_;
    boost::asio::steady_timer retry_timer_;
    bool retry_armed_ = false;
    std::uint64_t next_connection_id_ = 1;
    std::uint64_t next_tag_ = 1;
    bool stopped_ = false;
    // SmppServerStats' fields as atomics (relaxed: independent counts).
    struct Counters {
        std::atomic<std::uint64_t> binds_accepted{0};
        std::array<std::atomic<std::uint64_t>, kBindRejectReasons> binds_rejected_by{};
        std::atomic<std::uint64_t> submits{0};
        std::atomic<std::uint64_t> queries{0};
        std::atomic<std::uint64_t> throttled{0};
        std::atomic<std::uint64_t> delivers_sent{0};
        std::atomic<std::uint64_t> delivers_ok{0};
        std::atomic<std::uint64_t> delivers_failed{0};
        std::atomic<std::uint64_t> deliver_retries{0};
        std::atomic<std::uint64_t> connections{0};
    };
    Counters stats_;
    // Bound sessions by (account, bind type): written on the executor at bind and connection_down,
    // read by bound_sessions() from any thread. Binds are rare: a mutex is enough.
    mutable std::mutex bound_mutex_;
    std::map<std::pair<std::string, BindType>, unsigned> bound_now_;
};

}  // namespace bindery::smpp
