#pragma once
// A blocking HTTP/1.1 client on one keep-alive connection (plain TCP), enough for the soak: send a
// request, read the status line, headers and a Content-Length body; reconnect when the server
// closed. Not thread-safe: one per worker thread.

#include <cstdint>
#include <string>

namespace bindery::soak {

struct HttpResult {
    int status = 0;  // 0: no answer (connect failed, connection lost, timeout)
    std::string body;
};

class HttpClient {
public:
    HttpClient(std::string host, std::uint16_t port, int timeout_seconds = 30);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // `headers`: extra header lines, each ending in "\r\n".
    HttpResult request(const std::string& method, const std::string& target,
                       const std::string& headers = {}, const std::string& body = {});
    std::uint64_t reconnects() const noexcept { return reconnects_; }

private:
    bool ensure_connected();
    void disconnect();
    bool read_response(HttpResult& out, bool& keep_alive);

    std::string host_;
    std::uint16_t port_;
    int timeout_seconds_;
    int fd_ = -1;
    std::string buffer_;  // bytes read past the previous response
    std::uint64_t reconnects_ = 0;
};

}  // namespace bindery::soak
