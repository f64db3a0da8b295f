#include "smpp/session/session.hpp"

#include <algorithm>
#include <utility>

#include "smpp/codec/build.hpp"
#include "smpp/codec/encode.hpp"
#include "smpp/codec/tlv.hpp"

namespace bindery::smpp {

// ---- small vocabulary ------------------------------------------------------------------------

CommandId bind_command(BindType t) noexcept {
    switch (t) {
        case BindType::transmitter: return CommandId::bind_transmitter;
        case BindType::receiver: return CommandId::bind_receiver;
        case BindType::transceiver: return CommandId::bind_transceiver;
    }
    return CommandId::bind_transceiver;
}

std::string_view to_string(Refusal r) noexcept {
    switch (r) {
        case Refusal::not_bound: return "not_bound";
        case Refusal::not_allowed: return "not_allowed";
        case Refusal::window_full: return "window_full";
        case Refusal::throttled: return "throttled";
        case Refusal::closing: return "closing";
        case Refusal::invalid: return "invalid";
    }
    return "unknown";
}

std::string_view to_string(CloseReason r) noexcept {
    switch (r) {
        case CloseReason::local: return "local";
        case CloseReason::connection_lost: return "connection_lost";
        case CloseReason::unbound: return "unbound";
        case CloseReason::peer_unbound: return "peer_unbound";
        case CloseReason::link_dead: return "link_dead";
        case CloseReason::bind_timeout: return "bind_timeout";
        case CloseReason::bind_failed: return "bind_failed";
    }
    return "unknown";
}

bool is_throttle(CommandStatus s) noexcept {
    return s == CommandStatus::ESME_RTHROTTLED || s == CommandStatus::ESME_RMSGQFUL;
}

bool is_temporary(CommandStatus s) noexcept {
    switch (s) {
        case CommandStatus::ESME_RTHROTTLED:
        case CommandStatus::ESME_RMSGQFUL:
        case CommandStatus::ESME_RSYSERR:
        case CommandStatus::ESME_RX_T_APPN:
        case CommandStatus::ESME_RUNKNOWNERR:
        case CommandStatus::ESME_RINVBNDSTS:  // the session is broken: rebind, then retry
        case CommandStatus::ESME_RDELIVERYFAILURE: return true;
        default: return false;
    }
}

bool SubmitResult::temporary() const noexcept {
    return outcome != SubmitOutcome::response || is_temporary(status);
}

namespace {

SubmitRefusal refusal(Refusal reason, TimePoint retry_at = {}, std::error_code error = {}) {
    SubmitRefusal r;
    r.reason = reason;
    r.retry_at = retry_at;
    r.error = error;
    return r;
}

CommandId request_id_of(CommandId response) noexcept {
    return static_cast<CommandId>(static_cast<std::uint32_t>(response) & ~kResponseBit);
}

// Requests the owner hands to submit() (the session issues bind/unbind/enquire_link itself).
bool is_user_request(Role role, CommandId id) noexcept {
    switch (id) {
        case CommandId::submit_sm:
        case CommandId::submit_multi:
        case CommandId::query_sm:
        case CommandId::cancel_sm:
        case CommandId::replace_sm: return role == Role::esme;
        case CommandId::deliver_sm: return role == Role::smsc;
        case CommandId::data_sm: return true;
        default: return false;
    }
}

// Peer requests handed to the owner through on_incoming().
bool is_owner_request(Role role, CommandId id) noexcept {
    return is_user_request(role == Role::esme ? Role::smsc : Role::esme, id);
}

template <class Resp>
Body message_id_body(std::string_view message_id) {
    Resp r{};
    r.message_id = message_id;
    return r;
}

}  // namespace

// ---- construction, output ----------------------------------------------------------------------

Session::Session(SessionConfig config, SessionListener& listener, TimePoint now)
    : config_(config),
      listener_(listener),
      window_(config.window, config.response_timeout),
      bucket_(config.rate, config.burst, now),
      last_received_(now) {
    if (config_.adaptive_rate) {
        adaptive_.emplace(config_.adaptive);
        bucket_.set_rate(adaptive_->rate(), now);
    }
    if (config_.bind_timeout > Duration::zero()) init_deadline_ = now + config_.bind_timeout;
}

std::vector<std::uint8_t> Session::take_outbox() noexcept {
    std::vector<std::uint8_t> out = std::move(outbox_);
    outbox_ = std::move(spare_);
    outbox_.clear();
    spare_ = {};
    return out;
}

void Session::recycle(std::vector<std::uint8_t>&& buffer) noexcept {
    buffer.clear();
    if (buffer.capacity() > spare_.capacity()) spare_ = std::move(buffer);
}

bool Session::send(const Pdu& pdu) { return !encode(pdu, outbox_, config_.max_pdu_size); }

void Session::reply(const Header& request, CommandStatus status) {
    (void)send(make_response(request, status));
}

std::uint32_t Session::next_sequence() noexcept {
    // Unique among our outstanding requests even after a wrap.
    for (;;) {
        const std::uint32_t seq = sequence_.next();
        if (!window_.contains(seq) && seq != bind_seq_ && seq != enquire_seq_ &&
            seq != unbind_seq_) {
            return seq;
        }
    }
}

void Session::apply_rate(TimePoint now) {
    if (adaptive_) bucket_.set_rate(adaptive_->rate(), now);
}

// ---- local requests ----------------------------------------------------------------------------

Expected<void, SubmitRefusal> Session::bind(const BindParams& params, TimePoint now) {
    if (state_ == SessionState::closed || stopping_) return Unexpected(refusal(Refusal::closing));
    const CommandId id = bind_command(params.type);
    if (config_.role != Role::esme || bind_seq_ ||
        !allowed(config_.role, state_, Direction::send, id)) {
        return Unexpected(refusal(Refusal::not_allowed));
    }
    const std::uint32_t seq = next_sequence();
    Pdu pdu{Header{0, id, CommandStatus::ESME_ROK, seq}, GenericNack{}};
    auto fill = [&](auto body) {
        body.system_id = params.system_id;
        body.password = params.password;
        body.system_type = params.system_type;
        body.interface_version = params.interface_version;
        body.addr_ton = params.addr_ton;
        body.addr_npi = params.addr_npi;
        body.address_range = params.address_range;
        pdu.body = body;
    };
    switch (params.type) {
        case BindType::transmitter: fill(BindTransmitter{}); break;
        case BindType::receiver: fill(BindReceiver{}); break;
        case BindType::transceiver: fill(BindTransceiver{}); break;
    }
    if (auto ec = encode(pdu, outbox_, config_.max_pdu_size)) {
        return Unexpected(refusal(Refusal::invalid, {}, ec));
    }
    bind_seq_ = seq;
    bind_id_ = id;
    // The bind response must come within bind_timeout of the bind (or of the connect, if sooner).
    const TimePoint deadline = now + config_.bind_timeout;
    if (config_.bind_timeout > Duration::zero() &&
        (!init_deadline_ || deadline < *init_deadline_)) {
        init_deadline_ = deadline;
    }
    return {};
}

Expected<void, SubmitRefusal> Session::outbind(std::string_view system_id,
                                               std::string_view password, TimePoint /*now*/) {
    if (state_ == SessionState::closed || stopping_) return Unexpected(refusal(Refusal::closing));
    if (!allowed(config_.role, state_, Direction::send, CommandId::outbind)) {
        return Unexpected(refusal(Refusal::not_allowed));
    }
    Outbind body{};
    body.system_id = system_id.empty() ? config_.system_id : system_id;
    body.password = password;
    const Pdu pdu{Header{0, CommandId::outbind, CommandStatus::ESME_ROK, next_sequence()}, body};
    if (auto ec = encode(pdu, outbox_, config_.max_pdu_size)) {
        return Unexpected(refusal(Refusal::invalid, {}, ec));
    }
    state_ = SessionState::outbound;
    return {};
}

Expected<std::uint32_t, SubmitRefusal> Session::submit(const Body& request, UserTag tag,
                                                       TimePoint now) {
    const CommandId id =
        std::visit([](const auto& b) { return std::decay_t<decltype(b)>::command_id; }, request);
    if (state_ == SessionState::closed || state_ == SessionState::unbound || stopping_) {
        return Unexpected(refusal(Refusal::closing));
    }
    if (!is_bound(state_)) return Unexpected(refusal(Refusal::not_bound));
    if (!is_user_request(config_.role, id) || !allowed(config_.role, state_, Direction::send, id)) {
        return Unexpected(refusal(Refusal::not_allowed));
    }
    if (!window_.has_room()) return Unexpected(refusal(Refusal::window_full));
    if (auto retry_at = acquire_both(bucket_, shared_bucket_, now)) {
        return Unexpected(refusal(Refusal::throttled, *retry_at));
    }
    const std::uint32_t seq = next_sequence();
    const Pdu pdu{Header{0, id, CommandStatus::ESME_ROK, seq}, request};
    if (auto ec = encode(pdu, outbox_, config_.max_pdu_size)) {
        bucket_.refund();
        if (shared_bucket_ != nullptr) shared_bucket_->refund();
        return Unexpected(refusal(Refusal::invalid, {}, ec));
    }
    (void)window_.insert(seq, Outstanding{tag, id}, now);
    if (adaptive_) adaptive_->on_sent(now);
    ++stats_.requests_sent;
    return seq;
}

std::optional<TimePoint> Session::next_submit_time(TimePoint now) noexcept {
    if (!is_bound(state_) || stopping_ || !window_.has_room()) return std::nullopt;
    TimePoint at = std::max(now, bucket_.next_available(now));
    if (shared_bucket_ != nullptr) at = std::max(at, shared_bucket_->next_available(now));
    return at;
}

bool Session::complete_incoming(IncomingToken token, CommandStatus status,
                                std::string_view message_id) {
    if (status != CommandStatus::ESME_ROK) message_id = {};
    switch (token.command_id) {
        case CommandId::submit_sm:
            return complete_incoming(token, status, message_id_body<SubmitSmResp>(message_id));
        case CommandId::data_sm:
            return complete_incoming(token, status, message_id_body<DataSmResp>(message_id));
        case CommandId::deliver_sm:
            return complete_incoming(token, status, message_id_body<DeliverSmResp>({}));
        case CommandId::submit_multi: {
            SubmitMultiResp r{};
            r.message_id = message_id;
            return complete_incoming(token, status, Body{r});
        }
        case CommandId::query_sm: {
            QuerySmResp r{};
            r.message_id = message_id;
            return complete_incoming(token, status, Body{r});
        }
        case CommandId::cancel_sm: return complete_incoming(token, status, Body{CancelSmResp{}});
        case CommandId::replace_sm: return complete_incoming(token, status, Body{ReplaceSmResp{}});
        default: return false;
    }
}

bool Session::complete_incoming(IncomingToken token, CommandStatus status, const Body& response) {
    auto it = incoming_.find(token.id);
    if (it == incoming_.end() || it->second.sequence_number != token.sequence_number ||
        it->second.command_id != token.command_id || state_ == SessionState::closed) {
        return false;
    }
    const Pdu pdu{Header{0, response_id_for(token.command_id), status, token.sequence_number},
                  response};
    if (pdu.command_id() != response_id_for(token.command_id)) return false;
    if (!send(pdu)) return false;
    incoming_.erase(it);
    return true;
}

bool Session::accept_bind(TimePoint now, std::string_view system_id) {
    if (!peer_bind_ || state_ == SessionState::closed) return false;
    const Header request = *peer_bind_;
    const CommandId resp_id = response_id_for(request.command_id);
    // sc_interface_version: we speak 3.4.
    TlvBuilder tlvs;
    tlvs.u8(tlv_tag::sc_interface_version, 0x34);
    Pdu pdu{Header{0, resp_id, CommandStatus::ESME_ROK, request.sequence_number}, GenericNack{}};
    auto fill = [&](auto body) {
        body.system_id = system_id.empty() ? config_.system_id : system_id;
        body.tlvs = tlvs.range();
        pdu.body = body;
    };
    switch (request.command_id) {
        case CommandId::bind_transmitter: fill(BindTransmitterResp{}); break;
        case CommandId::bind_receiver: fill(BindReceiverResp{}); break;
        default: fill(BindTransceiverResp{}); break;
    }
    if (!send(pdu)) {
        // The answer does not encode (a system_id past its 16 octets): refuse the bind now
        // rather than leave the ESME waiting until the session_init timer closes the link.
        (void)reject_bind(CommandStatus::ESME_RBINDFAIL, now);
        return false;
    }
    peer_bind_.reset();
    init_deadline_.reset();
    state_ = bound_state_for(request.command_id);
    listener_.on_bound(state_, peer_system_id_);
    return true;
}

bool Session::reject_bind(CommandStatus status, TimePoint /*now*/) {
    if (!peer_bind_ || state_ == SessionState::closed) return false;
    if (status == CommandStatus::ESME_ROK) status = CommandStatus::ESME_RBINDFAIL;
    const Header request = *peer_bind_;
    peer_bind_.reset();
    peer_system_id_.clear();
    reply(request, status);
    // The ESME may try again until the session_init timer closes the connection.
    return true;
}

void Session::unbind(TimePoint now) { unbind(now, config_.drain_timeout); }

void Session::unbind(TimePoint now, Duration drain) {
    if (state_ == SessionState::closed || stopping_) return;
    if (!is_bound(state_)) {
        close(CloseReason::local);
        return;
    }
    stopping_ = true;
    drain_deadline_ = now + drain;
    maybe_send_unbind(now);
}

void Session::maybe_send_unbind(TimePoint now) {
    if (!stopping_ || unbind_seq_ || !is_bound(state_)) return;
    if (!window_.empty() && now < drain_deadline_) return;
    const std::uint32_t seq = next_sequence();
    (void)send(make_unbind(seq));
    unbind_seq_ = seq;
    unbind_deadline_ = now + config_.response_timeout;
    state_ = SessionState::unbound;
}

void Session::close(CloseReason reason) {
    if (state_ == SessionState::closed) return;
    state_ = SessionState::closed;
    const bool bind_pending = bind_seq_.has_value();
    bind_seq_.reset();
    peer_bind_.reset();
    enquire_seq_.reset();
    unbind_seq_.reset();
    init_deadline_.reset();
    incoming_.clear();
    auto lost = window_.drain_entries();
    if (bind_pending && reason != CloseReason::bind_failed) {
        listener_.on_bind_failed(
            reason == CloseReason::bind_timeout ? BindFailure::timeout : BindFailure::closed,
            CommandStatus::ESME_ROK);
    }
    for (const auto& e : lost) {
        SubmitResult r;
        r.command_id = e.request.command_id;
        r.sequence_number = e.sequence_number;
        r.outcome = SubmitOutcome::connection_lost;
        listener_.on_submit_result(e.request.tag, r);
    }
    listener_.on_closed(reason);
}

// ---- input -------------------------------------------------------------------------------------

void Session::on_pdu(const Pdu& pdu, TimePoint now) {
    if (state_ == SessionState::closed) return;
    ++stats_.pdus_received;
    last_received_ = now;
    const CommandId id = pdu.header.command_id;
    if (id == CommandId::generic_nack || is_response(id)) {
        on_response(pdu, now, false);
    } else {
        on_request(pdu, now);
    }
    maybe_send_unbind(now);
}

void Session::on_request(const Pdu& pdu, TimePoint now) {
    const Header& h = pdu.header;
    const CommandId id = h.command_id;
    if (id == CommandId::unbind && state_ == SessionState::unbound) {
        // Both sides unbound at once: answer theirs, and ours is done too.
        reply(h, CommandStatus::ESME_ROK);
        close(CloseReason::unbound);
        return;
    }
    if (!allowed(config_.role, state_, Direction::receive, id)) {
        ++stats_.refused_incoming;
        const CommandStatus status = refusal_status(state_, id);
        if (id != CommandId::alert_notification && id != CommandId::outbind) {
            reply(h, status);
        } else {
            (void)send(make_generic_nack(h.sequence_number, status));
        }
        if (config_.role == Role::smsc && is_bind_request(id)) {
            listener_.on_bind_refused(BindRefusal::already_bound, status);
        }
        return;
    }
    switch (id) {
        case CommandId::enquire_link: reply(h, CommandStatus::ESME_ROK); return;
        case CommandId::unbind:
            reply(h, CommandStatus::ESME_ROK);
            close(CloseReason::peer_unbound);
            return;
        case CommandId::bind_transmitter:
        case CommandId::bind_receiver:
        case CommandId::bind_transceiver: on_bind_request(pdu); return;
        case CommandId::outbind:
            if (const auto* o = pdu.get_if<Outbind>())
                listener_.on_outbind(o->system_id, o->password);
            return;
        case CommandId::alert_notification:
            if (const auto* a = pdu.get_if<AlertNotification>())
                listener_.on_alert_notification(*a);
            return;
        default: break;
    }
    if (!is_owner_request(config_.role, id)) {
        ++stats_.refused_incoming;
        reply(h, CommandStatus::ESME_RINVBNDSTS);
        return;
    }
    if (incoming_.size() >= config_.incoming_window) {
        // The peer ignores our window: ask it to slow down and resend.
        ++stats_.refused_incoming;
        reply(h, config_.role == Role::smsc ? CommandStatus::ESME_RTHROTTLED
                                            : CommandStatus::ESME_RX_T_APPN);
        return;
    }
    (void)now;
    const IncomingToken token{next_incoming_id_++, h.sequence_number, id};
    incoming_.emplace(token.id, Incoming{h.sequence_number, id});
    ++stats_.incoming;
    listener_.on_incoming(token, pdu);
}

void Session::on_bind_request(const Pdu& pdu) {
    const Header& h = pdu.header;
    if (peer_bind_) {  // one bind at a time
        ++stats_.refused_incoming;
        reply(h, CommandStatus::ESME_RALYBND);
        listener_.on_bind_refused(BindRefusal::already_bound, CommandStatus::ESME_RALYBND);
        return;
    }
    BindRequestView v;
    auto read = [&](const auto& b) {
        v.system_id = b.system_id;
        v.password = b.password;
        v.system_type = b.system_type;
        v.interface_version = b.interface_version;
        v.addr_ton = b.addr_ton;
        v.addr_npi = b.addr_npi;
        v.address_range = b.address_range;
    };
    if (const auto* t = pdu.get_if<BindTransmitter>()) {
        v.type = BindType::transmitter;
        read(*t);
    } else if (const auto* r = pdu.get_if<BindReceiver>()) {
        v.type = BindType::receiver;
        read(*r);
    } else if (const auto* x = pdu.get_if<BindTransceiver>()) {
        v.type = BindType::transceiver;
        read(*x);
    } else {
        reply(h,
              CommandStatus::ESME_RSYSERR);  // header and body disagree: cannot happen after decode
        return;
    }
    peer_bind_ = h;
    peer_system_id_.assign(v.system_id);
    listener_.on_bind_request(v);
}

void Session::on_response(const Pdu& pdu, TimePoint now, bool malformed) {
    const Header& h = pdu.header;
    const CommandId id = h.command_id;
    const std::uint32_t seq = h.sequence_number;
    if (bind_seq_ && seq == *bind_seq_ &&
        (id == CommandId::generic_nack || id == response_id_for(bind_id_))) {
        on_bind_response(pdu);
        return;
    }
    if (enquire_seq_ && seq == *enquire_seq_ &&
        (id == CommandId::generic_nack || id == CommandId::enquire_link_resp)) {
        enquire_seq_.reset();
        return;
    }
    if (unbind_seq_ && seq == *unbind_seq_ &&
        (id == CommandId::generic_nack || id == CommandId::unbind_resp)) {
        unbind_seq_.reset();
        close(CloseReason::unbound);
        return;
    }
    const auto* entry = window_.find(seq);
    if (entry == nullptr ||
        (id != CommandId::generic_nack && request_id_of(id) != entry->request.command_id)) {
        ++stats_.unexpected_responses;  // late (already timed out) or not ours: drop
        return;
    }
    auto taken = window_.complete_entry(seq);
    deliver_result(*taken, pdu, now, malformed);
}

void Session::deliver_result(const InflightWindow<Outstanding>::Entry& entry, const Pdu& pdu,
                             TimePoint now, bool malformed) {
    ++stats_.responses;
    const CommandStatus status = pdu.header.command_status;
    if (is_throttle(status)) {
        ++stats_.throttled;
        if (adaptive_ && adaptive_->on_throttled(entry.sent_at, now)) apply_rate(now);
        TimePoint retry_at = bucket_.next_available(now);
        if (shared_bucket_ != nullptr)
            retry_at = std::max(retry_at, shared_bucket_->next_available(now));
        if (!adaptive_) {
            // A fixed rate cannot slow down by itself: back off for one response time at least.
            retry_at = std::max(retry_at, now + std::min(config_.response_timeout,
                                                         Duration(std::chrono::seconds(1))));
        }
        listener_.on_throttled(entry.request.tag, status, retry_at);
        return;
    }
    if (adaptive_) {
        std::optional<std::uint8_t> congestion;
        std::visit(
            [&](const auto& b) {
                if constexpr (requires { b.tlvs.congestion_state(); }) {
                    congestion = b.tlvs.congestion_state();
                }
            },
            pdu.body);
        if (adaptive_->on_accepted(entry.sent_at, now, congestion)) apply_rate(now);
    }
    SubmitResult r;
    r.command_id = entry.request.command_id;
    r.sequence_number = entry.sequence_number;
    r.outcome = SubmitOutcome::response;
    r.status = status;
    r.response = &pdu;
    r.malformed = malformed;
    if (const auto* s = pdu.get_if<SubmitSmResp>())
        r.message_id = s->message_id;
    else if (const auto* d = pdu.get_if<DataSmResp>())
        r.message_id = d->message_id;
    else if (const auto* m = pdu.get_if<SubmitMultiResp>())
        r.message_id = m->message_id;
    else if (const auto* q = pdu.get_if<QuerySmResp>())
        r.message_id = q->message_id;
    listener_.on_submit_result(entry.request.tag, r);
}

void Session::on_bind_response(const Pdu& pdu) {
    bind_seq_.reset();
    const CommandStatus status = pdu.header.command_status;
    if (pdu.header.command_id == CommandId::generic_nack || status != CommandStatus::ESME_ROK) {
        listener_.on_bind_failed(BindFailure::rejected, status == CommandStatus::ESME_ROK
                                                            ? CommandStatus::ESME_RBINDFAIL
                                                            : status);
        close(CloseReason::bind_failed);
        return;
    }
    std::string_view system_id;
    std::visit(
        [&](const auto& b) {
            if constexpr (requires { b.system_id; }) system_id = b.system_id;
        },
        pdu.body);
    peer_system_id_.assign(system_id);
    init_deadline_.reset();
    state_ = bound_state_for(pdu.header.command_id);
    listener_.on_bound(state_, peer_system_id_);
}

void Session::on_decode_error(const DecodeError& error, TimePoint now) {
    if (state_ == SessionState::closed) return;
    ++stats_.decode_errors;
    ++stats_.pdus_received;
    last_received_ = now;
    if (error.header && is_response(error.header->command_id) &&
        error.header->command_id != CommandId::generic_nack && is_known(error.header->command_id) &&
        error.header->command_status != CommandStatus::ESME_ROK) {
        // A failed response whose body is broken still tells the outcome: match it by its
        // header (many SMSCs send odd bodies with error statuses).
        const CommandId request = request_id_of(error.header->command_id);
        Pdu resp = make_response(
            Header{0, request, CommandStatus::ESME_ROK, error.header->sequence_number},
            error.header->command_status);
        on_response(resp, now, true);
        maybe_send_unbind(now);
        return;
    }
    if (error.header && is_response(error.header->command_id) &&
        error.header->command_id != CommandId::generic_nack && is_known(error.header->command_id)) {
        // A response with status 0 we cannot read (e.g. a message_id over 64 characters): the
        // request was most likely accepted, so report it with its status and no message id rather
        // than leave it to time out and be sent twice.
        const CommandId request = request_id_of(error.header->command_id);
        Pdu resp = make_response(
            Header{0, request, CommandStatus::ESME_ROK, error.header->sequence_number},
            CommandStatus::ESME_ROK);
        on_response(resp, now, true);
    }
    if (state_ == SessionState::closed) return;
    // Responses are never answered: a generic_nack carrying the sequence number of one of OUR
    // requests would read, to the peer, as a nack of ITS request with that number.
    if (error.header && is_response(error.header->command_id)) {
        maybe_send_unbind(now);
        return;
    }
    // Tell the peer: generic_nack for an unreadable header or an unknown id, the request's own
    // _resp with the specific status otherwise; always with the offending sequence number.
    const Pdu answer = make_error_response(error);
    (void)send(answer);
    if (config_.role == Role::smsc && error.header && is_bind_request(error.header->command_id)) {
        listener_.on_bind_refused(BindRefusal::invalid_pdu, answer.header.command_status);
    }
    maybe_send_unbind(now);
}

void Session::on_tick(TimePoint now) {
    if (state_ == SessionState::closed) return;
    // session_init_timer / bind response timer.
    if (init_deadline_ && now >= *init_deadline_ && !is_bound(state_)) {
        close(CloseReason::bind_timeout);
        return;
    }
    // Response timers: each expired request is a temporary failure with an unknown outcome.
    for (const auto& e : window_.take_expired_entries(now)) {
        ++stats_.timeouts;
        SubmitResult r;
        r.command_id = e.request.command_id;
        r.sequence_number = e.sequence_number;
        r.outcome = SubmitOutcome::timeout;
        listener_.on_submit_result(e.request.tag, r);
    }
    if (state_ == SessionState::closed) return;
    // Our unbind went unanswered.
    if (unbind_seq_ && now >= unbind_deadline_) {
        close(CloseReason::unbound);
        return;
    }
    // enquire_link: dead when nothing at all came back since it was sent.
    if (enquire_seq_ && now >= enquire_sent_at_ + config_.enquire_link_timeout) {
        if (last_received_ <= enquire_sent_at_) {
            listener_.on_link_dead();
            close(CloseReason::link_dead);
            return;
        }
        enquire_seq_.reset();  // traffic arrived: the link is alive even without the resp
    }
    if (is_bound(state_) && config_.inactivity_timeout > Duration::zero() && !stopping_ &&
        now >= last_received_ + config_.inactivity_timeout) {
        unbind(now, Duration::zero());
    }
    if (is_bound(state_) && !enquire_seq_ && config_.enquire_link_interval > Duration::zero() &&
        now >= last_received_ + config_.enquire_link_interval) {
        const std::uint32_t seq = next_sequence();
        if (send(make_enquire_link(seq))) {
            enquire_seq_ = seq;
            enquire_sent_at_ = now;
            ++stats_.enquire_links_sent;
        }
    }
    maybe_send_unbind(now);
}

std::optional<TimePoint> Session::next_timer() const noexcept {
    if (state_ == SessionState::closed) return std::nullopt;
    std::optional<TimePoint> t;
    auto consider = [&t](TimePoint c) {
        if (!t || c < *t) t = c;
    };
    if (init_deadline_ && !is_bound(state_)) consider(*init_deadline_);
    if (auto d = window_.deadline_bound()) consider(*d);  // may be early: see window.hpp
    if (unbind_seq_) consider(unbind_deadline_);
    if (stopping_ && !unbind_seq_) consider(drain_deadline_);
    if (enquire_seq_) {
        consider(enquire_sent_at_ + config_.enquire_link_timeout);
    } else if (is_bound(state_) && config_.enquire_link_interval > Duration::zero()) {
        consider(last_received_ + config_.enquire_link_interval);
    }
    if (is_bound(state_) && config_.inactivity_timeout > Duration::zero() && !stopping_) {
        consider(last_received_ + config_.inactivity_timeout);
    }
    return t;
}

}  // namespace bindery::smpp
