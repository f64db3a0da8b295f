#include "tools/soak/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <utility>

namespace bindery::soak {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

}  // namespace

HttpClient::HttpClient(std::string host, std::uint16_t port, int timeout_seconds)
    : host_(std::move(host)), port_(port), timeout_seconds_(timeout_seconds) {}

HttpClient::~HttpClient() { disconnect(); }

void HttpClient::disconnect() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buffer_.clear();
}

bool HttpClient::ensure_connected() {
    if (fd_ >= 0) return true;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    if (::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1 ||
        ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return false;
    }
    timeval tv{timeout_seconds_, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fd_ = fd;
    ++reconnects_;
    return true;
}

HttpResult HttpClient::request(const std::string& method, const std::string& target,
                               const std::string& headers, const std::string& body) {
    // One retry on a fresh connection when a kept-alive one turns out closed before any answer.
    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool reused = fd_ >= 0;
        if (!ensure_connected()) return {};
        std::string request =
            method + " " + target + " HTTP/1.1\r\nHost: " + host_ + "\r\n" + headers;
        if (!body.empty()) {
            request +=
                "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\n";
        }
        request += "\r\n";
        request += body;
        std::size_t sent = 0;
        bool ok = true;
        while (sent < request.size()) {
            const auto n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) {
                ok = false;
                break;
            }
            sent += static_cast<std::size_t>(n);
        }
        HttpResult out;
        bool keep_alive = true;
        if (ok && read_response(out, keep_alive)) {
            if (!keep_alive) disconnect();
            return out;
        }
        disconnect();
        if (!reused) return {};
    }
    return {};
}

bool HttpClient::read_response(HttpResult& out, bool& keep_alive) {
    char chunk[16384];
    auto fill = [&]() {
        const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0) return false;
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    };
    std::size_t head_end = std::string::npos;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
        if (buffer_.size() > std::size_t{64} * 1024 || !fill()) return false;
    }
    const std::string head = buffer_.substr(0, head_end);
    if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12) return false;
    out.status = std::atoi(head.substr(9, 3).c_str());
    std::size_t length = 0;
    keep_alive = true;
    std::size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos < head.size()) {
        const auto next = head.find("\r\n", pos + 2);
        const auto line =
            head.substr(pos + 2, (next == std::string::npos ? head.size() : next) - pos - 2);
        const auto colon = line.find(':');
        if (colon != std::string::npos) {
            const auto name = lower(line.substr(0, colon));
            auto value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            if (name == "content-length") length = std::strtoull(value.c_str(), nullptr, 10);
            if (name == "connection" && lower(value) == "close") keep_alive = false;
        }
        pos = next;
    }
    const std::size_t body_start = head_end + 4;
    while (buffer_.size() < body_start + length) {
        if (!fill()) return false;
    }
    out.body = buffer_.substr(body_start, length);
    buffer_.erase(0, body_start + length);
    return true;
}

}  // namespace bindery::soak
