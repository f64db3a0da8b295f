#pragma once
// Session: the SMPP 3.4 protocol engine for one connection, for either side of a bind (role ESME
// for carrier binds, role SMSC for Bindery's SMPP server and the simulator). Sans I/O: no thread,
// no timer, no lock, no clock read. The net layer feeds it
//   on_pdu(pdu, now) / on_decode_error(error, now)   for every frame read,
//   on_tick(now)                                     when next_timer() is due,
// and the owner asks it to bind / submit / unbind / close. It answers with
//   take_outbox()                                    encoded octets to write, in order,
//   SessionListener callbacks                        for everything the owner must decide on.
// When state() becomes closed the net layer writes what take_outbox() still holds, then closes
// the socket. Listener callbacks may call back into the session (submit, complete_incoming, close).
// Views handed to callbacks (PDU fields, message ids) are valid during the callback only.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "smpp/base/clock.hpp"
#include "smpp/base/expected.hpp"
#include "smpp/codec/command.hpp"
#include "smpp/codec/decode.hpp"
#include "smpp/codec/pdu.hpp"
#include "smpp/session/sequence.hpp"
#include "smpp/session/session_state.hpp"
#include "smpp/session/throttle.hpp"
#include "smpp/session/window.hpp"

namespace bindery::smpp {

using UserTag = std::uint64_t;

struct SessionConfig {
    Role role = Role::esme;
    std::size_t window = 10;            // requests of ours awaiting a response
    std::size_t incoming_window = 100;  // peer requests awaiting the owner's answer
    Duration response_timeout = std::chrono::seconds(30);
    Duration bind_timeout = std::chrono::seconds(10);  // session_init_timer
    Duration enquire_link_interval =
        std::chrono::seconds(30);  // idle time before enquire_link; 0 off
    Duration enquire_link_timeout = std::chrono::seconds(10);  // then the link is dead
    Duration inactivity_timeout{};                             // nothing received: unbind; 0 off
    Duration drain_timeout = std::chrono::seconds(10);         // graceful unbind waits this long
    std::uint32_t max_pdu_size = 64 * 1024;
    double rate = 0.0;  // messages/s this session may send; 0 = unlimited (unless adaptive)
    double burst = 1.0;
    bool adaptive_rate = false;  // find the carrier's limit from throttle responses
    AdaptiveRateConfig adaptive{};
    std::string_view system_id{};  // role SMSC: default system_id in bind responses and outbind
};

// BindType: session_state.hpp.
[[nodiscard]] CommandId bind_command(BindType t) noexcept;

struct BindParams {
    BindType type = BindType::transceiver;
    std::string_view system_id{};
    std::string_view password{};
    std::string_view system_type{};
    std::uint8_t interface_version = 0x34;
    std::uint8_t addr_ton = 0;
    std::uint8_t addr_npi = 0;
    std::string_view address_range{};
};

// Why a local request was not sent. The caller must handle every one.
enum class Refusal : std::uint8_t {
    not_bound,    // no bind yet (or the bind does not carry this direction: see not_allowed)
    not_allowed,  // the operation matrix forbids this command for this role/state
    window_full,  // wait for a response (a submit_result / throttled event frees a slot)
    throttled,    // over the rate: try again at retry_at
    closing,      // unbinding or closed: send it on another session
    invalid,      // the PDU does not encode (error says why); do not retry as is
};
[[nodiscard]] std::string_view to_string(Refusal r) noexcept;

struct SubmitRefusal {
    Refusal reason = Refusal::not_bound;
    TimePoint retry_at{};   // throttled only
    std::error_code error;  // invalid only
};

enum class SubmitOutcome : std::uint8_t {
    response,         // the peer answered (status says how)
    timeout,          // no response within response_timeout: outcome unknown
    connection_lost,  // the session closed first: outcome unknown
};

struct SubmitResult {
    CommandId command_id = CommandId::submit_sm;  // the request's id
    std::uint32_t sequence_number = 0;
    SubmitOutcome outcome = SubmitOutcome::response;
    CommandStatus status = CommandStatus::ESME_ROK;  // the peer's (response only)
    std::string_view message_id{};                   // submit_sm/data_sm/submit_multi resp
    const Pdu* response = nullptr;  // the whole response (query_sm_resp, submit_multi_resp)
    bool malformed = false;         // the response failed to decode; status from its header

