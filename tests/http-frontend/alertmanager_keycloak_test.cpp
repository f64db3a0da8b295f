// The Keycloak directory over real HTTP: BlockingHttpClient -> a fake Keycloak HTTP server on
// 127.0.0.1 (port 0) that speaks the admin REST API (tests/router/directory/fake_keycloak.hpp),
// then the whole receiver path with the store-backed cache when Keycloak goes away.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http-frontend/alertmanager_http_client.hpp"
#include "router/directory/directory_resolver.hpp"
#include "router/directory/keycloak_directory.hpp"
#include "tests/router/directory/fake_keycloak.hpp"

namespace bindery::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using bindery::testing::FakeKeycloak;
using bindery::testing::group_with_members;

// One io thread; every connection served with keep-alive until the client closes.
class FakeKeycloakServer {
public:
    explicit FakeKeycloakServer(FakeKeycloak& kc)
        : kc_(kc), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        port_ = acceptor_.local_endpoint().port();
        do_accept();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~FakeKeycloakServer() { stop(); }
    std::uint16_t port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int connections() const { return connections_; }

    void stop() {
        if (!thread_.joinable()) return;
        boost::asio::post(io_, [this] {
            beast::error_code ec;
            acceptor_.close(ec);
            for (auto& w : sockets_) {
                if (auto s = w.lock()) s->close(ec);
            }
        });
        thread_.join();
    }

private:
    struct Conn : std::enable_shared_from_this<Conn> {
        Conn(tcp::socket s, FakeKeycloak& kc) : socket(std::move(s)), kc(kc) {}
        tcp::socket socket;
        FakeKeycloak& kc;
        beast::flat_buffer buffer;
        bhttp::request<bhttp::string_body> req;
        bhttp::response<bhttp::string_body> res;

        void read() {
            req = {};
            bhttp::async_read(socket, buffer, req,
                              [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                  if (ec) return;
                                  router::HttpExchange ex;
                                  ex.method = std::string(self->req.method_string());
                                  ex.url = std::string(self->req.target());
                                  for (const auto& f : self->req)
                                      ex.headers.emplace_back(std::string(f.name_string()),
                                                              std::string(f.value()));
                                  ex.body = self->req.body();
                                  const auto reply = self->kc.handle(ex);
                                  self->res = {static_cast<bhttp::status>(reply.status), 11};
                                  self->res.set(bhttp::field::content_type, "application/json");
                                  self->res.body() = reply.body;
                                  self->res.keep_alive(self->req.keep_alive());
                                  self->res.prepare_payload();
                                  bhttp::async_write(self->socket, self->res,
                                                     [self](beast::error_code wec, std::size_t) {
                                                         if (!wec && self->res.keep_alive())
                                                             self->read();
                                                     });
                              });
        }
    };

    void do_accept() {
        acceptor_.async_accept([this](beast::error_code ec, tcp::socket s) {
            if (ec) return;
            ++connections_;
            auto c = std::make_shared<Conn>(std::move(s), kc_);
            sockets_.push_back(std::shared_ptr<tcp::socket>(c, &c->socket));
            c->read();
            do_accept();
        });
    }

    FakeKeycloak& kc_;
    boost::asio::io_context io_;
    tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::thread thread_;
    std::atomic<int> connections_{0};
    std::vector<std::weak_ptr<tcp::socket>> sockets_;
};

struct KeycloakOverHttp : ::testing::Test {
    FakeKeycloak kc;
    router::PhoneNumberNormalizer normalizer{router::PhoneNumberConfig{"IR", false}};
    TimePoint now{std::chrono::hours(1)};
    BlockingHttpClient client{[] {
        BlockingHttpConfig c;
        c.timeout = std::chrono::seconds(20);
        return c;
    }()};

    router::KeycloakConfig config(const std::string& base) {
        router::KeycloakConfig c;
        c.name = "corp";
        c.base_url = base;
        c.realm = "corp";
        c.client_id = "bindery";
        c.client_secret = "s3cret";
        c.page_size = 10;
        return c;
    }
};

