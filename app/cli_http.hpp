#pragma once
// The operator commands' HTTP client: one blocking request to a running instance, http:// or
// https:// (peer verified against the system store or --ca), with a deadline. Used only by the
// `bindery status|send|message|bind|dlq` commands, never by the server.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace bindery::app {

struct CliEndpoint {
    bool tls = false;
    std::string host = "127.0.0.1";
    std::string port = "8080";
    std::string ca_file;    // https: extra trust anchor (PEM)
    bool insecure = false;  // https: skip verification (testing only)
};

// "http://host:port" or "https://host[:port]"; a trailing slash is allowed; nothing else.
std::optional<CliEndpoint> parse_endpoint(const std::string& url, std::string& error);

struct CliReply {
    unsigned status = 0;  // 0: no HTTP answer (see error)
    std::string body;
    std::string error;  // connect / TLS / timeout failure
};

CliReply cli_request(const CliEndpoint& endpoint, const std::string& method,
                     const std::string& target, const std::string& bearer, const std::string& body,
                     std::chrono::milliseconds timeout);

}  // namespace bindery::app
