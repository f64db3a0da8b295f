#pragma once
// SessionLink: one Session driven over one Connection. It feeds every decoded PDU (or decode
// error) to the session, writes what the session puts in its outbox, drives all of the session's
// timers with ONE steady_timer armed to the earliest deadline (the session's next_timer() or an
// owner wake-up, e.g. a throttle retry time), and closes the socket once the session is closed.
// Session events go to the owner's SessionListener; link-level events (ready, down, wake-up) to a
// LinkOwner. Same threading rule as Connection: everything on the connection's executor.
//
// After calling into session() from outside a callback (submit, complete_incoming, unbind...),
// call flush() so the output is written and the timer re-armed.

#include <memory>
#include <optional>

#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include "smpp/net/connection.hpp"
#include "smpp/session/session.hpp"

namespace bindery::smpp {

class SessionLink;

class LinkOwner {
public:
    virtual ~LinkOwner() = default;
    // The stream is up (after TLS): an ESME binds now.
    virtual void on_link_ready(SessionLink& link, TimePoint now) = 0;
    // The timer fired for the owner's wake-up time (after the session's own tick).
    virtual void on_link_wakeup(SessionLink& /*link*/, TimePoint /*now*/) {}
    // The connection has room again after back-pressure.
    virtual void on_link_writable(SessionLink& /*link*/) {}
    // The socket is closed (exactly once; the session is closed too).
    virtual void on_link_down(SessionLink& link, const boost::system::error_code& ec) = 0;
};

class SessionLink final : public ConnectionHandler,
                          public SessionListener,
                          public std::enable_shared_from_this<SessionLink> {
public:
    SessionLink(std::shared_ptr<Connection> connection, const SessionConfig& config,
                SessionListener& events, LinkOwner& owner);
    ~SessionLink() override;

    void start();
    // Writes the outbox, re-arms the timer, closes the socket when the session has closed.
    void flush();
    // The owner goes away: no more callbacks; the session is closed and the socket aborted.
    void detach();
    // Earliest time the owner wants on_link_wakeup (nullopt: none).
    void set_wakeup(std::optional<TimePoint> at);

    [[nodiscard]] Session& session() noexcept { return session_; }
    [[nodiscard]] const Session& session() const noexcept { return session_; }
    [[nodiscard]] Connection& connection() noexcept { return *connection_; }
    [[nodiscard]] const Connection& connection() const noexcept { return *connection_; }
    [[nodiscard]] bool down() const noexcept { return down_; }

    // ConnectionHandler
    void on_connection_ready(TimePoint now) override;
    void on_pdu(const Pdu& pdu, TimePoint now) override;
    void on_decode_error(const DecodeError& error, TimePoint now) override;
    void on_writable() override;
    void on_closed(const boost::system::error_code& ec) override;

    // SessionListener: forwarded to the owner's listener while attached.
    void on_bound(SessionState state, std::string_view peer_system_id) override;
    void on_bind_failed(BindFailure failure, CommandStatus status) override;
    void on_submit_result(UserTag tag, const SubmitResult& result) override;
    void on_throttled(UserTag tag, CommandStatus status, TimePoint retry_at) override;
    void on_incoming(IncomingToken token, const Pdu& request) override;
    void on_bind_request(const BindRequestView& request) override;
    void on_bind_refused(BindRefusal refusal, CommandStatus status) override;
    void on_outbind(std::string_view system_id, std::string_view password) override;
    void on_alert_notification(const AlertNotification& alert) override;
    void on_link_dead() override;
    void on_closed(CloseReason reason) override;

private:
    void arm_timer();
    void on_timer(const boost::system::error_code& ec);

    std::shared_ptr<Connection> connection_;
    Session session_;
    SessionListener* events_;
    LinkOwner* owner_;
    boost::asio::steady_timer timer_;
    std::optional<TimePoint> armed_for_;
    std::optional<TimePoint> wakeup_;
    bool closing_socket_ = false;
    bool down_ = false;
    bool flushing_ = false;
};

}  // namespace bindery::smpp
