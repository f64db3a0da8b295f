// app/smpp_server_metrics: the SMPP server side's families as a scrape renders them. An
// SmppFrontend listens on 127.0.0.1 port 0; raw ESME connections bind, fail to bind and go away,
// and /metrics' text (Metrics::serialize, what GET /metrics answers) shows the bound sessions by
// account and bind type and the refused binds by reason.
#include "app/smpp_server_metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "app/smpp_frontend.hpp"
#include "smpp/net/password.hpp"
#include "tests/app/refusing_gateway.hpp"
#include "tests/smpp/net/net_test_util.hpp"

namespace bindery::app {
namespace {

namespace asio = boost::asio;
using smpp::BindType;
using smpp::CommandId;
using smpp::CommandStatus;
using ::testing::HasSubstr;
using ::testing::Not;

// One ESME connection, PDUs in and out through smpp::Connection (answers the server's unbind).
class Peer {
public:
    Peer(asio::io_context& io, std::uint16_t port) {
        asio::ip::tcp::socket s(io);
        s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        conn_ = std::make_shared<smpp::Connection>(std::move(s), smpp::ConnectionConfig{});
        handler.on_pdu_hook = [this](const smpp::Pdu& pdu) {
            if (pdu.command_id() == CommandId::unbind) {
                (void)conn_->send(
                    smpp::Pdu{smpp::Header{0, CommandId::unbind_resp, CommandStatus::ESME_ROK,
                                           pdu.header.sequence_number},
                              smpp::UnbindResp{}});
            }
        };
        conn_->start(handler);
    }
    ~Peer() { conn_->detach(); }
    Peer(const Peer&) = delete;
    Peer& operator=(const Peer&) = delete;
    smpp::Connection& conn() { return *conn_; }
    smpp::test::RecordingHandler handler;

private:
    std::shared_ptr<smpp::Connection> conn_;
};

class SmppServerMetricsTest : public ::testing::Test {
protected:
    void SetUp() override {
        SmppFrontendConfig c;
        c.server.listen.host = "127.0.0.1";
        c.server.listen.port = 0;
        smpp::ServerAccount acme;
        acme.system_id = "acme";
        acme.password_hash = smpp::hash_password("secret");
        smpp::ServerAccount feed;
        feed.system_id = "feed";
        feed.password_hash = smpp::hash_password("feedpw");
        feed.bind_types = {BindType::receiver};
        c.server.accounts = {acme, feed};
        c.accounts.emplace("acme", SmppFrontendAccount{"acme-client", {}});
        c.accounts.emplace("feed", SmppFrontendAccount{"feed-client", {}});
        frontend_ = std::make_unique<SmppFrontend>(io_.get_executor(), std::move(c), api_);
        frontend_->start();
        add_smpp_server_collector(metrics_, *frontend_);
    }
    void TearDown() override {
        frontend_->stop();  // posts the server's stop: its unbinds are answered by the live peers
        EXPECT_TRUE(run_until([&] { return bound_total() == 0; }));
        peers_.clear();
        io_.poll();
    }
    unsigned bound_total() const {
        unsigned n = 0;
        for (const auto& b : frontend_->server()->bound_sessions()) n += b.count;
        return n;
    }
    // Runs the io_context until `done` (bounded: every wait is for an event).
    template <class Pred>
    bool run_until(Pred done) {
        return smpp::test::run_until(io_, done, std::chrono::seconds(60));
    }
    Peer& connect() { return *peers_.emplace_back(std::make_unique<Peer>(io_, frontend_->port())); }
    CommandStatus bind(Peer& peer, BindType type, std::string_view system_id,
                       std::string_view password) {
        const auto fill = [&](auto b) -> smpp::Body {
            b.system_id = system_id;
            b.password = password;
            return b;
        };
        const smpp::Body body = type == BindType::transmitter ? fill(smpp::BindTransmitter{})
                                : type == BindType::receiver  ? fill(smpp::BindReceiver{})
                                                              : fill(smpp::BindTransceiver{});
        EXPECT_FALSE(peer.conn().send(smpp::Pdu{
            smpp::Header{0, smpp::bind_command(type), CommandStatus::ESME_ROK, 1}, body}));
        EXPECT_TRUE(run_until([&] { return !peer.handler.pdus.empty() || peer.handler.closed; }));
        return peer.handler.pdus.empty() ? CommandStatus::ESME_RUNKNOWNERR
                                         : peer.handler.pdus[0].command_status;
    }
    // True once a scrape has the sample line `series value`.
    bool scrape_shows(const std::string& line) {
        return run_until(
            [&] { return metrics_.serialize().find("\n" + line + "\n") != std::string::npos; });
    }