TEST_F(KeycloakOverHttp, ResolvesMembersAcrossPagesOnOneKeepAliveConnection) {
    kc.groups.push_back(group_with_members("g-sre", "sre", 23));
    FakeKeycloakServer server(kc);
    router::KeycloakDirectory dir(config(server.base_url()), client, normalizer,
                                  [this] { return now; });
    auto m = dir.members("sre");
    ASSERT_TRUE(m) << m.error().detail;
    EXPECT_EQ(m->recipients.size(), 23U);
    EXPECT_EQ(m->recipients.front().phone, "+989120000000");
    EXPECT_EQ(kc.token_requests, 1);
    EXPECT_EQ(kc.search_requests, 1);
    EXPECT_EQ(kc.member_requests, 3);
    EXPECT_EQ(server.connections(), 1);
}

TEST_F(KeycloakOverHttp, RenewsAnExpiredTokenAndRecoversFromA401) {
    kc.expires_in = 40;
    kc.groups.push_back(group_with_members("g-sre", "sre", 2));
    FakeKeycloakServer server(kc);
    router::KeycloakDirectory dir(config(server.base_url()), client, normalizer,
                                  [this] { return now; });
    ASSERT_TRUE(dir.members("sre"));
    now += std::chrono::seconds(15);  // 40 - 30 s skew = 10 s of use: renewed before the call
    kc.advance(15);
    ASSERT_TRUE(dir.members("sre"));
    EXPECT_EQ(kc.token_requests, 2);
    EXPECT_EQ(kc.unauthorized, 0);
    kc.revoke_tokens();
    auto m = dir.members("sre");
    ASSERT_TRUE(m) << m.error().detail;
    EXPECT_EQ(kc.token_requests, 3);
    EXPECT_EQ(kc.unauthorized, 1);
}

TEST_F(KeycloakOverHttp, AnOutageServesTheCachedMembersAsStale) {
    kc.groups.push_back(group_with_members("g-sre", "sre", 3));
    auto server = std::make_unique<FakeKeycloakServer>(kc);
    router::KeycloakDirectory dir(config(server->base_url()), client, normalizer,
                                  [this] { return now; });
    router::InMemoryDirectoryCache cache;
    router::SystemTime wall{std::chrono::hours(1000)};
    router::DirectoryResolver resolver({{&dir, std::chrono::minutes(1)}}, cache,
                                       [&] { return wall; });
    ASSERT_EQ(resolver.resolve("sre").source, router::MembersSource::live);

    server.reset();  // Keycloak is gone: connection refused
    wall += std::chrono::minutes(2);
    auto r = resolver.resolve("sre");
    EXPECT_EQ(r.source, router::MembersSource::stale);
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code, router::DirectoryErrc::unavailable);
    EXPECT_EQ(r.members.recipients.size(), 3U);
}

TEST(HttpUrl, ParsesSchemesPortsAndIpv6Hosts) {
    auto a = parse_http_url("https://sso.example.com/realms/x?y=1");
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->tls);
    EXPECT_EQ(a->host, "sso.example.com");
    EXPECT_EQ(a->port, "443");
    EXPECT_EQ(a->target, "/realms/x?y=1");
    auto b = parse_http_url("http://[::1]:8081");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->host, "::1");
    EXPECT_EQ(b->port, "8081");
    EXPECT_EQ(b->target, "/");
    EXPECT_FALSE(parse_http_url("ftp://x"));
    EXPECT_FALSE(parse_http_url("http://user@host/"));
    EXPECT_FALSE(parse_http_url("http://host:99999999/"));
    EXPECT_FALSE(parse_http_url("http:///path"));
}

TEST(BlockingHttpClient, ReportsConnectionFailuresAsValues) {
    BlockingHttpConfig c;
    c.timeout = std::chrono::seconds(5);
    BlockingHttpClient client(c);
    // A port that was free a moment ago.
    boost::asio::io_context io;
    tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const auto port = a.local_endpoint().port();
    a.close();
    auto r = client.perform({"GET", "http://127.0.0.1:" + std::to_string(port) + "/", {}, ""});
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error(), ::testing::HasSubstr("connect"));
    EXPECT_FALSE(client.perform({"GET", "nonsense", {}, ""}));
}

}  // namespace
}  // namespace bindery::http
