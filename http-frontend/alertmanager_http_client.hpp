#pragma once
// A small blocking HTTP/1.1 client over Beast for the Keycloak directory (router::HttpTransport;
// http_client.hpp is the asynchronous one-shot client of delivery callbacks):
// http:// and https:// (OpenSSL, peer and host name verified unless configured otherwise, SNI),
// one keep-alive connection per client reused while the scheme, host and port stay the same,
// one total deadline per exchange (connect + TLS + write + read). Calls are serialised; a
// request on a reused connection that fails before any byte of the answer is retried once on a
// fresh connection.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "router/directory/http_transport.hpp"

namespace bindery::http {

struct BlockingHttpConfig {
    std::chrono::milliseconds timeout{std::chrono::seconds(10)};
    bool verify_peer = true;
    std::string ca_file;      // empty: the system trust store
    std::string server_name;  // SNI and verified name; empty: the URL's host
    std::size_t max_body = std::size_t{16} * 1024 * 1024;
    std::string user_agent = "bindery";
};

struct HttpUrl {
    bool tls = false;
    std::string host;
    std::string port;
    std::string target;  // path and query, at least "/"
};
// "http(s)://host[:port]/path?query"; IPv6 hosts in brackets. nullopt on anything else.
std::optional<HttpUrl> parse_http_url(std::string_view url);

class BlockingHttpClient final : public router::HttpTransport {
public:
    explicit BlockingHttpClient(BlockingHttpConfig config);
    ~BlockingHttpClient() override;
    BlockingHttpClient(const BlockingHttpClient&) = delete;
    BlockingHttpClient& operator=(const BlockingHttpClient&) = delete;

    // router::HttpTransport
    Expected<router::HttpReply, std::string> perform(const router::HttpExchange& request) override;

    struct State;

private:
    BlockingHttpConfig config_;
    std::mutex mutex_;
    std::unique_ptr<State> state_;
};

}  // namespace bindery::http
