// SmppServer (through the simulator, which is built on it) seen from raw sockets and ClientBind:
// malformed input, authentication, deliveries that wait for a bind, password hashing.
#include "smpp/net/smpp_server.hpp"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "smpp/net/client_bind.hpp"
#include "smpp/net/password.hpp"
#include "tests/smpp/net/net_test_util.hpp"
#include "tools/smsc-sim/simulator.hpp"

namespace bindery::smpp {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using std::chrono::milliseconds;
using test::run_until;

TEST(Password, VerifiesOnlyTheRightPasswordAndRejectsMalformedHashes) {
    const auto h = hash_password("s3cret");
    EXPECT_EQ(h.rfind("sha256:", 0), 0U);
    EXPECT_TRUE(verify_password(h, "s3cret"));
    EXPECT_FALSE(verify_password(h, "s3cret "));
    EXPECT_FALSE(verify_password(h, ""));
    EXPECT_NE(hash_password("s3cret"), h);  // fresh salt each time
    EXPECT_EQ(hash_password("pw", "salt"), hash_password("pw", "salt"));
    EXPECT_FALSE(verify_password("", "s3cret"));
    EXPECT_FALSE(verify_password("sha256:zz:00", "s3cret"));
    EXPECT_FALSE(verify_password("md5:00:00", "s3cret"));
    EXPECT_FALSE(verify_password(h.substr(0, h.size() - 2), "s3cret"));
}

TEST(Password, AcceptsTheUnsaltedConfigurationForm) {
    // printf %s s3cret | sha256sum
    const std::string h = "sha256:1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0";
    const auto salted_empty = hash_password("s3cret", "");  // "sha256::<digest>"
    const auto unsalted = "sha256:" + salted_empty.substr(8);
    EXPECT_TRUE(verify_password(unsalted, "s3cret"));
    EXPECT_FALSE(verify_password(unsalted, "s3cre"));
    EXPECT_EQ(unsalted, h);
    EXPECT_TRUE(verify_password(h, "s3cret"));
    EXPECT_FALSE(verify_password(h, "wrong"));
    EXPECT_FALSE(
        verify_password("sha256:" + salted_empty.substr(8, 62), "s3cret"));  // short digest
}

class RawPeer {
public:
    RawPeer(asio::io_context& io, std::uint16_t port) : conn_(nullptr) {
        tcp::socket s(io);
        s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        conn_ = std::make_shared<Connection>(std::move(s), ConnectionConfig{});
        conn_->start(handler);
    }
    ~RawPeer() { conn_->detach(); }
    Connection& conn() { return *conn_; }
    test::RecordingHandler handler;

private:
    std::shared_ptr<Connection> conn_;
};

class SmppServerTest : public ::testing::Test {
protected:
    void start_sim(sim::SimConfig cfg = {}) {
        cfg.host = "127.0.0.1";
        cfg.port = 0;
        sim_ = std::make_shared<sim::SmscSimulator>(io_.get_executor(), std::move(cfg));
        sim_->start();
    }
    void TearDown() override {
        if (sim_) sim_->stop();
        run_until(
            io_, [&] { return sim_->server().connections() == 0; }, std::chrono::seconds(3));
    }
    asio::io_context io_;
    std::shared_ptr<sim::SmscSimulator> sim_;
};

Pdu bind_pdu(std::uint32_t seq, std::string_view sys, std::string_view pw) {
    BindTransceiver b;
    b.system_id = sys;
    b.password = pw;
    return Pdu{Header{0, CommandId::bind_transceiver, CommandStatus::ESME_ROK, seq}, b};
}

TEST_F(SmppServerTest, AnswersGarbageWithGenericNackAndSurvives) {
    start_sim();
    RawPeer peer(io_, sim_->port());
    ASSERT_TRUE(run_until(io_, [&] { return peer.handler.ready; }));
    // Unknown command id -> generic_nack ESME_RINVCMDID with the same sequence number.
    const std::array<std::uint8_t, 16> unknown{0, 0, 0, 16, 0, 0, 0, 0x77, 0, 0, 0, 0, 0, 0, 0, 5};
    peer.conn().send_raw(unknown);
    // submit_sm whose body is cut short -> submit_sm_resp with an error status (not bound: any
    // error status is acceptable, the point is an answer with seq 6).
    const std::array<std::uint8_t, 20> truncated{0, 0, 0, 20, 0, 0, 0,   4,   0,   0,
                                                 0, 0, 0, 0,  0, 6, 'a', 'b', 'c', 'd'};
    peer.conn().send_raw(truncated);
    ASSERT_TRUE(
        run_until(io_, [&] { return peer.handler.pdus.size() >= 2 || peer.handler.closed; }));
    ASSERT_GE(peer.handler.pdus.size(), 2U);
    EXPECT_EQ(peer.handler.pdus[0].command_id, CommandId::generic_nack);
    EXPECT_EQ(peer.handler.pdus[0].command_status, CommandStatus::ESME_RINVCMDID);
    EXPECT_EQ(peer.handler.pdus[0].sequence_number, 5U);
    EXPECT_EQ(peer.handler.pdus[1].sequence_number, 6U);
    EXPECT_NE(peer.handler.pdus[1].command_status, CommandStatus::ESME_ROK);
    // A command_length under 16: framing is lost, the server closes this connection only.
    const std::array<std::uint8_t, 8> tiny{0, 0, 0, 3, 1, 2, 3, 4};
    peer.conn().send_raw(tiny);
    ASSERT_TRUE(run_until(io_, [&] { return peer.handler.closed.has_value(); }));
    // The server still binds new clients.
    RawPeer next(io_, sim_->port());
    ASSERT_FALSE(next.conn().send(bind_pdu(1, "esme", "pw")));
    ASSERT_TRUE(run_until(io_, [&] { return !next.handler.pdus.empty(); }));
    EXPECT_EQ(next.handler.pdus[0].command_id, CommandId::bind_transceiver_resp);
    EXPECT_EQ(next.handler.pdus[0].command_status, CommandStatus::ESME_ROK);
}

TEST_F(SmppServerTest, SubmitBeforeBindIsRefusedWithInvalidBindStatus) {
    start_sim();
    RawPeer peer(io_, sim_->port());
    SubmitSm sm;
    sm.destination_addr = "1";
    ASSERT_FALSE(
        peer.conn().send(Pdu{Header{0, CommandId::submit_sm, CommandStatus::ESME_ROK, 3}, sm}));
    ASSERT_TRUE(run_until(io_, [&] { return !peer.handler.pdus.empty(); }));
    EXPECT_EQ(peer.handler.pdus[0].command_id, CommandId::submit_sm_resp);
    EXPECT_EQ(peer.handler.pdus[0].command_status, CommandStatus::ESME_RINVBNDSTS);
    EXPECT_EQ(sim_->counters().submits, 0U);
}

TEST_F(SmppServerTest, PeerUnbindIsAnsweredBeforeTheConnectionCloses) {
    start_sim();
    RawPeer peer(io_, sim_->port());
    ASSERT_FALSE(peer.conn().send(bind_pdu(1, "esme", "pw")));
    ASSERT_FALSE(peer.conn().send(make_unbind(2)));
    ASSERT_TRUE(run_until(io_, [&] { return peer.handler.closed.has_value(); }));
    ASSERT_EQ(peer.handler.pdus.size(), 2U);
    EXPECT_EQ(peer.handler.pdus[1].command_id, CommandId::unbind_resp);
    EXPECT_EQ(peer.handler.pdus[1].sequence_number, 2U);
    EXPECT_EQ(*peer.handler.closed, asio::error::eof);
}

TEST_F(SmppServerTest, WrongPasswordAndUnknownSystemIdGetTheirStatuses) {
    sim::SimConfig cfg;
    cfg.accounts = {{"alice", "secret"}};
    start_sim(cfg);
    RawPeer peer(io_, sim_->port());
    ASSERT_FALSE(peer.conn().send(bind_pdu(1, "alice", "nope")));
    ASSERT_FALSE(peer.conn().send(bind_pdu(2, "bob", "secret")));
    ASSERT_FALSE(peer.conn().send(bind_pdu(3, "alice", "secret")));
    ASSERT_TRUE(run_until(io_, [&] { return peer.handler.pdus.size() == 3; }));
    EXPECT_EQ(peer.handler.pdus[0].command_status, CommandStatus::ESME_RINVPASWD);
    EXPECT_EQ(peer.handler.pdus[1].command_status, CommandStatus::ESME_RINVSYSID);
    EXPECT_EQ(peer.handler.pdus[2].command_status, CommandStatus::ESME_ROK);
    EXPECT_EQ(sim_->server().bound("alice"), 1U);
}

TEST_F(SmppServerTest, ThrottlesPastTheAccountThroughput) {
    sim::SimConfig cfg;
    cfg.throttle_tps = 1;
    cfg.throttle_burst = 2;
    start_sim(cfg);
    RawPeer peer(io_, sim_->port());
    ASSERT_FALSE(peer.conn().send(bind_pdu(1, "esme", "pw")));
    SubmitSm sm;
    sm.destination_addr = "989121234567";
    for (std::uint32_t seq = 2; seq < 7; ++seq) {
        ASSERT_FALSE(peer.conn().send(
            Pdu{Header{0, CommandId::submit_sm, CommandStatus::ESME_ROK, seq}, sm}));
    }
    ASSERT_TRUE(run_until(io_, [&] { return peer.handler.pdus.size() == 6; }));
    int ok = 0, throttled = 0;
    for (std::size_t i = 1; i < 6; ++i) {
        if (peer.handler.pdus[i].command_status == CommandStatus::ESME_ROK) ++ok;
        if (peer.handler.pdus[i].command_status == CommandStatus::ESME_RTHROTTLED) ++throttled;
    }
    EXPECT_EQ(ok, 2);
    EXPECT_EQ(throttled, 3);
}

TEST_F(SmppServerTest, DeliveriesWaitForAReceiverBind) {
    start_sim();
    std::optional<DeliverReport> report;
    ShortMessageData mo;
    mo.source_addr = "989121234567";
    mo.destination_addr = "3000";
    const std::string text = "queued MO";
    mo.short_message.assign(text.begin(), text.end());
    sim_->server().deliver("late-esme", mo, [&](const DeliverReport& r) { report = r; });
    EXPECT_FALSE(run_until(
        io_, [&] { return report.has_value(); }, milliseconds(100)));

    struct Obs : ClientBindObserver {
        int delivered = 0;
        void on_deliver(ClientBind&, const Pdu&, IncomingDone done) override {
            ++delivered;
            done(CommandStatus::ESME_ROK);
        }
    } obs;
    ClientBindConfig c;
    c.host = "127.0.0.1";
    c.port = sim_->port();
    c.system_id = "late-esme";
    c.password = "x";
    c.bind_type = BindType::receiver;
    auto bind = std::make_shared<ClientBind>(io_.get_executor(), c, &obs);
    bind->start();
    ASSERT_TRUE(run_until(io_, [&] { return report.has_value(); }));
    EXPECT_TRUE(report->delivered);
    EXPECT_EQ(obs.delivered, 1);
    // A receiver bind cannot submit.
    std::optional<SubmitReport> sr;
    bind->submit(mo, [&](const SubmitReport& r) { sr = r; });
    ASSERT_TRUE(sr.has_value());
    EXPECT_EQ(sr->refusal, Refusal::not_allowed);
    bool stopped = false;
    bind->stop(milliseconds(200), [&] { stopped = true; });
    ASSERT_TRUE(run_until(io_, [&] { return stopped; }));
}

// bind_types: a bind of a type the account may not make is refused with ESME_RBINDFAIL after the
// password check (a wrong password still gets ESME_RINVPASWD) and counted in binds_rejected; the
// allowed type binds. Real TCP, an SmppServer of its own.
TEST(SmppServerBindTypes, ABindOfATypeNotInTheAccountsBindTypesIsRefusedWithBindFail) {
    struct AcceptAll final : SubmitHandler {
        void on_submit(const SubmitOrigin&, const Pdu&, SubmitResponder respond) override {
            respond(CommandStatus::ESME_ROK, "1");
        }
    } handler;
    asio::io_context io;
    SmppServerConfig config;
    config.listen.host = "127.0.0.1";
    config.listen.port = 0;
    ServerAccount sender;
    sender.system_id = "sender";
    sender.password_hash = hash_password("pw");
    sender.bind_types = {BindType::transmitter};
    ServerAccount receiver;
    receiver.system_id = "receiver";
    receiver.password_hash = hash_password("pw");
    receiver.bind_types = {BindType::receiver, BindType::transceiver};
    config.accounts = {sender, receiver};
    auto server = std::make_shared<SmppServer>(io.get_executor(), config, handler);
    server->start();

    const auto bind_as = [&](BindType type, std::string_view system_id, std::string_view password) {
        RawPeer peer(io, server->port());
        const auto fill = [&](auto b) -> Body {
            b.system_id = system_id;
            b.password = password;
            return b;
        };
        const Body body = type == BindType::transmitter ? fill(BindTransmitter{})
                          : type == BindType::receiver  ? fill(BindReceiver{})
                                                        : fill(BindTransceiver{});
        EXPECT_FALSE(
            peer.conn().send(Pdu{Header{0, bind_command(type), CommandStatus::ESME_ROK, 1}, body}));
        EXPECT_TRUE(
            run_until(io, [&] { return !peer.handler.pdus.empty() || peer.handler.closed; }));
        if (peer.handler.pdus.empty()) return CommandStatus::ESME_RUNKNOWNERR;
        EXPECT_EQ(peer.handler.pdus[0].command_id, response_id_for(bind_command(type)));
        return peer.handler.pdus[0].command_status;
    };

    EXPECT_EQ(bind_as(BindType::receiver, "sender", "pw"), CommandStatus::ESME_RBINDFAIL);
    EXPECT_EQ(bind_as(BindType::transceiver, "sender", "pw"), CommandStatus::ESME_RBINDFAIL);
    EXPECT_EQ(bind_as(BindType::receiver, "sender", "wrong"), CommandStatus::ESME_RINVPASWD);
    EXPECT_EQ(bind_as(BindType::transmitter, "sender", "pw"), CommandStatus::ESME_ROK);
    EXPECT_EQ(bind_as(BindType::transmitter, "receiver", "pw"), CommandStatus::ESME_RBINDFAIL);
    EXPECT_EQ(bind_as(BindType::receiver, "receiver", "pw"), CommandStatus::ESME_ROK);
    EXPECT_EQ(bind_as(BindType::transceiver, "receiver", "pw"), CommandStatus::ESME_ROK);
    EXPECT_EQ(server->stats().binds_rejected, 4U);
    EXPECT_EQ(server->stats().binds_accepted, 3U);
    server->stop();
    io.poll();
}

TEST_F(SmppServerTest, QueryCancelAndReplaceGetTheHandlersDefaultRefusals) {
    // The simulator keeps SubmitHandler::on_query's default: it keeps no messages to address.
    start_sim();
    RawPeer peer(io_, sim_->port());
    ASSERT_FALSE(peer.conn().send(bind_pdu(1, "esme", "pw")));
    ASSERT_TRUE(run_until(io_, [&] { return !peer.handler.pdus.empty(); }));
    ASSERT_EQ(peer.handler.pdus[0].command_status, CommandStatus::ESME_ROK);
    QuerySm q;
    q.message_id = "1";
    CancelSm c;
    c.message_id = "1";
    ReplaceSm r;
    r.message_id = "1";
    ASSERT_FALSE(
        peer.conn().send(Pdu{Header{0, CommandId::query_sm, CommandStatus::ESME_ROK, 2}, q}));
    ASSERT_FALSE(
        peer.conn().send(Pdu{Header{0, CommandId::cancel_sm, CommandStatus::ESME_ROK, 3}, c}));
    ASSERT_FALSE(
        peer.conn().send(Pdu{Header{0, CommandId::replace_sm, CommandStatus::ESME_ROK, 4}, r}));
    ASSERT_TRUE(
        run_until(io_, [&] { return peer.handler.pdus.size() >= 4 || peer.handler.closed; }));
    ASSERT_EQ(peer.handler.pdus.size(), 4U);
    EXPECT_EQ(peer.handler.pdus[1].command_id, CommandId::query_sm_resp);
    EXPECT_EQ(peer.handler.pdus[1].command_status, CommandStatus::ESME_RQUERYFAIL);
    EXPECT_EQ(peer.handler.pdus[2].command_id, CommandId::cancel_sm_resp);
    EXPECT_EQ(peer.handler.pdus[2].command_status, CommandStatus::ESME_RCANCELFAIL);
    EXPECT_EQ(peer.handler.pdus[3].command_id, CommandId::replace_sm_resp);
    EXPECT_EQ(peer.handler.pdus[3].command_status, CommandStatus::ESME_RREPLACEFAIL);
    EXPECT_EQ(sim_->server().stats().queries, 3U);
}

// ---- bound sessions now and bind rejections by reason (the server's observability) ------------

// A server of its own over real loopback TCP, with three accounts: alpha (any bind type, 3 binds),
// beta (transmitter only), gamma (one bind). Peers bind with raw PDUs and answer unbind.
class SmppServerSessions : public ::testing::Test {
protected:
    struct AcceptAll final : SubmitHandler {
        void on_submit(const SubmitOrigin&, const Pdu&, SubmitResponder respond) override {
            respond(CommandStatus::ESME_ROK, "1");
        }
    };
    void SetUp() override {
        SmppServerConfig config;
        config.listen.host = "127.0.0.1";
        config.listen.port = 0;
        ServerAccount alpha;
        alpha.system_id = "alpha";
        alpha.password_hash = hash_password("pa");
        alpha.max_binds = 3;
        ServerAccount beta;
        beta.system_id = "beta";
        beta.password_hash = hash_password("pb");
        beta.bind_types = {BindType::transmitter};
        ServerAccount gamma;
        gamma.system_id = "gamma";
        gamma.password_hash = hash_password("pg");
        gamma.max_binds = 1;
        gamma.bind_types = {BindType::transceiver};
        config.accounts = {alpha, beta, gamma};
        server_ = std::make_shared<SmppServer>(io_.get_executor(), config, handler_);
        server_->start();
    }
    void TearDown() override {
        server_->stop();
        EXPECT_TRUE(run_until(
            io_, [&] { return server_->connections() == 0; }, std::chrono::seconds(60)));
        peers_.clear();  // after stop(): they answer its unbind
    }
    // A peer that answers the server's unbind (so stop() completes without waiting for timeouts);
    // it lives until the end of the test.
    RawPeer& connect() {
        auto& p = peers_.emplace_back(std::make_unique<RawPeer>(io_, server_->port()));
        p->handler.on_pdu_hook = [raw = p.get()](const Pdu& pdu) {
            if (pdu.command_id() == CommandId::unbind) {
                (void)raw->conn().send(
                    Pdu{Header{0, CommandId::unbind_resp, CommandStatus::ESME_ROK,
                               pdu.header.sequence_number},
                        UnbindResp{}});
            }
        };
        return *p;
    }
    // Sends a bind on `peer` and returns the status of its response (ESME_RUNKNOWNERR: none came).
    CommandStatus bind(RawPeer& peer, BindType type, std::string_view system_id,
                       std::string_view password, std::uint32_t seq = 1) {
        const auto fill = [&](auto b) -> Body {
            b.system_id = system_id;
            b.password = password;
            return b;
        };
        const Body body = type == BindType::transmitter ? fill(BindTransmitter{})
                          : type == BindType::receiver  ? fill(BindReceiver{})
                                                        : fill(BindTransceiver{});
        const auto before = peer.handler.pdus.size();
        EXPECT_FALSE(peer.conn().send(
            Pdu{Header{0, bind_command(type), CommandStatus::ESME_ROK, seq}, body}));
        EXPECT_TRUE(run_until(
            io_, [&] { return peer.handler.pdus.size() > before || peer.handler.closed; },
            std::chrono::seconds(60)));
        if (peer.handler.pdus.size() <= before) return CommandStatus::ESME_RUNKNOWNERR;
        EXPECT_EQ(peer.handler.pdus[before].command_id, response_id_for(bind_command(type)));
        EXPECT_EQ(peer.handler.pdus[before].sequence_number, seq);
        return peer.handler.pdus[before].command_status;
    }
    // -1: no entry for (account, type).
    long bound(std::string_view account, BindType type) const {
        for (const auto& b : server_->bound_sessions()) {
            if (b.account == account && b.type == type) return static_cast<long>(b.count);
        }
        return -1;
    }
    unsigned total_bound() const {
        unsigned n = 0;
        for (const auto& b : server_->bound_sessions()) n += b.count;
        return n;
    }
    std::uint64_t rejected(BindRejectReason r) const {
        return server_->stats().binds_rejected_by[static_cast<std::size_t>(r)];
    }

