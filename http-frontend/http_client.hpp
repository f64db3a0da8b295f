#pragma once
// An asynchronous HTTP/1.1 client over Beast, plain TCP or TLS (SNI, certificate and host name
// verified against the system store or a CA file), with one overall deadline per request covering
// taking a connection, resolve, connect, handshake, write and read, and a cap on the response body
// kept. Delivery callbacks use it; it never throws on network input: every failure is a value in
// OutboundResult.
//
// Keep-alive: connections are kept in a pool per origin (scheme, host, port) and reused, most
// recently used first. A connection goes back to the pool only after a complete HTTP/1.1 response
// that allows it (no `Connection: close`, a Content-Length or chunked body read to its end and not
// cut by max_response_body, no error, no timeout); otherwise it is closed. While idle, a
// connection is watched: the server closing it, or idle_timeout passing, closes it at once. Bounds:
// max_idle_per_origin, max_idle_total (file descriptors) and max_origins (least recently used
// origins' connections are closed first). max_idle_per_origin = 0 opens a fresh connection per
// request and sends `Connection: close`.
//
// Stale connections: a server may close an idle connection at any moment. A request on a REUSED
// connection that fails before any response byte arrived (write error, EOF or reset while waiting
// for the answer) is sent once more on a fresh connection, within the same deadline. In a rare race
// (the server processed the request and closed before answering) the request is then delivered
// twice: delivery callbacks are at least once anyway, and receivers drop duplicates by
// X-Bindery-Event-Id. A fresh connection's failure is never retried, nor one after response bytes.
//
// Lifetime: the client may be destroyed with requests in flight (they finish, `done` still runs,
// and their connections are closed) and before or after its io_context stops; an idle connection
// is owned by its pending watch, so it never outlives the io_context.
//
//   HttpClient client(io, {});
//   client.async_request({"POST", "https://example.com/hook", {{"Content-Type",
//   "application/json"}},
//                         body, 10s},
//                        [](OutboundResult r) { ... });   // exactly once, on an io thread

#include <chrono>
#include <cstdint>
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
    std::string host;    // without brackets for IPv6 literals
    std::string port;    // "80" / "443" when absent
    std::string target;  // path and query, "/" when absent
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
    unsigned status = 0;  // 0 when no HTTP answer was read
    OutboundFailure failure = OutboundFailure::none;
    std::string error;   // what failed ("connect: Connection refused")
    std::string body;    // up to HttpClientConfig::max_response_body bytes
    double seconds = 0;  // time taken
};

struct HttpClientConfig {
    bool verify_peer = true;  // TLS: verify the certificate chain and the host name
    std::string ca_file;      // PEM; empty: the system's default paths
    std::size_t max_response_body = std::size_t{64} * 1024;
    std::string user_agent = "Bindery";
    // Keep-alive pool. 0 in any of the counts, or a zero idle_timeout, turns reuse off: one fresh
    // connection per request, sent with `Connection: close`.
    std::size_t max_idle_per_origin = 64;  // idle connections kept per origin (most recent kept)
    std::size_t max_idle_total = 256;      // idle connections kept over all origins (fds)
    std::size_t max_origins = 64;          // origins with idle connections (least recent closed)
    std::chrono::milliseconds idle_timeout{30'000};  // an idle connection older is closed
};

// Counters since the client was made (idle_connections: now).
struct HttpClientStats {
    std::uint64_t connections_opened = 0;  // TCP connections established
    std::uint64_t requests_reused = 0;     // requests sent on a kept-alive connection
    std::uint64_t stale_retries = 0;       // resent on a fresh connection after a reused one failed
    std::uint64_t idle_connections = 0;    // in the pool now
};

class ConnectionPool;

class HttpClient {
public:
    // Throws on a TLS context setup failure (unreadable CA file): a startup error.
    HttpClient(boost::asio::io_context& io, HttpClientConfig config);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Thread-safe. `done` runs exactly once, on one of the io_context's threads.
    void async_request(OutboundRequest request, std::function<void(OutboundResult)> done);

    // Thread-safe.
    [[nodiscard]] HttpClientStats stats() const;

private:
    boost::asio::io_context& io_;
    HttpClientConfig config_;
    std::shared_ptr<boost::asio::ssl::context> tls_;
    // Owned here alone: requests in flight and idle connections hold it by weak_ptr, and close
    // their connection once the client is gone.
    std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace bindery::http