    [[nodiscard]] bool ok() const noexcept {
        return outcome == SubmitOutcome::response && status == CommandStatus::ESME_ROK;
    }
    // Worth retrying (on this or another bind): unknown outcome or a transient status.
    [[nodiscard]] bool temporary() const noexcept;
};

// Statuses after which a retry may succeed (reference §7 retry policy).
[[nodiscard]] bool is_temporary(CommandStatus s) noexcept;
// ESME_RTHROTTLED / ESME_RMSGQFUL: slow down, keep the message.
[[nodiscard]] bool is_throttle(CommandStatus s) noexcept;

// A peer request the owner must answer with complete_incoming().
struct IncomingToken {
    std::uint64_t id = 0;
    std::uint32_t sequence_number = 0;
    CommandId command_id = CommandId::deliver_sm;
    friend bool operator==(const IncomingToken&, const IncomingToken&) = default;
};

enum class BindFailure : std::uint8_t {
    rejected,  // the SMSC answered with a status (ESME_RBINDFAIL, ESME_RINVPASWD,
               // ESME_RINVSYSID...)
    timeout,   // no bind response within bind_timeout
    closed,    // the connection closed first
};

enum class CloseReason : std::uint8_t {
    local,            // close() by the owner
    connection_lost,  // close(connection_lost) by the net layer
    unbound,          // our unbind completed (or its response timed out)
    peer_unbound,     // the peer unbound: unbind_resp is in the outbox
    link_dead,        // enquire_link unanswered
    bind_timeout,     // no (successful) bind within bind_timeout
    bind_failed,      // ESME: the SMSC refused our bind
};
[[nodiscard]] std::string_view to_string(CloseReason r) noexcept;

// SMSC: a bind request the session refused itself, before the owner's on_bind_request.
enum class BindRefusal : std::uint8_t {
    already_bound,  // the session is bound (or unbinding) or a bind is being answered: ESME_RALYBND
    invalid_pdu,  // the bind's body could not be decoded (e.g. a password over 9 octets): answered
                  // with the decode error's status
};

struct BindRequestView {
    BindType type = BindType::transceiver;
    std::string_view system_id, password, system_type;
    std::uint8_t interface_version = 0x34, addr_ton = 0, addr_npi = 0;
    std::string_view address_range;
};

class SessionListener {
public:
    virtual ~SessionListener() = default;
    // ESME: our bind succeeded (state is bound_tx/rx/trx). SMSC: accept_bind() was sent.
    virtual void on_bound(SessionState state, std::string_view peer_system_id) = 0;
    virtual void on_bind_failed(BindFailure failure, CommandStatus status) = 0;
    // One per submit() that was sent, except throttled ones (see on_throttled): exactly once.
    virtual void on_submit_result(UserTag tag, const SubmitResult& result) = 0;
    // The peer answered ESME_RTHROTTLED / ESME_RMSGQFUL: the request is handed back, not failed;
    // submit it again at or after retry_at.
    virtual void on_throttled(UserTag tag, CommandStatus status, TimePoint retry_at) = 0;
    // A peer request for the owner: deliver_sm/data_sm (ESME); submit_sm, submit_multi, data_sm,
    // query_sm, cancel_sm, replace_sm (SMSC). Answer with complete_incoming() once durable.
    virtual void on_incoming(IncomingToken token, const Pdu& request) = 0;
    // SMSC: an ESME asks to bind; answer with accept_bind() or reject_bind().
    virtual void on_bind_request(const BindRequestView& request) = 0;
    // SMSC: a bind request answered with an error by the session itself (on_bind_request was not
    // called); `status` is the one it answered with.
    virtual void on_bind_refused(BindRefusal /*refusal*/, CommandStatus /*status*/) {}
    // ESME: an SMSC connected to us and sent outbind; answer with bind() (bind_receiver).
    virtual void on_outbind(std::string_view system_id, std::string_view password) = 0;
    virtual void on_alert_notification(const AlertNotification& alert) = 0;
    // enquire_link went unanswered: the session closes (on_closed(link_dead) follows).
    virtual void on_link_dead() = 0;
    virtual void on_closed(CloseReason reason) = 0;
};

struct SessionStats {
    std::uint64_t pdus_received = 0;
    std::uint64_t requests_sent = 0;  // submit() calls that were sent
    std::uint64_t responses = 0;
    std::uint64_t throttled = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t incoming = 0;
    std::uint64_t enquire_links_sent = 0;
    std::uint64_t decode_errors = 0;
    std::uint64_t refused_incoming = 0;      // answered with an error by the session itself
    std::uint64_t unexpected_responses = 0;  // no request in flight with that sequence number
};

class Session {
public:
    Session(SessionConfig config, SessionListener& listener, TimePoint now);
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // ---- input from the net layer ----------------------------------------------------------
    void on_pdu(const Pdu& pdu, TimePoint now);
    void on_decode_error(const DecodeError& error, TimePoint now);
    void on_tick(TimePoint now);
    // When to call on_tick() next (one timer for the net layer), nullopt when nothing is pending:
    // at or before the earliest time it has work. A response deadline's bound may be early (see
    // InflightWindow::deadline_bound); on_tick() then finds nothing due.
    [[nodiscard]] std::optional<TimePoint> next_timer() const noexcept;

