#pragma once
// A bare ESME on a TCP socket of the test's io_context, for the PDUs ClientBind does not send
// (query_sm, cancel_sm, replace_sm): one request at a time, each answer read before the next.
// Every wait is bounded (run_until's limit).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "smpp/codec/decode.hpp"
#include "smpp/codec/encode.hpp"

namespace bindery::app::esme_test {

// Runs the io_context (and `also`) until `done` or the limit.
template <class Pred, class Also>
bool run_io_until(boost::asio::io_context& io, Pred done, Also also,
                  std::chrono::seconds limit = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        io.run_one_for(std::chrono::milliseconds(5));
        if (io.stopped()) io.restart();
        also();
    }
    return true;
}

struct RawAnswer {
    smpp::CommandStatus status = smpp::CommandStatus::ESME_RSYSERR;
    std::string message_id;  // submit_sm_resp, query_sm_resp
    std::string final_date;  // query_sm_resp
    std::uint8_t message_state = 0;
    std::uint8_t error_code = 0;
};

class RawEsme {
public:
    // `also` runs between io steps (e.g. the router's poll).
    RawEsme(
        boost::asio::io_context& io, std::function<void()> also = [] {})
        : io_(io), socket_(io), also_(std::move(also)) {}

    bool connect(std::uint16_t port) {
        bool done = false;
        boost::system::error_code result;
        socket_.async_connect({boost::asio::ip::make_address("127.0.0.1"), port},
                              [&](const boost::system::error_code& ec) {
                                  result = ec;
                                  done = true;
                              });
        return wait([&] { return done; }) && !result;
    }

    std::optional<RawAnswer> bind_transceiver(std::string system_id, std::string password) {
        smpp::BindTransceiver b;
        b.system_id = system_id;
        b.password = password;
        return call(b, smpp::CommandId::bind_transceiver_resp);
    }
    std::optional<RawAnswer> submit_sm(std::string source, std::uint8_t dest_ton,
                                       std::string destination, std::string text,
                                       std::string schedule_delivery_time = {}) {
        smpp::SubmitSm s;
        s.schedule_delivery_time = schedule_delivery_time;
        s.source_addr_ton = 5;
        s.source_addr = source;
        s.dest_addr_ton = dest_ton;
        s.dest_addr_npi = 1;
        s.destination_addr = destination;
        s.short_message = smpp::as_bytes(text);
        return call(s, smpp::CommandId::submit_sm_resp);
    }
    std::optional<RawAnswer> query_sm(std::string message_id, std::string source) {
        smpp::QuerySm q;
        q.message_id = message_id;
        q.source_addr_ton = 5;
        q.source_addr = source;
        return call(q, smpp::CommandId::query_sm_resp);
    }
    std::optional<RawAnswer> cancel_sm(std::string message_id, std::string source,
                                       std::string destination) {
        smpp::CancelSm c;
        c.message_id = message_id;
        c.source_addr_ton = 5;
        c.source_addr = source;
        c.dest_addr_ton = 1;
        c.dest_addr_npi = 1;
        c.destination_addr = destination;
        return call(c, smpp::CommandId::cancel_sm_resp);
    }
    std::optional<RawAnswer> replace_sm(std::string message_id, std::string source,
                                        std::string text) {
        smpp::ReplaceSm r;
        r.message_id = message_id;
        r.source_addr_ton = 5;
        r.source_addr = source;
        r.short_message = smpp::as_bytes(text);
        return call(r, smpp::CommandId::replace_sm_resp);
    }

private:
    template <class Body>
    std::optional<RawAnswer> call(const Body& body, smpp::CommandId response) {
        const smpp::Pdu pdu{
            smpp::Header{0, Body::command_id, smpp::CommandStatus::ESME_ROK, ++sequence_}, body};
        if (!send(pdu)) return std::nullopt;
        for (int skipped = 0; skipped < 16; ++skipped) {  // enquire_link and the like are skipped
            if (!read_frame()) return std::nullopt;
            auto got = smpp::decode(frame_);
            if (!got) return std::nullopt;
            if (got->header.command_id != response) continue;
            RawAnswer a;
            a.status = got->header.command_status;
            if (const auto* s = got->get_if<smpp::SubmitSmResp>())
                a.message_id = std::string(s->message_id);
            if (const auto* q = got->get_if<smpp::QuerySmResp>()) {
                a.message_id = std::string(q->message_id);
                a.final_date = std::string(q->final_date);
                a.message_state = q->message_state;
                a.error_code = q->error_code;
            }
            return a;
        }
        return std::nullopt;
    }
    bool send(const smpp::Pdu& pdu) {
        std::vector<std::uint8_t> out;
        if (smpp::encode(pdu, out)) return false;
        bool done = false;
        boost::system::error_code result;
        boost::asio::async_write(socket_, boost::asio::buffer(out),
                                 [&](const boost::system::error_code& ec, std::size_t) {
                                     result = ec;
                                     done = true;
                                 });
        return wait([&] { return done; }) && !result;
    }
    bool read_frame() {
        frame_.assign(4, 0);
        if (!read_into(0, 4)) return false;
        const std::uint32_t length = (std::uint32_t{frame_[0]} << 24) |
                                     (std::uint32_t{frame_[1]} << 16) |
                                     (std::uint32_t{frame_[2]} << 8) | std::uint32_t{frame_[3]};
        if (length < 16 || length > 64 * 1024) return false;
        frame_.resize(length);
        return read_into(4, length - 4);
    }
    bool read_into(std::size_t offset, std::size_t n) {
        bool done = false;
        boost::system::error_code result;
        boost::asio::async_read(socket_, boost::asio::buffer(frame_.data() + offset, n),
                                [&](const boost::system::error_code& ec, std::size_t) {
                                    result = ec;
                                    done = true;
                                });
        return wait([&] { return done; }) && !result;
    }
    template <class Pred>
    bool wait(Pred done) {
        return run_io_until(io_, done, also_);
    }

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::socket socket_;
    std::function<void()> also_;
    std::vector<std::uint8_t> frame_;
    std::uint32_t sequence_ = 0;
};

}  // namespace bindery::app::esme_test