    asio::io_context io_;
    RefusingGateway api_{
        router::SubmitErrc::backlog_full};  // no message reaches it: the test only binds
    http::Metrics metrics_;
    std::unique_ptr<SmppFrontend> frontend_;
    std::vector<std::unique_ptr<Peer>> peers_;
};

TEST_F(SmppServerMetricsTest, EveryConfiguredAccountsBindTypesAndEveryReasonAreThereAtZero) {
    const auto text = metrics_.serialize();
    EXPECT_THAT(
        text,
        HasSubstr("\nbindery_smpp_server_sessions_bound{account=\"acme\",bind_type=\"trx\"} 0\n"));
    EXPECT_THAT(
        text,
        HasSubstr("\nbindery_smpp_server_sessions_bound{account=\"acme\",bind_type=\"tx\"} 0\n"));
    EXPECT_THAT(
        text,
        HasSubstr("\nbindery_smpp_server_sessions_bound{account=\"acme\",bind_type=\"rx\"} 0\n"));
    EXPECT_THAT(
        text,
        HasSubstr("\nbindery_smpp_server_sessions_bound{account=\"feed\",bind_type=\"rx\"} 0\n"));
    EXPECT_THAT(text, Not(HasSubstr("account=\"feed\",bind_type=\"tx\"")))
        << "a type outside the account's bind_types can never be bound: no series";
    for (const char* reason : {"unknown_system_id", "bad_password", "bind_type_not_allowed",
                               "max_binds", "already_bound", "invalid_pdu"}) {
        EXPECT_THAT(text, HasSubstr("\nbindery_smpp_server_bind_rejections_total{reason=\"" +
                                    std::string(reason) + "\"} 0\n"));
    }
    // The existing series are unchanged.
    EXPECT_THAT(text, HasSubstr("\nbindery_smpp_server_binds_total{result=\"accepted\"} 0\n"));
    EXPECT_THAT(text, HasSubstr("\nbindery_smpp_server_binds_total{result=\"rejected\"} 0\n"));
}

TEST_F(SmppServerMetricsTest, BoundSessionsAndRejectionsByReasonFollowTheBinds) {
    Peer& trx1 = connect();
    Peer& trx2 = connect();
    Peer& rx = connect();
    ASSERT_EQ(bind(trx1, BindType::transceiver, "acme", "secret"), CommandStatus::ESME_ROK);
    ASSERT_EQ(bind(trx2, BindType::transceiver, "acme", "secret"), CommandStatus::ESME_ROK);
    ASSERT_EQ(bind(rx, BindType::receiver, "feed", "feedpw"), CommandStatus::ESME_ROK);
    EXPECT_EQ(bind(connect(), BindType::transceiver, "acme", "nope"),
              CommandStatus::ESME_RINVPASWD);
    EXPECT_EQ(bind(connect(), BindType::transceiver, "ghost", "x"), CommandStatus::ESME_RINVSYSID);
    EXPECT_EQ(bind(connect(), BindType::transmitter, "feed", "feedpw"),
              CommandStatus::ESME_RBINDFAIL);

    auto text = metrics_.serialize();
    EXPECT_THAT(
        text,
        HasSubstr("\nbindery_smpp_server_sessions_bound{account=\"acme\",bind_type=\"trx\"} 2\n"));
    EXPECT_THAT(
        text,
        HasSubstr("\nbindery_smpp_server_sessions_bound{account=\"feed\",bind_type=\"rx\"} 1\n"));
    EXPECT_THAT(
        text,
        HasSubstr("\nbindery_smpp_server_bind_rejections_total{reason=\"bad_password\"} 1\n"));
    EXPECT_THAT(
        text,
        HasSubstr("\nbindery_smpp_server_bind_rejections_total{reason=\"unknown_system_id\"} 1\n"));
    EXPECT_THAT(
        text,
        HasSubstr(
            "\nbindery_smpp_server_bind_rejections_total{reason=\"bind_type_not_allowed\"} 1\n"));
    EXPECT_THAT(text, HasSubstr("\nbindery_smpp_server_binds_total{result=\"rejected\"} 3\n"));
    EXPECT_THAT(text, HasSubstr("\nbindery_smpp_server_binds_total{result=\"accepted\"} 3\n"));

    // One transceiver goes away abruptly; the receiver unbinds: the series stay, lower.
    trx1.conn().abort();
    ASSERT_FALSE(rx.conn().send(
        smpp::Pdu{smpp::Header{0, CommandId::unbind, CommandStatus::ESME_ROK, 2}, smpp::Unbind{}}));
    EXPECT_TRUE(
        scrape_shows("bindery_smpp_server_sessions_bound{account=\"acme\",bind_type=\"trx\"} 1"));
    EXPECT_TRUE(
        scrape_shows("bindery_smpp_server_sessions_bound{account=\"feed\",bind_type=\"rx\"} 0"));

    // The frontend stops: every session is unbound, every series is 0.
    frontend_->stop();
    EXPECT_TRUE(
        scrape_shows("bindery_smpp_server_sessions_bound{account=\"acme\",bind_type=\"trx\"} 0"));
    text = metrics_.serialize();
    EXPECT_THAT(
        text,
        HasSubstr("\nbindery_smpp_server_sessions_bound{account=\"feed\",bind_type=\"rx\"} 0\n"));
    EXPECT_THAT(text, HasSubstr("\nbindery_smpp_server_binds_total{result=\"accepted\"} 3\n"));
}

}  // namespace
}  // namespace bindery::app