    // ---- output ------------------------------------------------------------------------------
    [[nodiscard]] bool has_output() const noexcept { return !outbox_.empty(); }
    [[nodiscard]] std::size_t outbox_size() const noexcept { return outbox_.size(); }
    // Encoded PDUs, in order. Give the buffer back with recycle() after writing to reuse it.
    [[nodiscard]] std::vector<std::uint8_t> take_outbox() noexcept;
    void recycle(std::vector<std::uint8_t>&& buffer) noexcept;

    // ---- local requests ----------------------------------------------------------------------
    // ESME: send bind_transmitter/receiver/transceiver (OPEN only, one at a time).
    [[nodiscard]] Expected<void, SubmitRefusal> bind(const BindParams& params, TimePoint now);
    // SMSC: send outbind (OPEN only); the ESME then binds.
    [[nodiscard]] Expected<void, SubmitRefusal> outbind(std::string_view system_id,
                                                        std::string_view password, TimePoint now);
    // Send a request (submit_sm, data_sm, submit_multi, query_sm, cancel_sm, replace_sm for role
    // ESME; deliver_sm, data_sm for role SMSC). The body's fields need only live during the call.
    // On success returns the sequence number; exactly one on_submit_result or on_throttled follows.
    [[nodiscard]] Expected<std::uint32_t, SubmitRefusal> submit(const Body& request, UserTag tag,
                                                                TimePoint now);
    // Answer a peer request. `message_id` for submit_sm/data_sm/submit_multi responses. False when
    // the token is unknown (already answered, or the session closed) or the answer does not encode.
    bool complete_incoming(IncomingToken token, CommandStatus status,
                           std::string_view message_id = {});
    // Answer with a full response body (query_sm_resp, submit_multi_resp with unsuccess_smes).
    bool complete_incoming(IncomingToken token, CommandStatus status, const Body& response);
    bool respond_submit(IncomingToken token, CommandStatus status, std::string_view message_id) {
        return complete_incoming(token, status, message_id);
    }
    // SMSC: answer the pending bind request. False when none is pending, or when the answer
    // cannot be encoded (system_id longer than 15 characters): the bind is then refused with
    // ESME_RBINDFAIL, and the ESME may try again.
    bool accept_bind(TimePoint now, std::string_view system_id = {});
    bool reject_bind(CommandStatus status, TimePoint now);
    // Graceful stop: refuse new submits, wait for outstanding responses until now + drain (the
    // config's drain_timeout by default), send unbind, wait for unbind_resp up to
    // response_timeout, close. Unbound sessions close at once.
    void unbind(TimePoint now);
    void unbind(TimePoint now, Duration drain);
    // Immediate close: in-flight requests are reported as connection_lost.
    void close(CloseReason reason = CloseReason::local);

