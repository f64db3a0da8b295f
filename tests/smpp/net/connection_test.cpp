// Connection over real TCP on 127.0.0.1 (port 0): framing across arbitrary read boundaries,
// batching, decode errors, framing loss (generic_nack, then the close), graceful close,
// back-pressure and TLS verification.
#include "smpp/net/connection.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <memory>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "smpp/net/listener.hpp"
#include "smpp/net/net_error.hpp"
#include "tests/smpp/net/net_test_util.hpp"

namespace bindery::smpp {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using test::run_until;

class ConnectionTest : public ::testing::Test {
protected:
    void listen(ListenerConfig cfg = {}) {
        listener_ = std::make_shared<Listener>(io_.get_executor(), std::move(cfg),
                                               [this](std::shared_ptr<Connection> c) {
                                                   server_ = std::move(c);
                                                   server_->start(server_handler_);
                                               });
        listener_->start();
    }
    tcp::socket raw_connect() {
        tcp::socket s(io_);
        s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), listener_->port()));
        EXPECT_TRUE(run_until(io_, [&] { return server_ && server_handler_.ready; }));
        return s;
    }
    std::shared_ptr<Connection> client_connect(ConnectionConfig cfg = {}) {
        tcp::socket s(io_);
        s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), listener_->port()));
        auto c = std::make_shared<Connection>(std::move(s), std::move(cfg));
        c->start(client_handler_);
        EXPECT_TRUE(run_until(
            io_, [&] { return server_ && server_handler_.ready && client_handler_.ready; }));
        return c;
    }
    void TearDown() override {
        if (listener_) listener_->stop();
        if (server_) server_->detach();
    }

    asio::io_context io_;
    std::shared_ptr<Listener> listener_;
    std::shared_ptr<Connection> server_;
    test::RecordingHandler server_handler_;
    test::RecordingHandler client_handler_;
};

TEST_F(ConnectionTest, ReassemblesPdusDrippedOneOctetAtATime) {
    listen();
    auto raw = raw_connect();
    std::vector<std::uint8_t> bytes;
    for (std::uint32_t seq = 1; seq <= 3; ++seq) {
        auto one = test::encoded(make_enquire_link(seq));
        bytes.insert(bytes.end(), one.begin(), one.end());
    }
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        asio::write(raw, asio::buffer(&bytes[i], 1));
        ASSERT_TRUE(run_until(io_, [&] { return server_->stats().rx_bytes == i + 1; })) << i;
        EXPECT_EQ(server_handler_.pdus.size(), (i + 1) / 16);  // one PDU per 16 octets
    }
    ASSERT_EQ(server_handler_.pdus.size(), 3U);
    for (std::uint32_t k = 0; k < 3; ++k) {
        EXPECT_EQ(server_handler_.pdus[k].command_id, CommandId::enquire_link);
        EXPECT_EQ(server_handler_.pdus[k].sequence_number, k + 1);
    }
    EXPECT_TRUE(server_handler_.errors.empty());
}

TEST_F(ConnectionTest, DecodesManyPdusFromOneWriteAndAnswersInFewWrites) {
    listen();
    server_handler_.on_pdu_hook = [this](const Pdu& pdu) {
        ASSERT_FALSE(server_->send(make_response(pdu.header, CommandStatus::ESME_ROK)));
    };
    auto client = client_connect();
    constexpr std::uint32_t kCount = 2000;
    std::vector<std::uint8_t> bytes;
    for (std::uint32_t seq = 1; seq <= kCount; ++seq) {
        auto one = test::encoded(make_enquire_link(seq));
        bytes.insert(bytes.end(), one.begin(), one.end());
    }
    client->send_raw(bytes);
    ASSERT_TRUE(run_until(io_, [&] { return client_handler_.pdus.size() == kCount; }));
    for (std::uint32_t k = 0; k < kCount; ++k) {
        ASSERT_EQ(server_handler_.pdus[k].sequence_number, k + 1);
        ASSERT_EQ(client_handler_.pdus[k].command_id, CommandId::enquire_link_resp);
        ASSERT_EQ(client_handler_.pdus[k].sequence_number, k + 1);
    }
    EXPECT_EQ(server_->stats().tx_pdus, kCount);
    EXPECT_EQ(server_->stats().tx_bytes, kCount * 16U);
    client->detach();
}

