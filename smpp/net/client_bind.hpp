#pragma once
// ClientBind: one carrier bind in the ESME role. connect (TCP, optional TLS) -> bind -> bound;
// submits go through the Session's window and token buckets, waiting on the link's one timer when
// throttled (no busy-wait); enquire_link keeps the link alive; a dead or dropped link reconnects
// with backoff (longer after a refused bind, reset after a stable bind); stop() is graceful:
// new submits are refused, outstanding ones get up to `drain` to complete, then unbind and close.
//
// Threading: all calls on the bind's executor; callbacks arrive there.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "smpp/net/backoff.hpp"
#include "smpp/net/message.hpp"
#include "smpp/net/session_link.hpp"
#include "smpp/net/tls.hpp"

namespace bindery::smpp {

struct ClientBindConfig {
    std::string name = "smpp";  // for logs ("carrier-a#1")
    std::string host = "127.0.0.1";
    std::uint16_t port = 2775;
    BindType bind_type = BindType::transceiver;
    std::string system_id;
    std::string password;
    std::string system_type;
    std::uint8_t addr_ton = 0;
    std::uint8_t addr_npi = 0;
    std::string address_range;
    SessionConfig session{};  // window, timeouts, enquire_link, rate/burst (role forced esme)
    Duration connect_timeout = std::chrono::seconds(10);
    std::size_t max_queue = 0;  // submits waiting for window/throttle; 0 = 4 x window
    // A submit the carrier keeps answering ESME_RTHROTTLED / ESME_RMSGQFUL is retried on this
    // bind until either bound is reached, then reported (sent, that status: temporary()) so the
    // router decides: more retries elsewhere, later, or the dead letter. 0 = no bound of that kind.
    unsigned max_throttle_retries = 20;
    Duration throttle_give_up = std::chrono::minutes(2);  // since the first throttle answer
    BackoffConfig backoff{};
    std::uint64_t backoff_seed = 0;  // 0 = random
    TlsOptions tls{};
    ConnectionConfig connection{};
};

// How a submit ended.
struct SubmitReport {
    bool sent = false;                     // false: it never left this process; safe to retry
    Refusal refusal = Refusal::not_bound;  // when !sent
    SubmitOutcome outcome = SubmitOutcome::response;  // when sent
    CommandStatus status = CommandStatus::ESME_ROK;
    std::string message_id;
    unsigned throttle_retries = 0;  // times the carrier answered ESME_RTHROTTLED first

