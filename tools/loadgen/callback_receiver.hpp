#pragma once
// The delivery-callback receiver of bindery-loadgen http --callbacks: an HTTP/1.1 server (Beast's
// parser, Asio) on its own io_context and thread, answering every POST `200` at once and handing
// the callback to a CallbackTracker. Built to take callbacks faster than a gateway sends them:
// keep-alive and pipelined requests, or one connection per callback (what Bindery's client does);
// sessions and their buffers are reused, the parser keeps only the three X-Bindery-* headers and
// the body, the JSON is read by SAX, and responses are one constant string.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tools/loadgen/callback_tracker.hpp"

namespace bindery::loadgen {

struct CallbackRequest;  // one parsed request (callback_receiver.cpp)

struct CallbackReceiverConfig {
    std::string host = "127.0.0.1";  // loopback unless told otherwise
    std::uint16_t port = 0;          // 0: an ephemeral port
    std::string secret;              // non-empty: verify X-Bindery-Signature
};

// http://HOST:PORT/callback for a receiver listening on `host` (an unspecified address is
// reached as the loopback one; IPv6 literals in brackets).
[[nodiscard]] std::string default_callback_url(const std::string& host, std::uint16_t port);

class CallbackReceiver {
public:
    // Binds and listens (throws std::runtime_error naming the address when it cannot); serving
    // starts with start().
    CallbackReceiver(CallbackReceiverConfig config, CallbackTracker& tracker);
    ~CallbackReceiver();
    CallbackReceiver(const CallbackReceiver&) = delete;
    CallbackReceiver& operator=(const CallbackReceiver&) = delete;

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    void start();
    // Stops serving and joins the thread (callbacks after this are refused). Idempotent.
    void stop();
    // CPU time the receiver's thread used (user + system), known after stop(): how close to its
    // limit the receiver ran (callbacks per CPU-second).
    [[nodiscard]] double cpu_seconds() const noexcept { return cpu_seconds_; }

private:
    class Session;
    void do_accept();
    void recycle(Session* s);
    // The answer to one complete request (a constant response).
    std::string_view handle_request(const CallbackRequest& r);

    CallbackReceiverConfig config_;
    CallbackTracker& tracker_;
    boost::asio::io_context io_{1};
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::vector<std::unique_ptr<Session>> sessions_;
    std::vector<Session*> free_;
    std::string scratch_;  // signature input, reused
    std::thread thread_;
    double cpu_seconds_ = 0;  // written by the thread before it ends
};

}  // namespace bindery::loadgen
