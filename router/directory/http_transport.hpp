#pragma once
// The blocking HTTP exchange the Keycloak directory needs, as an interface: the Beast HTTP(S)
// client implementing it lives with the other Asio users (http-frontend/alertmanager_http_client),
// tests may script it. Errors are values: a transport failure is a string, an HTTP status is a
// reply.

#include <string>
#include <utility>
#include <vector>

#include "smpp/base/expected.hpp"

namespace bindery::router {

struct HttpExchange {
    std::string method = "GET";  // upper case
    std::string url;             // absolute http:// or https:// URL
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

struct HttpReply {
    unsigned status = 0;
    std::string body;
};

class HttpTransport {
public:
    virtual ~HttpTransport() = default;
    // Thread-safe. An error string for connect/TLS/timeout/protocol failures.
    virtual Expected<HttpReply, std::string> perform(const HttpExchange& request) = 0;
};

}  // namespace bindery::router
