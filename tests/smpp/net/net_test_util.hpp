#pragma once
// Helpers for the net tests: drive an io_context on the test thread until a condition holds (no
// sleeps: every wait is for an event, bounded by a timeout), and a handler that records what a
// Connection hands up.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

#include "smpp/codec/codec.hpp"
#include "smpp/net/connection.hpp"
#include "smpp/net/message.hpp"

namespace bindery::smpp::test {

// Runs `io` until `done()` is true or `timeout` passes; returns done().
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (io.stopped()) io.restart();
    while (!done()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        io.run_one_for(std::min<std::chrono::steady_clock::duration>(
            deadline - now, std::chrono::milliseconds(50)));
        if (io.stopped()) io.restart();
    }
    return true;
}

struct ReceivedPdu {
    CommandId command_id{};
    CommandStatus command_status{};
    std::uint32_t sequence_number = 0;
};

class RecordingHandler : public ConnectionHandler {
public:
    std::vector<ReceivedPdu> pdus;
    std::vector<DecodeError> errors;
    std::optional<boost::system::error_code> closed;
    bool ready = false;
    int writable = 0;
    std::function<void(const Pdu&)> on_pdu_hook;  // e.g. answer each request
    std::function<void(const DecodeError&)> on_error_hook;

    void on_connection_ready(TimePoint) override { ready = true; }
    void on_pdu(const Pdu& pdu, TimePoint) override {
        pdus.push_back({pdu.command_id(), pdu.header.command_status, pdu.header.sequence_number});
        if (on_pdu_hook) on_pdu_hook(pdu);
    }
    void on_decode_error(const DecodeError& error, TimePoint) override {
        errors.push_back(error);
        if (on_error_hook) on_error_hook(error);
    }
    void on_writable() override { ++writable; }
    void on_closed(const boost::system::error_code& ec) override { closed = ec; }
};

// A submit from "Bindery" (alphanumeric) to 989121234567 carrying `text`.
inline ShortMessageData message(std::string text, std::uint8_t registered_delivery = 1) {
    ShortMessageData m;
    m.source_addr_ton = 5;
    m.source_addr = "Bindery";
    m.dest_addr_ton = 1;
    m.dest_addr_npi = 1;
    m.destination_addr = "989121234567";
    m.registered_delivery = registered_delivery;
    m.short_message.assign(text.begin(), text.end());
    return m;
}

inline std::vector<std::uint8_t> encoded(const Pdu& pdu) {
    std::vector<std::uint8_t> out;
    [[maybe_unused]] auto ec = encode(pdu, out);
    return out;
}

}  // namespace bindery::smpp::test
