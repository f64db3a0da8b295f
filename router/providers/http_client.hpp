#pragma once
// HttpClient: an asynchronous HTTP/1.1 client for one origin (scheme, host, port) on Beast + Asio
// SSL, shared by the HTTP providers (Kavenegar, generic HTTP). Keeps a pool of keep-alive
// connections (at most `max_connections` open at once, which is also the number of requests in
// flight), queues requests beyond that (bounded), verifies the server certificate and host name
// (system trust store, a CA file or CA PEM text from config), and bounds every exchange with a
// deadline. A request that fails on a reused connection before any response byte arrived (the
// server closed an idle keep-alive connection) is sent once more on a fresh connection.
//
// Threading: request()/stop() may be called from any thread; everything else runs on a strand of
// the executor given. `done` is called exactly once, on that strand (never inside request()).
// Errors are values (HttpError), never exceptions; create() reports a bad TLS setup (unreadable CA
// file) as an error string.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "smpp/base/clock.hpp"
#include "smpp/base/expected.hpp"

namespace bindery::router {

struct Url {
    bool tls = false;  // https
    std::string host;
    std::uint16_t port = 0;
    std::string target = "/";  // path and query, as given (already encoded)
};
// http:// and https:// URLs with an optional port; IPv6 hosts in brackets. No user info.
[[nodiscard]] Expected<Url, std::string> parse_url(std::string_view url);
// RFC 3986 percent-encoding of everything but unreserved characters (ALPHA DIGIT - . _ ~);
// form_encode() uses it for application/x-www-form-urlencoded values.
[[nodiscard]] std::string percent_encode(std::string_view text);
[[nodiscard]] std::string form_encode(
    const std::vector<std::pair<std::string, std::string>>& fields);
// The URL with anything between "/v1/" style path secrets hidden is the caller's business; this
// replaces every occurrence of `secret` with "***" (log lines, error texts).
[[nodiscard]] std::string redact(std::string text, std::string_view secret);

struct HttpClientTls {
    bool verify = true;       // verify the chain and the host name
    std::string ca_file;      // PEM file of trusted CAs; empty (and no ca_pem) = system store
    std::string ca_pem;       // PEM text of trusted CAs (tests, embedded config)
    std::string server_name;  // SNI and verification name; empty = the URL's host
};

struct HttpClientConfig {
    Url origin;  // scheme, host, port (the target is ignored)
    HttpClientTls tls;
    std::size_t max_connections = 4;                      // open connections = requests in flight
    std::size_t max_queue = 10'000;                       // requests waiting for a connection
    Duration connect_timeout = std::chrono::seconds(10);  // resolve + connect + TLS handshake
    Duration request_timeout = std::chrono::seconds(10);  // write request + read response
    Duration idle_timeout = std::chrono::seconds(30);  // keep-alive connections older are dropped
    std::size_t max_response_bytes = std::size_t{8} * 1024 * 1024;
    std::string user_agent = "bindery";
};

struct HttpRequest {
    std::string method = "POST";  // upper case
    std::string target = "/";     // path and query
    std::vector<std::pair<std::string, std::string>> headers;
    std::string content_type;  // empty = none (no body)
    std::string body;
};

struct HttpResponse {
    unsigned status = 0;
    std::string body;
    std::string content_type;
};

enum class HttpErrorKind : std::uint8_t {
    resolve,     // host name did not resolve
    connect,     // TCP connect refused / unreachable
    tls,         // handshake failed (certificate not trusted, name mismatch, protocol)
    timeout,     // connect or request deadline passed
    io,          // connection lost while writing or reading; response malformed
    queue_full,  // more than max_queue requests waiting
    stopped,     // the client was stopped
};
[[nodiscard]] std::string_view to_string(HttpErrorKind k) noexcept;

struct HttpError {
    HttpErrorKind kind = HttpErrorKind::io;
    std::string text;
    bool sent = false;  // the request may have reached the server (written, no full response)
};

using HttpResult = Expected<HttpResponse, HttpError>;

struct HttpClientStats {
    std::uint64_t requests = 0;
    std::uint64_t responses = 0;
    std::uint64_t errors = 0;
    std::uint64_t connections_opened = 0;
    std::uint64_t connections_reused = 0;  // requests sent on a kept-alive connection
    std::uint64_t retried_stale = 0;       // resent after a reused connection was found closed
};

class HttpClient {
public:
    static Expected<std::unique_ptr<HttpClient>, std::string> create(
        const boost::asio::any_io_executor& executor, HttpClientConfig config);
    ~HttpClient();  // stop()
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    void request(HttpRequest request, std::function<void(HttpResult)> done);
    // Fails queued and in-flight requests with `stopped` and closes every connection.
    void stop();

    [[nodiscard]] HttpClientStats stats() const;
    [[nodiscard]] std::size_t in_flight() const;  // any thread
    [[nodiscard]] std::size_t queued() const;     // any thread
    const HttpClientConfig& config() const noexcept;

    struct Impl;

private:
    explicit HttpClient(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> impl_;  // shared with its connections' completion handlers
};

}  // namespace bindery::router