TEST_F(ConnectionTest, HandsUpDecodeErrorsWithTheHeaderAndKeepsReading) {
    listen();
    auto raw = raw_connect();
    // Unknown command_id 0x00000077, seq 9; then a valid enquire_link.
    const std::array<std::uint8_t, 16> unknown{0, 0, 0, 16, 0, 0, 0, 0x77, 0, 0, 0, 0, 0, 0, 0, 9};
    asio::write(raw, asio::buffer(unknown));
    auto ok = test::encoded(make_enquire_link(10));
    asio::write(raw, asio::buffer(ok));
    ASSERT_TRUE(run_until(io_, [&] { return server_handler_.pdus.size() == 1; }));
    ASSERT_EQ(server_handler_.errors.size(), 1U);
    ASSERT_TRUE(server_handler_.errors[0].header.has_value());
    EXPECT_EQ(server_handler_.errors[0].header->sequence_number, 9U);
    EXPECT_EQ(server_handler_.errors[0].code, DecodeErrc::unknown_command_id);
    EXPECT_EQ(server_handler_.pdus[0].sequence_number, 10U);
    EXPECT_FALSE(server_handler_.closed.has_value());
}

// What a raw peer reads until the connection closes (call once the server side has closed: the
// octets are then in the socket buffer and the read does not block the test's io_context).
struct ReadToEnd {
    std::vector<std::uint8_t> bytes;
    boost::system::error_code end;
};
ReadToEnd read_to_end(tcp::socket& raw) {
    ReadToEnd r;
    std::array<std::uint8_t, 256> buf{};
    for (;;) {
        const auto n = raw.read_some(asio::buffer(buf), r.end);
        r.bytes.insert(r.bytes.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
        if (r.end) return r;
    }
}

// The one PDU in `bytes`, which must be a generic_nack.
void expect_generic_nack(const std::vector<std::uint8_t>& bytes, CommandStatus status,
                         std::uint32_t seq) {
    const auto scan = scan_frame(bytes);
    ASSERT_EQ(scan.status, FrameStatus::complete);
    ASSERT_EQ(scan.frame_size, bytes.size());
    const auto pdu = decode(bytes);
    ASSERT_TRUE(pdu);
    EXPECT_EQ(pdu->command_id(), CommandId::generic_nack);
    EXPECT_EQ(pdu->header.command_status, status);
    EXPECT_EQ(pdu->header.sequence_number, seq);
}

TEST_F(ConnectionTest, ClosesWhenFramingIsLost) {
    listen();
    auto raw = raw_connect();
    auto ok = test::encoded(make_enquire_link(1));
    asio::write(raw, asio::buffer(ok));
    const std::array<std::uint8_t, 8> tiny{0, 0, 0, 4, 0xde, 0xad, 0xbe, 0xef};  // length 4 < 16
    asio::write(raw, asio::buffer(tiny));
    ASSERT_TRUE(run_until(io_, [&] { return server_handler_.closed.has_value(); }));
    EXPECT_EQ(*server_handler_.closed, make_error_code(NetErrc::framing_lost));
    EXPECT_EQ(server_handler_.pdus.size(), 1U);
    // The peer reads a generic_nack (no 16-octet header to take a sequence_number from: 0), then
    // the close.
    const auto got = read_to_end(raw);
    EXPECT_TRUE(got.end == asio::error::eof || got.end == asio::error::connection_reset)
        << got.end.message();
    expect_generic_nack(got.bytes, CommandStatus::ESME_RINVCMDLEN, 0);
}

// Reference §2: an impossible command_length is answered with generic_nack ESME_RINVCMDLEN carrying
// the peer's sequence_number, and the connection is dropped after it.
TEST_F(ConnectionTest, AnswersAnImpossibleLengthWithGenericNackThenCloses) {
    struct Case {
        std::uint32_t command_length;
        std::uint32_t sequence_number;
    };
    listen();
    for (const auto c : {Case{8, 0x2A}, Case{0x7fffffff, 0x01020304}}) {
        SCOPED_TRACE(c.command_length);
        server_.reset();
        server_handler_ = {};
        auto raw = raw_connect();
        std::array<std::uint8_t, 16> header{};
        const std::uint32_t words[] = {c.command_length, 0x00000004, 0,
                                       c.sequence_number};  // submit_sm
        for (std::size_t i = 0; i < 4; ++i) {
            for (std::size_t b = 0; b < 4; ++b)
                header[i * 4 + b] = static_cast<std::uint8_t>(words[i] >> (24 - 8 * b));
        }
        asio::write(raw, asio::buffer(header));
        ASSERT_TRUE(run_until(io_, [&] { return server_handler_.closed.has_value(); }));
        EXPECT_EQ(*server_handler_.closed, make_error_code(NetErrc::framing_lost));
        EXPECT_TRUE(server_handler_.pdus.empty());
        EXPECT_EQ(server_->stats().tx_pdus, 1U);
        const auto got = read_to_end(raw);
        EXPECT_TRUE(got.end == asio::error::eof || got.end == asio::error::connection_reset)
            << got.end.message();
        expect_generic_nack(got.bytes, CommandStatus::ESME_RINVCMDLEN, c.sequence_number);
    }
}

TEST_F(ConnectionTest, RejectsOversizedCommandLength) {
    ListenerConfig cfg;
    cfg.connection.limits.max_pdu_size = 1024;
    listen(cfg);
    auto raw = raw_connect();
    const std::array<std::uint8_t, 16> huge{0, 0x10, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1};
    asio::write(raw, asio::buffer(huge));
    ASSERT_TRUE(run_until(io_, [&] { return server_handler_.closed.has_value(); }));
    EXPECT_EQ(*server_handler_.closed, make_error_code(NetErrc::framing_lost));
    expect_generic_nack(read_to_end(raw).bytes, CommandStatus::ESME_RINVCMDLEN, 1);
}

TEST_F(ConnectionTest, GracefulCloseFlushesEverythingQueued) {
    listen();
    auto client = client_connect();
    for (std::uint32_t seq = 1; seq <= 500; ++seq)
        ASSERT_FALSE(server_->send(make_enquire_link(seq)));
    server_->close();
    EXPECT_FALSE(server_->is_open());
    EXPECT_EQ(server_->send(make_enquire_link(501)), make_error_code(NetErrc::closed));
    ASSERT_TRUE(run_until(io_, [&] {
        return client_handler_.closed.has_value() && server_handler_.closed.has_value();
    }));
    EXPECT_EQ(client_handler_.pdus.size(), 500U);
    EXPECT_EQ(*client_handler_.closed, asio::error::eof);
    EXPECT_EQ(*server_handler_.closed, make_error_code(NetErrc::closed));
}

TEST_F(ConnectionTest, LargeFrameSpanningManyReadsIsReassembled) {
    listen();
    auto client = client_connect();
    // A submit_sm with a 60 000-octet message_payload: larger than the 16 KiB read chunk.
    std::vector<std::uint8_t> payload(60000, 0x41);
    TlvBuilder tlvs;
    ASSERT_TRUE(tlvs.octets(tlv_tag::message_payload, ByteView(payload)));
    SubmitSm sm;
    sm.source_addr = "100";
    sm.destination_addr = "989121234567";
    sm.tlvs = tlvs.range();
    Pdu pdu{Header{0, CommandId::submit_sm, CommandStatus::ESME_ROK, 42}, sm};
    std::size_t payload_seen = 0;
    server_handler_.on_pdu_hook = [&](const Pdu& p) {
        if (const auto* s = p.get_if<SubmitSm>()) payload_seen = s->tlvs.message_payload()->size();
    };
    ASSERT_FALSE(client->send(pdu));
    ASSERT_TRUE(run_until(io_, [&] { return server_handler_.pdus.size() == 1; }));
    EXPECT_EQ(payload_seen, payload.size());
    EXPECT_EQ(server_handler_.pdus[0].sequence_number, 42U);
    client->detach();
}

TEST_F(ConnectionTest, StopsReadingWhileTheWriteQueueIsOverItsCapAndResumes) {
    ListenerConfig cfg;
    cfg.connection.tx_high_water = 1024;
    listen(cfg);
    server_handler_.on_pdu_hook = [this](const Pdu& pdu) {
        ASSERT_FALSE(server_->send(make_response(pdu.header, CommandStatus::ESME_ROK)));
    };
    auto client = client_connect();
    constexpr std::uint32_t kCount = 4000;
    std::vector<std::uint8_t> bytes;
    for (std::uint32_t seq = 1; seq <= kCount; ++seq) {
        auto one = test::encoded(make_enquire_link(seq));
        bytes.insert(bytes.end(), one.begin(), one.end());
    }
    client->send_raw(bytes);
    ASSERT_TRUE(run_until(io_, [&] { return client_handler_.pdus.size() == kCount; }));
    EXPECT_GE(server_->stats().read_pauses, 1U);
    EXPECT_GE(server_handler_.writable, 1);
    EXPECT_EQ(server_handler_.pdus.size(), kCount);
    client->detach();
}

TEST_F(ConnectionTest, AbortReportsTheReasonOnce) {
    listen();
    auto client = client_connect();
    client->abort(make_error_code(NetErrc::link_dead));
    client->abort();
    ASSERT_TRUE(run_until(io_, [&] {
        return client_handler_.closed.has_value() && server_handler_.closed.has_value();
    }));
    EXPECT_EQ(*client_handler_.closed, make_error_code(NetErrc::link_dead));
}

// ---- TLS ---------------------------------------------------------------------------------------

TlsOptions server_tls() {
    TlsOptions t;
    t.enabled = true;
    t.verify_peer = false;  // no client certificates
    t.cert_file = BINDERY_SOURCE_DIR "/tests/smpp/net/data/server.crt";
    t.key_file = BINDERY_SOURCE_DIR "/tests/smpp/net/data/server.key";
    return t;
}

TlsOptions client_tls(std::string name) {
    TlsOptions t;
    t.enabled = true;
    t.verify_peer = true;
    t.ca_file = BINDERY_SOURCE_DIR "/tests/smpp/net/data/server.crt";
    t.server_name = std::move(name);
    return t;
}

TEST_F(ConnectionTest, TlsCarriesPdusWhenTheCertificateVerifies) {
    ListenerConfig cfg;
    cfg.tls = server_tls();
    listen(cfg);
    server_handler_.on_pdu_hook = [this](const Pdu& pdu) {
        ASSERT_FALSE(server_->send(make_response(pdu.header, CommandStatus::ESME_ROK)));
    };
    tcp::socket s(io_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), listener_->port()));
    const auto opts = client_tls("localhost");
    auto client =
        std::make_shared<Connection>(std::move(s), make_tls_context(opts, TlsRole::client),
                                     TlsRole::client, opts.server_name, ConnectionConfig{});
    client->start(client_handler_);
    ASSERT_TRUE(client->send(make_enquire_link(7)) ==
                boost::system::error_code{});  // queued before handshake
    ASSERT_TRUE(run_until(io_, [&] { return client_handler_.pdus.size() == 1; }));
    EXPECT_TRUE(client->is_tls());
    EXPECT_EQ(client_handler_.pdus[0].command_id, CommandId::enquire_link_resp);
    EXPECT_EQ(client_handler_.pdus[0].sequence_number, 7U);
    client->close();
    ASSERT_TRUE(run_until(io_, [&] {
        return client_handler_.closed.has_value() && server_handler_.closed.has_value();
    }));
}

TEST_F(ConnectionTest, TlsRefusesACertificateForAnotherName) {
    ListenerConfig cfg;
    cfg.tls = server_tls();
    listen(cfg);
    tcp::socket s(io_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), listener_->port()));
    const auto opts = client_tls("smsc.example.net");
    auto client =
        std::make_shared<Connection>(std::move(s), make_tls_context(opts, TlsRole::client),
                                     TlsRole::client, opts.server_name, ConnectionConfig{});
    client->start(client_handler_);
    ASSERT_TRUE(run_until(io_, [&] { return client_handler_.closed.has_value(); }));
    EXPECT_TRUE(*client_handler_.closed);
    EXPECT_FALSE(client_handler_.ready);
    EXPECT_TRUE(client_handler_.pdus.empty());
}

}  // namespace
}  // namespace bindery::smpp