    asio::io_context io_;
    AcceptAll handler_;
    std::shared_ptr<SmppServer> server_;
    std::vector<std::unique_ptr<RawPeer>> peers_;
};

TEST_F(SmppServerSessions, EveryConfiguredAccountAndBindTypeStartsAtZero) {
    const auto all = server_->bound_sessions();
    ASSERT_EQ(all.size(), 5U) << "alpha: tx, rx, trx; beta: tx; gamma: trx";
    EXPECT_EQ(bound("alpha", BindType::transmitter), 0);
    EXPECT_EQ(bound("alpha", BindType::receiver), 0);
    EXPECT_EQ(bound("alpha", BindType::transceiver), 0);
    EXPECT_EQ(bound("beta", BindType::transmitter), 0);
    EXPECT_EQ(bound("beta", BindType::receiver), -1) << "not in beta's bind_types: no series";
    EXPECT_EQ(bound("gamma", BindType::transceiver), 0);
    EXPECT_EQ(to_string(BindRejectReason::bind_type_not_allowed), "bind_type_not_allowed");
    EXPECT_EQ(bind_type_label(BindType::transceiver), "trx");
    EXPECT_EQ(bind_type_label(BindType::transmitter), "tx");
    EXPECT_EQ(bind_type_label(BindType::receiver), "rx");
}

TEST_F(SmppServerSessions, BoundSessionsCountByAccountAndTypeAndReturnToZeroOnUnbindCloseAndStop) {
    RawPeer& a1 = connect();
    RawPeer& a2 = connect();
    RawPeer& a3 = connect();
    RawPeer& b1 = connect();
    ASSERT_EQ(bind(a1, BindType::transceiver, "alpha", "pa"), CommandStatus::ESME_ROK);
    ASSERT_EQ(bind(a2, BindType::transceiver, "alpha", "pa"), CommandStatus::ESME_ROK);
    ASSERT_EQ(bind(a3, BindType::receiver, "alpha", "pa"), CommandStatus::ESME_ROK);
    ASSERT_EQ(bind(b1, BindType::transmitter, "beta", "pb"), CommandStatus::ESME_ROK);
    // Counted when the bind_resp is sent: the peer has it, so the count is there already.
    EXPECT_EQ(bound("alpha", BindType::transceiver), 2);
    EXPECT_EQ(bound("alpha", BindType::receiver), 1);
    EXPECT_EQ(bound("alpha", BindType::transmitter), 0);
    EXPECT_EQ(bound("beta", BindType::transmitter), 1);
    EXPECT_EQ(server_->bound("alpha"), 3U) << "the same figure as the strand-only view";

    // The ESME unbinds: its session is gone once the server closes the connection.
    ASSERT_FALSE(
        a1.conn().send(Pdu{Header{0, CommandId::unbind, CommandStatus::ESME_ROK, 2}, Unbind{}}));
    ASSERT_TRUE(run_until(
        io_, [&] { return bound("alpha", BindType::transceiver) == 1; }, std::chrono::seconds(60)));
    EXPECT_EQ(bound("alpha", BindType::receiver), 1);

    // An abrupt TCP close (no unbind).
    a3.conn().abort();
    ASSERT_TRUE(run_until(
        io_, [&] { return bound("alpha", BindType::receiver) == 0; }, std::chrono::seconds(60)));
    EXPECT_EQ(bound("alpha", BindType::transceiver), 1);
    EXPECT_EQ(bound("beta", BindType::transmitter), 1);

    // The server stops: it unbinds the rest (the peers answer), and every series stays, at 0.
    server_->stop();
    ASSERT_TRUE(run_until(
        io_, [&] { return server_->connections() == 0; }, std::chrono::seconds(60)));
    EXPECT_EQ(total_bound(), 0U);
    EXPECT_EQ(server_->bound_sessions().size(), 5U);
    EXPECT_EQ(bound("alpha", BindType::transceiver), 0);
    EXPECT_EQ(bound("beta", BindType::transmitter), 0);
    EXPECT_EQ(server_->stats().binds_accepted, 4U);
    EXPECT_EQ(server_->stats().binds_rejected, 0U);
}

// Exactly once per session: connections that send a bind and close at once (the server may see
// the close before or after it binds them) must not take away a bound session that stays.
TEST_F(SmppServerSessions, ConnectionsClosingDuringTheBindExchangeLeaveTheOthersCounted) {
    RawPeer& stays = connect();
    ASSERT_EQ(bind(stays, BindType::transceiver, "alpha", "pa"), CommandStatus::ESME_ROK);
    for (int i = 0; i < 6; ++i) {
        RawPeer& gone = connect();
        BindTransmitter b;
        b.system_id = "alpha";
        b.password = "pa";
        ASSERT_FALSE(gone.conn().send(
            Pdu{Header{0, CommandId::bind_transmitter, CommandStatus::ESME_ROK, 1}, b}));
        if (i % 2 == 0) {
            // Let the bind reach the server for some of them.
            (void)run_until(
                io_, [&] { return !gone.handler.pdus.empty() || gone.handler.closed; },
                std::chrono::seconds(60));
        }
        gone.conn().abort();
    }
    ASSERT_TRUE(run_until(
        io_, [&] { return server_->connections() == 1; }, std::chrono::seconds(60)));
    EXPECT_EQ(bound("alpha", BindType::transceiver), 1);
    EXPECT_EQ(bound("alpha", BindType::transmitter), 0);
    EXPECT_EQ(total_bound(), 1U);
    EXPECT_EQ(server_->bound("alpha"), 1U);
    // The account is not left full by the sessions that are gone: two more binds fit in max_binds.
    RawPeer& again1 = connect();
    RawPeer& again2 = connect();
    EXPECT_EQ(bind(again1, BindType::transmitter, "alpha", "pa"), CommandStatus::ESME_ROK);
    EXPECT_EQ(bind(again2, BindType::transmitter, "alpha", "pa"), CommandStatus::ESME_ROK);
    EXPECT_EQ(bound("alpha", BindType::transmitter), 2);
}

TEST_F(SmppServerSessions, RejectedBindsAreCountedByReasonAndSumToBindsRejected) {
    // unknown_system_id, bad_password, bind_type_not_allowed: the server's own checks.
    {
        RawPeer& p = connect();
        EXPECT_EQ(bind(p, BindType::transceiver, "nobody", "pa"), CommandStatus::ESME_RINVSYSID);
        EXPECT_EQ(bind(p, BindType::transceiver, "alpha", "wrong", 2),
                  CommandStatus::ESME_RINVPASWD);
        EXPECT_EQ(bind(p, BindType::receiver, "beta", "pb", 3), CommandStatus::ESME_RBINDFAIL);
        // A wrong password for a type the account may not make is a wrong password (checked first).
        EXPECT_EQ(bind(p, BindType::receiver, "beta", "wrong", 4), CommandStatus::ESME_RINVPASWD);
    }
    EXPECT_EQ(rejected(BindRejectReason::unknown_system_id), 1U);
    EXPECT_EQ(rejected(BindRejectReason::bad_password), 2U);
    EXPECT_EQ(rejected(BindRejectReason::bind_type_not_allowed), 1U);

    // max_binds: gamma allows one.
    RawPeer& g1 = connect();
    RawPeer& g2 = connect();
    ASSERT_EQ(bind(g1, BindType::transceiver, "gamma", "pg"), CommandStatus::ESME_ROK);
    EXPECT_EQ(bind(g2, BindType::transceiver, "gamma", "pg"), CommandStatus::ESME_RBINDFAIL);
    EXPECT_EQ(rejected(BindRejectReason::max_binds), 1U);

    // already_bound: a second bind on a bound connection (refused by the session).
    EXPECT_EQ(bind(g1, BindType::transceiver, "gamma", "pg", 2), CommandStatus::ESME_RALYBND);
    EXPECT_EQ(rejected(BindRejectReason::already_bound), 1U);
    EXPECT_EQ(bound("gamma", BindType::transceiver), 1) << "the bound session is not disturbed";

    // invalid_pdu: a bind_transmitter whose password is over 9 octets (the decoder refuses it).
    RawPeer& bad = connect();
    std::vector<std::uint8_t> body = {'a', 'l', 'p', 'h', 'a', 0};
    for (int i = 0; i < 12; ++i) body.push_back('p');
    body.insert(body.end(), {0, 0, 0x34, 0, 0, 0});
    std::vector<std::uint8_t> frame = {
        0, 0, 0, static_cast<std::uint8_t>(16 + body.size()), 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 9};
    frame.insert(frame.end(), body.begin(), body.end());
    bad.conn().send_raw(frame);
    ASSERT_TRUE(run_until(
        io_, [&] { return !bad.handler.pdus.empty() || bad.handler.closed; },
        std::chrono::seconds(60)));
    ASSERT_FALSE(bad.handler.pdus.empty());
    EXPECT_EQ(bad.handler.pdus[0].command_id, CommandId::bind_transmitter_resp);
    EXPECT_EQ(bad.handler.pdus[0].sequence_number, 9U);
    EXPECT_NE(bad.handler.pdus[0].command_status, CommandStatus::ESME_ROK);
    EXPECT_EQ(rejected(BindRejectReason::invalid_pdu), 1U);

    const auto s = server_->stats();
    std::uint64_t sum = 0;
    for (const auto n : s.binds_rejected_by) sum += n;
    EXPECT_EQ(s.binds_rejected, sum);
    EXPECT_EQ(s.binds_rejected, 7U);
    EXPECT_EQ(s.binds_accepted, 1U);
    EXPECT_EQ(total_bound(), 1U);
}

// accept_any (the simulator's mode): an account made at its first bind gets its series then, and
// keeps it at 0 once its sessions are gone.
TEST(SmppServerSessionsAcceptAny, AnAccountMadeByItsFirstBindKeepsItsSeriesAtZero) {
    struct Handler final : SubmitHandler {
        void on_submit(const SubmitOrigin&, const Pdu&, SubmitResponder respond) override {
            respond(CommandStatus::ESME_ROK, "1");
        }
    } handler;
    asio::io_context io;
    SmppServerConfig config;
    config.listen.host = "127.0.0.1";
    config.listen.port = 0;
    config.accept_any = true;
    auto server = std::make_shared<SmppServer>(io.get_executor(), config, handler);
    server->start();
    EXPECT_TRUE(server->bound_sessions().empty());
    {
        RawPeer peer(io, server->port());
        ASSERT_FALSE(peer.conn().send(bind_pdu(1, "anyone", "x")));
        ASSERT_TRUE(run_until(
            io, [&] { return !peer.handler.pdus.empty(); }, std::chrono::seconds(60)));
        ASSERT_EQ(peer.handler.pdus[0].command_status, CommandStatus::ESME_ROK);
        const auto all = server->bound_sessions();
        ASSERT_EQ(all.size(), 1U);
        EXPECT_EQ(all[0].account, "anyone");
        EXPECT_EQ(all[0].type, BindType::transceiver);
        EXPECT_EQ(all[0].count, 1U);
        peer.conn().abort();
    }
    ASSERT_TRUE(run_until(
        io, [&] { return server->connections() == 0; }, std::chrono::seconds(60)));
    const auto all = server->bound_sessions();
    ASSERT_EQ(all.size(), 1U);
    EXPECT_EQ(all[0].count, 0U);
    server->stop();
    io.poll();
}

}  // namespace
}  // namespace bindery::smpp
