#include "smpp/net/session_link.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "smpp/base/log_field.hpp"
#include "smpp/codec/dump.hpp"
#include "smpp/net/net_error.hpp"

namespace bindery::smpp {

using boost::system::error_code;

SessionLink::SessionLink(std::shared_ptr<Connection> connection, const SessionConfig& config,
                         SessionListener& events, LinkOwner& owner)
    : connection_(std::move(connection)),
      session_(config, *this, Clock::now()),
      events_(&events),
      owner_(&owner),
      timer_(connection_->get_executor()) {}

SessionLink::~SessionLink() { connection_->detach(); }

void SessionLink::start() { connection_->start(*this); }

void SessionLink::detach() {
    events_ = nullptr;
    owner_ = nullptr;
    timer_.cancel();
    if (session_.state() != SessionState::closed) session_.close(CloseReason::local);
    connection_->detach();
    connection_->abort();
}

void SessionLink::set_wakeup(std::optional<TimePoint> at) {
    wakeup_ = at;
    arm_timer();
}

void SessionLink::flush() {
    if (flushing_) return;
    flushing_ = true;
    if (session_.has_output()) {
        auto out = session_.take_outbox();
        connection_->send_raw(out);
        out.clear();
        session_.recycle(std::move(out));
    }
    flushing_ = false;
    if (session_.state() == SessionState::closed) {
        timer_.cancel();
        armed_for_.reset();
        if (!closing_socket_) {
            closing_socket_ = true;
            connection_->close();  // writes what is queued (unbind_resp, generic_nack), then closes
        }
        return;
    }
    arm_timer();
}

void SessionLink::arm_timer() {
    if (down_ || session_.state() == SessionState::closed) return;
    auto next = session_.next_timer();
    if (wakeup_ && (!next || *wakeup_ < *next)) next = wakeup_;
    if (next == armed_for_) return;
    armed_for_ = next;
    if (!next) {
        timer_.cancel();
        return;
    }
    timer_.expires_at(*next);
    timer_.async_wait([self = shared_from_this()](const error_code& ec) { self->on_timer(ec); });
}

void SessionLink::on_timer(const error_code& ec) {
    if (ec || down_) return;  // cancelled: a newer deadline was armed
    armed_for_.reset();
    const auto now = Clock::now();
    session_.on_tick(now);
    if (wakeup_ && *wakeup_ <= now) {
        wakeup_.reset();
        if (owner_) owner_->on_link_wakeup(*this, now);
    }
    flush();
}

// ---- ConnectionHandler -------------------------------------------------------------------------

void SessionLink::on_connection_ready(TimePoint now) {
    if (owner_) owner_->on_link_ready(*this, now);
    flush();
}

void SessionLink::on_pdu(const Pdu& pdu, TimePoint now) {
    session_.on_pdu(pdu, now);
    flush();
}

void SessionLink::on_decode_error(const DecodeError& error, TimePoint now) {
    if (spdlog::should_log(spdlog::level::debug)) {
        spdlog::debug("smpp.net undecodable PDU bind={} error={}", connection_->name(),
                      log_value(dump(error)));
    }
    session_.on_decode_error(error, now);
    flush();
}

void SessionLink::on_writable() {
    if (owner_) owner_->on_link_writable(*this);
}

void SessionLink::on_closed(const error_code& ec) {
    if (down_) return;
    down_ = true;
    timer_.cancel();
    if (session_.state() != SessionState::closed) session_.close(CloseReason::connection_lost);
    if (owner_) owner_->on_link_down(*this, ec);
}

// ---- SessionListener ---------------------------------------------------------------------------

void SessionLink::on_bound(SessionState state, std::string_view peer_system_id) {
    if (events_) events_->on_bound(state, peer_system_id);
}
void SessionLink::on_bind_failed(BindFailure failure, CommandStatus status) {
    if (events_) events_->on_bind_failed(failure, status);
}
void SessionLink::on_submit_result(UserTag tag, const SubmitResult& result) {
    if (events_) events_->on_submit_result(tag, result);
}
void SessionLink::on_throttled(UserTag tag, CommandStatus status, TimePoint retry_at) {
    if (events_) events_->on_throttled(tag, status, retry_at);
}
void SessionLink::on_incoming(IncomingToken token, const Pdu& request) {
    if (events_) {
        events_->on_incoming(token, request);
    } else {
        session_.complete_incoming(token, CommandStatus::ESME_RSYSERR);
    }
}
void SessionLink::on_bind_request(const BindRequestView& request) {
    if (events_) {
        events_->on_bind_request(request);
    } else {
        session_.reject_bind(CommandStatus::ESME_RSYSERR, Clock::now());
    }
}
void SessionLink::on_bind_refused(BindRefusal refusal, CommandStatus status) {
    if (events_) events_->on_bind_refused(refusal, status);
}
void SessionLink::on_outbind(std::string_view system_id, std::string_view password) {
    if (events_) events_->on_outbind(system_id, password);
}
void SessionLink::on_alert_notification(const AlertNotification& alert) {
    if (events_) events_->on_alert_notification(alert);
}
void SessionLink::on_link_dead() {
    spdlog::warn("smpp.net link dead, enquire_link unanswered bind={}", connection_->name());
    if (events_) events_->on_link_dead();
}
void SessionLink::on_closed(CloseReason reason) {
    spdlog::info("smpp.net session closed bind={} reason={}", connection_->name(),
                 to_string(reason));
    if (events_) events_->on_closed(reason);
}

}  // namespace bindery::smpp
