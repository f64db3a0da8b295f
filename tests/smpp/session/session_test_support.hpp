#pragma once
// Test support for Session tests: a recording listener and an outbox decoder.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "smpp/codec/decode.hpp"
#include "smpp/codec/encode.hpp"
#include "smpp/codec/frame.hpp"
#include "smpp/session/session.hpp"

namespace bindery::smpp::testing {

struct Recorded {
    std::string event;  // "bound", "bind_failed", "result", "throttled", "incoming", ...
    UserTag tag = 0;
    SubmitResult result{};
    std::string message_id;
    CommandStatus status = CommandStatus::ESME_ROK;
    TimePoint retry_at{};
    IncomingToken token{};
    CommandId command_id = CommandId::generic_nack;
    SessionState state = SessionState::closed;
    std::string text;   // peer system_id, bind system_id, ...
    std::string text2;  // password
    BindFailure failure = BindFailure::rejected;
    CloseReason reason = CloseReason::local;
    BindRefusal refusal = BindRefusal::already_bound;
};

inline Recorded ev(const char* name) {
    Recorded r;
    r.event = name;
    return r;
}

class RecordingListener : public SessionListener {
public:
    std::vector<Recorded> events;

    std::vector<Recorded> of(const std::string& name) const {
        std::vector<Recorded> out;
        for (const auto& e : events) {
            if (e.event == name) out.push_back(e);
        }
        return out;
    }

    // SessionListener
    void on_bound(SessionState state, std::string_view peer) override {
        Recorded r = ev("bound");
        r.state = state;
        r.text = std::string(peer);
        events.push_back(r);
    }
    void on_bind_failed(BindFailure f, CommandStatus s) override {
        Recorded r = ev("bind_failed");
        r.failure = f;
        r.status = s;
        events.push_back(r);
    }
    void on_submit_result(UserTag tag, const SubmitResult& result) override {
        Recorded r = ev("result");
        r.tag = tag;
        r.result = result;
        r.message_id = std::string(result.message_id);
        r.result.message_id = {};
        r.result.response = nullptr;
        r.status = result.status;
        events.push_back(r);
    }
    void on_throttled(UserTag tag, CommandStatus s, TimePoint at) override {
        Recorded r = ev("throttled");
        r.tag = tag;
        r.status = s;
        r.retry_at = at;
        events.push_back(r);
    }
    void on_incoming(IncomingToken token, const Pdu& pdu) override {
        Recorded r = ev("incoming");
        r.token = token;
        r.command_id = pdu.header.command_id;
        if (const auto* d = pdu.get_if<DeliverSm>())
            r.text = std::string(d->short_message.as_chars());
        if (const auto* s = pdu.get_if<SubmitSm>())
            r.text = std::string(s->short_message.as_chars());
        events.push_back(r);
    }
    void on_bind_request(const BindRequestView& v) override {
        Recorded r = ev("bind_request");
        r.command_id = bind_command(v.type);
        r.text = std::string(v.system_id);
        r.text2 = std::string(v.password);
        events.push_back(r);
    }
    void on_bind_refused(BindRefusal refusal, CommandStatus status) override {
        Recorded r = ev("bind_refused");
        r.refusal = refusal;
        r.status = status;
        events.push_back(r);
    }
    void on_outbind(std::string_view system_id, std::string_view password) override {
        Recorded r = ev("outbind");
        r.text = std::string(system_id);
        r.text2 = std::string(password);
        events.push_back(r);
    }
    void on_alert_notification(const AlertNotification& a) override {
        Recorded r = ev("alert");
        r.text = std::string(a.source_addr);
        events.push_back(r);
    }
    void on_link_dead() override { events.push_back(ev("link_dead")); }
    void on_closed(CloseReason reason) override {
        Recorded r = ev("closed");
        r.reason = reason;
        events.push_back(r);
    }
};

// The session's outbox, framed and decoded (the PDUs borrow from `bytes`).
struct Sent {
    std::vector<std::uint8_t> bytes;
    std::vector<Pdu> pdus;
    bool well_formed = true;
};

inline Sent drain(Session& s) {
    Sent out;
    out.bytes = s.take_outbox();
    std::span<const std::uint8_t> rest(out.bytes);
    while (!rest.empty()) {
        const FrameScan scan = scan_frame(rest);
        if (scan.status != FrameStatus::complete) {
            out.well_formed = false;
            break;
        }
        auto pdu = decode(rest.first(scan.frame_size));
        if (!pdu) {
            out.well_formed = false;
            break;
        }
        out.pdus.push_back(*pdu);
        rest = rest.subspan(scan.frame_size);
    }
    return out;
}

// A PDU as the peer would send it (header id taken from the body).
template <class B>
Pdu peer(B body, std::uint32_t seq, CommandStatus status = CommandStatus::ESME_ROK) {
    return Pdu{Header{0, B::command_id, status, seq}, Body{body}};
}

inline SubmitSm sample_submit(std::string_view text = "Hi") {
    SubmitSm s{};
    s.source_addr_ton = 1;
    s.source_addr_npi = 1;
    s.source_addr = "447700900123";
    s.dest_addr_ton = 1;
    s.dest_addr_npi = 1;
    s.destination_addr = "989121234567";
    s.registered_delivery = 1;
    s.short_message = as_bytes(text);
    return s;
}

inline SubmitSmResp submit_resp(std::string_view id) {
    SubmitSmResp r{};
    r.message_id = id;
    return r;
}

}  // namespace bindery::smpp::testing