    // When submit() would pass the state, window and rate checks: `now` when it would now, the
    // time the rate allows otherwise, nullopt while not bound, closing or the window is full (a
    // response event frees a slot). Lets a scheduler pick a bind and arm a timer without trying.
    [[nodiscard]] std::optional<TimePoint> next_submit_time(TimePoint now) noexcept;

    // Carrier-wide bucket (owned by the bind pool) consulted with this session's own one.
    void set_shared_bucket(TokenBucket* shared) noexcept { shared_bucket_ = shared; }

    // ---- observation -------------------------------------------------------------------------
    [[nodiscard]] SessionState state() const noexcept { return state_; }
    [[nodiscard]] Role role() const noexcept { return config_.role; }
    [[nodiscard]] bool stopping() const noexcept { return stopping_; }
    [[nodiscard]] std::string_view peer_system_id() const noexcept { return peer_system_id_; }
    [[nodiscard]] std::size_t in_flight() const noexcept { return window_.size(); }
    [[nodiscard]] std::size_t pending_incoming() const noexcept { return incoming_.size(); }
    [[nodiscard]] bool window_has_room() const noexcept { return window_.has_room(); }
    [[nodiscard]] double rate() const noexcept { return bucket_.rate(); }
    [[nodiscard]] const AdaptiveRate* adaptive_rate() const noexcept {
        return adaptive_ ? &*adaptive_ : nullptr;
    }
    [[nodiscard]] const SessionStats& stats() const noexcept { return stats_; }
    [[nodiscard]] const SessionConfig& config() const noexcept { return config_; }

private:
    struct Outstanding {
        UserTag tag = 0;
        CommandId command_id = CommandId::submit_sm;
    };
    struct Incoming {
        std::uint32_t sequence_number = 0;
        CommandId command_id = CommandId::deliver_sm;
    };

    bool send(const Pdu& pdu);
    void reply(const Header& request, CommandStatus status);
    std::uint32_t next_sequence() noexcept;
    void on_request(const Pdu& pdu, TimePoint now);
    void on_response(const Pdu& pdu, TimePoint now, bool malformed);
    void on_bind_response(const Pdu& pdu);
    void on_bind_request(const Pdu& pdu);
    void deliver_result(const InflightWindow<Outstanding>::Entry& entry, const Pdu& pdu,
                        TimePoint now, bool malformed);
    void maybe_send_unbind(TimePoint now);
    void apply_rate(TimePoint now);

    SessionConfig config_;
    SessionListener& listener_;
    SessionState state_ = SessionState::open;
    SequenceNumbers sequence_;
    InflightWindow<Outstanding> window_;
    TokenBucket bucket_;
    TokenBucket* shared_bucket_ = nullptr;
    std::optional<AdaptiveRate> adaptive_;
    std::vector<std::uint8_t> outbox_;
    std::vector<std::uint8_t> spare_;
    std::string peer_system_id_;

    // Bind.
    std::optional<TimePoint> init_deadline_;  // session_init_timer (cleared once bound)
    std::optional<std::uint32_t> bind_seq_;   // ESME: our bind in flight
    CommandId bind_id_ = CommandId::bind_transceiver;
    std::optional<Header> peer_bind_;  // SMSC: the bind awaiting accept/reject

    // Liveness.
    TimePoint last_received_;
    std::optional<std::uint32_t> enquire_seq_;
    TimePoint enquire_sent_at_{};

    // Graceful stop.
    bool stopping_ = false;
    TimePoint drain_deadline_{};
    std::optional<std::uint32_t> unbind_seq_;
    TimePoint unbind_deadline_{};

    // Peer requests awaiting the owner.
    std::unordered_map<std::uint64_t, Incoming> incoming_;
    std::uint64_t next_incoming_id_ = 1;

    SessionStats stats_;
};

}  // namespace bindery::smpp
