// The server over TLS with a self-signed certificate made at test time.
#include <cstdio>
#include <filesystem>
#include <thread>
#include <utility>  // before Boost.Asio: its awaitable.hpp uses std::exchange without including it (g++ 12)

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>

#include "http-frontend/server.hpp"

namespace bindery::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

// Writes a fresh self-signed certificate and key (PEM) into `dir`.
bool make_self_signed(const std::filesystem::path& dir) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    if (key == nullptr) return false;
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    bool ok = X509_sign(cert, key, EVP_sha256()) > 0;
    FILE* f = std::fopen((dir / "cert.pem").c_str(), "w");
    ok = ok && f != nullptr && PEM_write_X509(f, cert) == 1;
    if (f != nullptr) std::fclose(f);
    f = std::fopen((dir / "key.pem").c_str(), "w");
    ok = ok && f != nullptr &&
         PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    if (f != nullptr) std::fclose(f);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ok;
}

class NullGateway final : public router::GatewayApi {
public:
    std::vector<router::SubmitOutcome> submit(
        std::span<const router::SubmitRequest> batch) override {
        return std::vector<router::SubmitOutcome>(
            batch.size(), router::SubmitOutcome(Unexpected(router::SubmitError{
                              router::SubmitErrc::unavailable, "down", std::nullopt})));
    }
    Expected<router::MessageStatus, router::QueryError> status(
        const router::MessageId&, std::optional<std::string_view>) override {
        return Unexpected(router::QueryError{});
    }
    Expected<router::MessagePage, router::QueryError> list(const router::MessageQuery&) override {
        return router::MessagePage{};
    }
    router::Backpressure backpressure() const override { return {}; }
};

TEST(HttpServerTls, ServesHttpsAndRefusesPlainText) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("bindery-http-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    ASSERT_TRUE(make_self_signed(dir));

    NullGateway gateway;
    InMemoryClientRegistry clients;
    clients.add_key("k", ClientInfo{"c", {"*"}, std::nullopt});
    InMemoryIdempotencyStore idem;
    Metrics metrics;
    ReadinessRegistry readiness;
    ServerConfig cfg;
    cfg.listen_address = "127.0.0.1";
    cfg.port = 0;
    cfg.tls = TlsFiles{(dir / "cert.pem").string(), (dir / "key.pem").string()};
    cfg.tls_handshake_timeout = std::chrono::milliseconds(500);
    net::io_context io;
    HttpServer server(io, cfg, ApiDeps{gateway, clients, idem, metrics, readiness});
    server.start();
    std::thread runner([&] { io.run(); });

    {
        net::io_context cio;
        net::ssl::context ctx(net::ssl::context::tls_client);
        ctx.load_verify_file((dir / "cert.pem").string());
        ctx.set_verify_mode(net::ssl::verify_peer);
        beast::ssl_stream<beast::tcp_stream> stream(cio, ctx);
        beast::get_lowest_layer(stream).connect(
            net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
        stream.handshake(net::ssl::stream_base::client);
        for (int i = 0; i < 2; ++i) {  // keep-alive over TLS
            bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/v1/messages", 11};
            req.set(bhttp::field::host, "127.0.0.1");
            req.set(bhttp::field::authorization, "Bearer k");
            req.body() = R"({"to":"+989121234567","from":"X","text":"x"})";
            req.prepare_payload();
            bhttp::write(stream, req);
            beast::flat_buffer buf;
            bhttp::response<bhttp::string_body> res;
            bhttp::read(stream, buf, res);
            EXPECT_EQ(res.result_int(), 503U) << res.body();  // the gateway says unavailable
            EXPECT_FALSE(res["X-Request-Id"].empty());
        }
    }
    {
        // A plain-HTTP client gets no HTTP answer: the handshake fails and the server closes.
        net::io_context cio;
        net::ip::tcp::socket s(cio);
        s.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
        const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
        net::write(s, net::buffer(req));
        char buf[256];
        beast::error_code ec;
        for (;;) {
            const auto got = s.read_some(net::buffer(buf), ec);
            if (ec) break;
            ASSERT_EQ(std::string(buf, got).find("HTTP/1.1 200"), std::string::npos);
        }
        EXPECT_TRUE(ec == net::error::eof || ec == net::error::connection_reset) << ec.message();
    }
    server.stop();
    io.stop();
    runner.join();
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bindery::http