    [[nodiscard]] bool ok() const noexcept {
        return sent && outcome == SubmitOutcome::response && status == CommandStatus::ESME_ROK;
    }
    [[nodiscard]] bool temporary() const noexcept {
        return !sent ? refusal != Refusal::invalid && refusal != Refusal::not_allowed
                     : outcome != SubmitOutcome::response || is_temporary(status);
    }
};
using SubmitCallback = std::function<void(const SubmitReport&)>;
// Answers an incoming deliver_sm/data_sm: the _resp goes out only when this is called.
using IncomingDone = std::function<void(CommandStatus)>;

class ClientBind;

class ClientBindObserver {
public:
    virtual ~ClientBindObserver() = default;
    virtual void on_bind_up(ClientBind& /*bind*/) {}
    virtual void on_bind_down(ClientBind& /*bind*/) {}
    // The bind can take submits again (window slot, throttle over, queue drained).
    virtual void on_ready(ClientBind& /*bind*/) {}
    // deliver_sm / data_sm from the carrier (receipts, MO). `request` is valid during the call;
    // call `done` (now or later) to send the response.
    virtual void on_deliver(ClientBind& bind, const Pdu& request, IncomingDone done) = 0;
};

struct ClientBindStats {
    std::uint64_t connects = 0;
    std::uint64_t binds_up = 0;
    std::uint64_t binds_down = 0;
    std::uint64_t bind_failures = 0;  // bind refused or timed out, or TLS files unreadable
    std::uint64_t submits = 0;        // sent to the carrier
    std::uint64_t submit_ok = 0;
    std::uint64_t submit_failed = 0;     // answered with an error, timed out or lost
    std::uint64_t throttled = 0;         // ESME_RTHROTTLED / ESME_RMSGQFUL responses
    std::uint64_t throttle_waits = 0;    // local rate limit made a submit wait
    std::uint64_t throttle_gave_up = 0;  // throttled past max_throttle_retries / throttle_give_up
    std::uint64_t delivers = 0;
};

class ClientBind final : public SessionListener,
                         public LinkOwner,
                         public std::enable_shared_from_this<ClientBind> {
public:
    enum class State : std::uint8_t {
        idle,
        connecting,
        binding,
        bound,
        waiting,
        stopping,
        stopped
    };

    ClientBind(boost::asio::any_io_executor executor, ClientBindConfig config,
               ClientBindObserver* observer = nullptr);
    ~ClientBind() override;

    void start();
    // Graceful stop; `done` runs once the link is down (at once when not connected).
    void stop(Duration drain = std::chrono::seconds(10), std::function<void()> done = {});

    // Queues a submit_sm; `done` is called exactly once.
    void submit(ShortMessageData message, SubmitCallback done);

    // Carrier-wide bucket shared by the pool's binds (must outlive the bind).
    void set_shared_bucket(TokenBucket* bucket) noexcept;

    [[nodiscard]] State state() const noexcept { return state_; }
    [[nodiscard]] bool bound() const noexcept { return state_ == State::bound; }
    // Bound with a transmitting bind (TX/TRX) and not stopping.
    [[nodiscard]] bool can_submit() const noexcept;
    // Submits in flight plus queued (for least-loaded selection).
    [[nodiscard]] std::size_t load() const noexcept;
    [[nodiscard]] std::size_t in_flight() const noexcept;
    [[nodiscard]] std::size_t queued() const noexcept { return queue_.size(); }
    [[nodiscard]] std::size_t window() const noexcept { return config_.session.window; }
    [[nodiscard]] const ClientBindStats& stats() const noexcept { return stats_; }
    // The live session's counters (nullptr while not connected).
    [[nodiscard]] const SessionStats* session_stats() const noexcept {
        return link_ ? &link_->session().stats() : nullptr;
    }
    [[nodiscard]] const ClientBindConfig& config() const noexcept { return config_; }
    [[nodiscard]] const std::string& name() const noexcept { return config_.name; }
    // The delay chosen for the pending reconnect (for tests and logs).
    [[nodiscard]] Duration last_backoff() const noexcept { return last_backoff_; }

    // SessionListener
    void on_bound(SessionState state, std::string_view peer_system_id) override;
    void on_bind_failed(BindFailure failure, CommandStatus status) override;
    void on_submit_result(UserTag tag, const SubmitResult& result) override;
    void on_throttled(UserTag tag, CommandStatus status, TimePoint retry_at) override;
    void on_incoming(IncomingToken token, const Pdu& request) override;
    void on_bind_request(const BindRequestView& request) override;
    void on_outbind(std::string_view system_id, std::string_view password) override;
    void on_alert_notification(const AlertNotification& alert) override;
    void on_link_dead() override;
    void on_closed(CloseReason reason) override;

    // LinkOwner
    void on_link_ready(SessionLink& link, TimePoint now) override;
    void on_link_wakeup(SessionLink& link, TimePoint now) override;
    void on_link_writable(SessionLink& link) override;
    void on_link_down(SessionLink& link, const boost::system::error_code& ec) override;

private:
    struct Queued {
        ShortMessageData message;
        SubmitCallback done;
        unsigned throttle_retries = 0;
        TimePoint first_throttled{};
    };

    void do_connect();
    void on_connected(const boost::system::error_code& ec);
    void schedule_reconnect();
    void pump();
    void refuse_queue(Refusal why);
    static void refuse(Queued& q, Refusal why, std::error_code error = {});

    boost::asio::any_io_executor executor_;
    ClientBindConfig config_;
    ClientBindObserver* observer_;
    std::shared_ptr<boost::asio::ssl::context> tls_;
    boost::asio::ip::tcp::resolver resolver_;
    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer timer_;  // connect timeout / reconnect wait
    std::shared_ptr<SessionLink> link_;
    ReconnectBackoff backoff_;
    RetryCause next_cause_ = RetryCause::network;
    Duration last_backoff_{};
    State state_ = State::idle;
    bool stopping_ = false;
    std::function<void()> stopped_;
    TokenBucket* shared_bucket_ = nullptr;
    std::deque<Queued> queue_;
    std::unordered_map<UserTag, Queued> in_flight_;
    UserTag next_tag_ = 1;
    std::optional<TimePoint> throttle_until_;
    bool pumping_ = false;
    ClientBindStats stats_;
};

[[nodiscard]] std::string_view to_string(ClientBind::State s) noexcept;

}  // namespace bindery::smpp
