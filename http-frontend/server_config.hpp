#pragma once
// Plain configuration of the HTTP front end; the composition root fills it from YAML.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "http-frontend/api_handler.hpp"
#include "router/api/submit_batcher.hpp"

namespace bindery::http {

struct TlsFiles {
    std::string cert_file;  // PEM certificate chain
    std::string key_file;   // PEM private key
};

struct ServerConfig {
    std::string listen_address = "0.0.0.0";
    std::uint16_t port = 8080;    // 0: an ephemeral port (tests); see HttpServer::port()
    std::optional<TlsFiles> tls;  // absent: plain HTTP
    std::size_t max_connections = 1024;
    std::size_t max_header_bytes = std::size_t{16} * 1024;  // 431 above
    std::size_t max_body_bytes = std::size_t{1024} * 1024;  // 413 above
    // A connection waiting for the first byte of a request (keep-alive) is closed after
    // idle_timeout; once a request has started, its header must be complete within
    // header_timeout and its body within body_timeout, so a client dripping bytes is dropped.
    std::chrono::milliseconds idle_timeout{60'000};
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds body_timeout{30'000};
    std::chrono::milliseconds write_timeout{30'000};
    std::chrono::milliseconds tls_handshake_timeout{10'000};
    std::size_t worker_threads =
        4;  // run blocking handlers (GatewayApi::submit) off the I/O threads
    // POST /v1/messages without an Idempotency-Key is parsed on the I/O thread and its messages
    // go to the router through a SubmitBatcher (one GatewayApi::submit for many requests);
    // false: on the worker pool like every other blocking handler.
    bool async_submit = true;
    router::SubmitBatcherConfig submit_batcher;
    std::string access_logger = "http.access";  // spdlog logger name (created when missing)
    ApiConfig api;
};

}  // namespace bindery::http
