#pragma once
// An asynchronous HTTP/1.1 client over Beast: one request per connection (Connection: close),
// plain TCP or TLS (SNI, certificate and host name verified against the system store or a CA
// file), one overall deadline per request covering resolve, connect, handshake, write and read,
// and a cap on the response body kept. Delivery callbacks use it; it never throws on network
// input: every failure is a value in OutboundResult.
//
//   HttpClient client(io, {});
//   client.async_request({"POST", "https://example.com/hook", {{"Content-Type", "application/json"}},
//                         body, 10s},
//                        [](OutboundResult r) { ... });   // exactly once, on an io thread

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

namespace bindery::http {

struct ParsedUrl {
    bool tls = false;
    std::string host;       // without brackets for IPv6 literals
    std::string port;       // "80" / "443" when absent
    std::string target;     // path and query, "/" when absent
};
// http:// or https:// URLs with a host; no user info, no fragment. nullopt otherwise.
std::optional<ParsedUrl> parse_url(std::string_view url);

struct OutboundRequest {
    std::string method = "POST";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::chrono::milliseconds timeout{10'000};
};

enum class OutboundFailure : std::uint8_t { none, timeout, network, bad_url };

struct OutboundResult {
    unsigned status = 0;                  // 0 when no HTTP answer was read
    OutboundFailure failure = OutboundFailure::none;
    std::string error;                    // what failed ("connect: Connection refused")
    std::string body;                     // up to HttpClientConfig::max_response_body bytes
    double seconds = 0;                   // time taken
};

struct HttpClientConfig {
    bool verify_peer = true;              // TLS: verify the certificate chain and the host name
    std::string ca_file;                  // PEM; empty: the system's default paths
    std::size_t max_response_body = 64 * 1024;
    std::string user_agent = "Bindery";
};

class HttpClient {
public:
    // Throws on a TLS context setup failure (unreadable CA file): a startup error.
    HttpClient(boost::asio::io_context& io, HttpClientConfig config);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Thread-safe. `done` runs exactly once, on one of the io_context's threads.
    void async_request(OutboundRequest request, std::function<void(OutboundResult)> done);

private:
    boost::asio::io_context& io_;
    HttpClientConfig config_;
    std::shared_ptr<boost::asio::ssl::context> tls_;
};

}  // namespace bindery::http
