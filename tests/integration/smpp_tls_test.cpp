// The SMPP server side of the real `bindery serve` over TLS: a Bindery ClientBind (ESME role)
// verifying the server's certificate (a self-signed one made at test time, trusted as the CA)
// binds, submits and gets its receipt back as deliver_sm; with the wrong CA the handshake fails,
// the bind never comes up, and the gateway goes on serving.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "gateway_harness.hpp"
#include "smpp/net/client_bind.hpp"
#include "tools/kavenegar-mock/mock.hpp"

namespace bindery::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class ReceiptEsme final : public smpp::ClientBindObserver {
public:
    void on_deliver(smpp::ClientBind&, const smpp::Pdu& request, smpp::IncomingDone done) override {
        if (const auto* d = request.get_if<smpp::DeliverSm>()) {
            receipted.emplace_back(d->tlvs.receipted_message_id().value_or(""));
            texts.emplace_back(d->short_message.as_chars());
        }
        done(smpp::CommandStatus::ESME_ROK);
    }
    std::vector<std::string> receipted;
    std::vector<std::string> texts;
};

// Runs `io` until `done` or the limit.
template <class Pred>
bool run_until(boost::asio::io_context& io, Pred done, std::chrono::seconds limit = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        io.run_one_for(10ms);
        if (io.stopped()) io.restart();
    }
    return true;
}

void write_file(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

struct TlsGateway {
    TempDir dir{"bindery-smpp-tls-"};
    harness::Simulator sim{dir.path(), {"--dlr-delay", "20"}};
    std::unique_ptr<harness::Gateway> gateway;
    fs::path trusted_ca;  // the server's own certificate (self-signed, CA:TRUE)
    fs::path other_ca;    // another self-signed certificate: not the server's

    TlsGateway() {
        const auto server = mock::make_self_signed("localhost");
        const auto other = mock::make_self_signed("localhost");
        write_file(dir.path() / "server.pem", server.cert_pem);
        write_file(dir.path() / "server.key", server.key_pem);
        trusted_ca = dir.path() / "server.pem";
        other_ca = dir.path() / "other.pem";
        write_file(other_ca, other.cert_pem);
        const std::string extra = "  tls:\n    cert_file: " + (dir.path() / "server.pem").string() +
                                  "\n    key_file: " + (dir.path() / "server.key").string() +
                                  "\n  accounts:\n    - system_id: esme\n      password: secret\n"
                                  "      client: test\n";
        const auto config = harness::write_config(dir.path(), sim.port(), extra);
        gateway = std::make_unique<harness::Gateway>(dir.path(), config);
    }
};

smpp::ClientBindConfig esme_config(std::uint16_t port, const fs::path& ca_file) {
    smpp::ClientBindConfig c;
    c.name = "tls-esme";
    c.host = "127.0.0.1";
    c.port = port;
    c.system_id = "esme";
    c.password = "secret";
    c.tls.enabled = true;
    c.tls.verify_peer = true;
    c.tls.ca_file = ca_file.string();
    c.tls.server_name = "localhost";
    c.backoff.initial = 50ms;
    c.backoff.max = 200ms;
    c.backoff.bind_failure_initial = 50ms;
    c.backoff.bind_failure_max = 200ms;
    c.backoff_seed = 3;
    return c;
}

void stop(boost::asio::io_context& io, const std::shared_ptr<smpp::ClientBind>& bind) {
    bool stopped = false;
    bind->stop(200ms, [&] { stopped = true; });
    run_until(
        io, [&] { return stopped; }, 10s);
}

TEST(SmppServerTls, AVerifyingEsmeBindsSubmitsAndGetsItsReceiptOverTls) {
    TlsGateway g;
    const auto port = g.gateway->smpp_port();
    ASSERT_NE(port, 0) << g.gateway->log();

    boost::asio::io_context io;
    ReceiptEsme esme;
    auto bind = std::make_shared<smpp::ClientBind>(io.get_executor(),
                                                   esme_config(port, g.trusted_ca), &esme);
    bind->start();
    ASSERT_TRUE(run_until(io, [&] { return bind->bound(); })) << g.gateway->log();

    smpp::ShortMessageData m;
    m.source_addr_ton = 5;
    m.source_addr = "Bindery";
    m.dest_addr_ton = 1;
    m.dest_addr_npi = 1;
    m.destination_addr = "989121234567";
    m.registered_delivery = 1;
    const std::string text = "over tls";
    m.short_message.assign(text.begin(), text.end());
    std::optional<smpp::SubmitReport> report;
    bind->submit(std::move(m), [&](const smpp::SubmitReport& r) { report = r; });
    ASSERT_TRUE(run_until(io, [&] { return report.has_value(); }));
    ASSERT_TRUE(report->ok()) << smpp::to_string(report->status);
    EXPECT_EQ(report->message_id.size(), 36u);  // the router's id

    ASSERT_TRUE(run_until(
        io, [&] { return !esme.receipted.empty(); }, 60s))
        << g.gateway->log();
    EXPECT_EQ(esme.receipted.front(), report->message_id);
    EXPECT_NE(esme.texts.front().find("stat:DELIVRD"), std::string::npos) << esme.texts.front();
    stop(io, bind);
}

TEST(SmppServerTls, AnEsmeTrustingAnotherCaIsRefusedAtTheHandshakeAndTheGatewayGoesOn) {
    TlsGateway g;
    const auto port = g.gateway->smpp_port();
    ASSERT_NE(port, 0) << g.gateway->log();

    boost::asio::io_context io;
    ReceiptEsme esme;
    auto wrong =
        std::make_shared<smpp::ClientBind>(io.get_executor(), esme_config(port, g.other_ca), &esme);
    wrong->start();
    // It fails verification, gives up on that connection and tries again (backoff): never bound.
    ASSERT_TRUE(run_until(io, [&] { return wrong->stats().connects >= 3; }));
    EXPECT_EQ(wrong->stats().binds_up, 0u);
    EXPECT_FALSE(wrong->bound());
    stop(io, wrong);
    // The server saw the failed handshake and closed that connection.
    EXPECT_TRUE(eventually([&] {
        return g.gateway->log().find("tls handshake") != std::string::npos;
    })) << g.gateway->log();

    // The listener is unharmed: a correctly configured ESME binds right after.
    auto right = std::make_shared<smpp::ClientBind>(io.get_executor(),
                                                    esme_config(port, g.trusted_ca), &esme);
    right->start();
    EXPECT_TRUE(run_until(io, [&] { return right->bound(); })) << g.gateway->log();
    stop(io, right);
}

}  // namespace
}  // namespace bindery::test
