// Fuzzes the Session engine in both roles with a script read from the input: frames from the peer
// (through scan_frame + decode, exactly as smpp/net feeds them), clock ticks, and the owner's
// calls (bind, submit, answers, unbind, close). Invariants checked (abort on violation):
//  - the outbox always holds whole, decodable PDUs;
//  - the window and the incoming queue never exceed their configured sizes;
//  - every accepted submit() is reported exactly once (result or throttled), also after close;
//  - a closed session writes nothing more and asks for no timer.
//
// Script: octet 0 = flags (bit 0 role SMSC, bit 1 adaptive rate, bits 2-3 window 1/2/4/8); then
// ops: 0 frame (2-octet length + octets), 1 tick (1 octet x 250 ms), 2 submit, 3 answer oldest
// incoming (status octet), 4 bind / accept_bind, 5 unbind, 6 reject_bind, 7 close, 8 outbind.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <set>
#include <span>
#include <vector>

#include "smpp/codec/codec.hpp"
#include "smpp/session/session.hpp"

namespace {

using namespace bindery;
using namespace bindery::smpp;

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "session invariant violated: %s\n", what);
        std::abort();
    }
}

class FuzzListener : public SessionListener {
public:
    std::set<UserTag> outstanding;
    std::deque<IncomingToken> incoming;
    bool bind_requested = false;
    bool closed = false;

    void report(UserTag tag) {
        check(outstanding.erase(tag) == 1, "submit reported twice or never submitted");
    }
    // SessionListener
    void on_bound(SessionState, std::string_view) override {}
    void on_bind_failed(BindFailure, CommandStatus) override {}
    void on_submit_result(UserTag tag, const SubmitResult&) override { report(tag); }
    void on_throttled(UserTag tag, CommandStatus, TimePoint) override { report(tag); }
    void on_incoming(IncomingToken token, const Pdu&) override { incoming.push_back(token); }
    void on_bind_request(const BindRequestView&) override { bind_requested = true; }
    void on_outbind(std::string_view, std::string_view) override {}
    void on_alert_notification(const AlertNotification&) override {}
    void on_link_dead() override {}
    void on_closed(CloseReason) override {
        check(!closed, "closed twice");
        closed = true;
    }
};

void check_outbox(Session& s) {
    auto bytes = s.take_outbox();
    std::span<const std::uint8_t> rest(bytes);
    while (!rest.empty()) {
        const FrameScan scan = scan_frame(rest);
        check(scan.status == FrameStatus::complete, "outbox holds a partial frame");
        check(decode(rest.first(scan.frame_size)).has_value(), "outbox PDU does not decode");
        rest = rest.subspan(scan.frame_size);
    }
    s.recycle(std::move(bytes));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::span<const std::uint8_t> in(data, size);
    const std::uint8_t flags = in[0];
    in = in.subspan(1);

    SessionConfig config;
    config.role = (flags & 1U) != 0 ? Role::smsc : Role::esme;
    config.adaptive_rate = (flags & 2U) != 0;
    config.window = std::size_t{1} << ((flags >> 2U) & 3U);
    config.incoming_window = 4;
    config.system_id = "fuzz";
    FuzzListener listener;
    TimePoint now{};
    Session s(config, listener, now);
    UserTag next_tag = 1;

    auto take = [&in]() -> int {
        if (in.empty()) return -1;
        const int v = in[0];
        in = in.subspan(1);
        return v;
    };

    for (int op = take(); op >= 0; op = take()) {
        switch (op % 9) {
            case 0: {  // a frame from the peer
                const int hi = take();
                const int lo = take();
                if (hi < 0 || lo < 0) break;
                std::size_t len =
                    (static_cast<std::size_t>(hi) << 8U) | static_cast<std::size_t>(lo);
                len = std::min(len, in.size());
                const auto chunk = in.first(len);
                in = in.subspan(len);
                const FrameScan scan = scan_frame(chunk);
                if (scan.status == FrameStatus::malformed) {
                    s.close(CloseReason::connection_lost);
                } else if (scan.status == FrameStatus::complete) {
                    auto pdu = decode(chunk.first(scan.frame_size));
                    if (pdu)
                        s.on_pdu(*pdu, now);
                    else
                        s.on_decode_error(pdu.error(), now);
                }
                break;
            }
            case 1: {
                const int steps = take();
                now += std::chrono::milliseconds(250) * std::max(steps, 0);
                s.on_tick(now);
                break;
            }
            case 2: {
                const UserTag tag = next_tag++;
                Body body = SubmitSm{};
                if (config.role == Role::smsc) body = DeliverSm{};
                auto r = s.submit(body, tag, now);
                if (r) listener.outstanding.insert(tag);
                break;
            }
            case 3: {
                const int status = take();
                if (listener.incoming.empty() || status < 0) break;
                const auto token = listener.incoming.front();
                listener.incoming.pop_front();
                (void)s.complete_incoming(token, static_cast<CommandStatus>(status % 0x70), "42");
                break;
            }
            case 4:
                if (config.role == Role::esme) {
                    BindParams p;
                    p.system_id = "fuzz";
                    p.password = "pw";
                    (void)s.bind(p, now);
                } else {
                    (void)s.accept_bind(now);
                }
                break;
            case 5: s.unbind(now); break;
            case 6: (void)s.reject_bind(CommandStatus::ESME_RINVPASWD, now); break;
            case 7: s.close(); break;
            case 8: (void)s.outbind("fuzz", "pw", now); break;
            default: break;
        }
        check_outbox(s);
        check(s.in_flight() <= config.window, "window overflow");
        check(s.pending_incoming() <= config.incoming_window, "incoming overflow");
        if (auto t = s.next_timer()) check(s.state() != SessionState::closed, "timer after close");
    }
    s.close();
    check_outbox(s);
    check(listener.outstanding.empty(), "a submit was never reported");
    check(listener.closed, "no on_closed");
    s.on_tick(now + std::chrono::hours(1));
    check(!s.has_output(), "closed session wrote");
    return 0;
}
