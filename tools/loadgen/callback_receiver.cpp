#include "tools/loadgen/callback_receiver.hpp"

#include <time.h>

#include <charconv>
#include <optional>
#include <stdexcept>
#include <string_view>

#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

namespace bindery::loadgen {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr std::string_view kOk = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
constexpr std::string_view kOkClose =
    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
constexpr std::string_view kNotAllowed =
    "HTTP/1.1 405 Method Not Allowed\r\nAllow: POST\r\nContent-Length: 0\r\nConnection: "
    "close\r\n\r\n";
constexpr std::string_view kBadRequest =
    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
constexpr std::size_t kReadSize = std::size_t{16} * 1024;
constexpr std::size_t kMaxBody = 1 << 20;

}  // namespace

// One request as the receiver needs it. Reused: assign() keeps the capacity.
struct CallbackRequest {
    bool post = false;
    std::string event_id;
    std::string signature;
    unsigned attempt = 0;
    std::string body;

    void clear() {
        post = false;
        event_id.clear();
        signature.clear();
        attempt = 0;
        body.clear();
    }
};

namespace {

// Beast's HTTP/1.1 request parser with callbacks that keep only what a callback needs: no field
// container, no body object per request.
class CallbackParser final : public bhttp::basic_parser<true> {
public:
    explicit CallbackParser(CallbackRequest& out) : out_(out) { out_.clear(); }

private:
    void on_request_impl(bhttp::verb method, beast::string_view, beast::string_view, int,
                         beast::error_code&) override {
        out_.post = method == bhttp::verb::post;
    }
    void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}
    void on_field_impl(bhttp::field, beast::string_view name, beast::string_view value,
                       beast::error_code&) override {
        if (name.size() < 10 || !beast::iequals(name.substr(0, 10), "X-Bindery-")) return;
        const auto rest = name.substr(10);
        if (beast::iequals(rest, "Event-Id")) {
            out_.event_id.assign(value.data(), value.size());
        } else if (beast::iequals(rest, "Signature")) {
            out_.signature.assign(value.data(), value.size());
        } else if (beast::iequals(rest, "Attempt")) {
            unsigned n = 0;
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec == std::errc{} && end == value.data() + value.size()) out_.attempt = n;
        }
    }
    void on_header_impl(beast::error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                           beast::error_code&) override {
        if (length && *length <= kMaxBody) out_.body.reserve(static_cast<std::size_t>(*length));
    }
    std::size_t on_body_impl(beast::string_view s, beast::error_code&) override {
        out_.body.append(s.data(), s.size());
        return s.size();
    }
    void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view s,
                                   beast::error_code&) override {
        out_.body.append(s.data(), s.size());
        return s.size();
    }
    void on_finish_impl(beast::error_code&) override {}

    CallbackRequest& out_;
};

}  // namespace

// One connection: read, parse every complete request in the buffer (pipelining), answer them in
// one write, read again; one operation outstanding at a time. Reused for the next connection.
class CallbackReceiver::Session {
public:
    explicit Session(CallbackReceiver& owner) : owner_(owner), socket_(owner.io_) {}

    tcp::socket& socket() { return socket_; }

    void start() {
        buffer_.clear();
        out_.clear();
        parser_.reset();
        close_after_write_ = false;
        boost::system::error_code ignored;
        socket_.set_option(tcp::no_delay(true), ignored);
        do_read();
    }

private:
    void do_read() {
        socket_.async_read_some(
            buffer_.prepare(kReadSize),
            [this](const boost::system::error_code& ec, std::size_t n) { on_read(ec, n); });
    }

    void on_read(const boost::system::error_code& ec, std::size_t n) {
        if (ec) return end();
        buffer_.commit(n);
        process();
    }

    void process() {
        while (buffer_.size() > 0 && !close_after_write_) {
            if (!parser_) {
                parser_.emplace(request_);
                parser_->eager(true);
                parser_->header_limit(16 * 1024);
                parser_->body_limit(kMaxBody);
            }
            beast::error_code ec;
            const auto used = parser_->put(buffer_.data(), ec);
            buffer_.consume(used);
            if (ec == bhttp::error::need_more) break;
            if (ec) {
                out_.append(kBadRequest);
                close_after_write_ = true;
                break;
            }
            if (!parser_->is_done()) {
                if (used == 0) break;
                continue;
            }
            const bool keep_alive = parser_->keep_alive();
            parser_.reset();
            const auto answer = owner_.handle_request(request_);
            if (answer != kOk || !keep_alive) {
                out_.append(answer == kOk ? kOkClose : answer);
                close_after_write_ = true;
            } else {
                out_.append(kOk);
            }
        }
        if (out_.empty()) return do_read();
        asio::async_write(
            socket_, asio::buffer(out_),
            [this](const boost::system::error_code& ec, std::size_t) { on_write(ec); });
    }

    void on_write(const boost::system::error_code& ec) {
        if (ec) return end();
        out_.clear();
        if (close_after_write_) {
            boost::system::error_code ignored;
            socket_.shutdown(tcp::socket::shutdown_send, ignored);
            return end();
        }
        process();
    }

    void end() { owner_.recycle(this); }

    CallbackReceiver& owner_;
    tcp::socket socket_;
    beast::flat_buffer buffer_;
    std::optional<CallbackParser> parser_;
    CallbackRequest request_;
    std::string out_;
    bool close_after_write_ = false;
};

std::string default_callback_url(const std::string& host, std::uint16_t port) {
    std::string h = host;
    if (h == "0.0.0.0") h = "127.0.0.1";
    if (h == "::") h = "::1";
    if (h.find(':') != std::string::npos) h = "[" + h + "]";
    return "http://" + h + ":" + std::to_string(port) + "/callback";
}

CallbackReceiver::CallbackReceiver(CallbackReceiverConfig config, CallbackTracker& tracker)
    : config_(std::move(config)), tracker_(tracker), acceptor_(io_) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(config_.host, ec);
    const std::string where = config_.host + ":" + std::to_string(config_.port);
    if (ec) throw std::runtime_error("callback receiver: not an IP address: " + where);
    const tcp::endpoint endpoint(address, config_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("callback receiver: cannot listen on " + where + ": " +
                                 ec.message());
    port_ = acceptor_.local_endpoint().port();
}

CallbackReceiver::~CallbackReceiver() { stop(); }

void CallbackReceiver::start() {
    if (thread_.joinable()) return;
    do_accept();
    thread_ = std::thread([this] {
        io_.run();
        timespec cpu{};
        if (::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0) {
            cpu_seconds_ = static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) / 1e9;
        }
    });
}

void CallbackReceiver::stop() {
    if (thread_.joinable()) {
        io_.stop();
        thread_.join();
    }
    // Refuse what comes next at once rather than leaving the sender to time out.
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto& s : sessions_) s->socket().close(ignored);
}

void CallbackReceiver::do_accept() {
    Session* s = nullptr;
    if (!free_.empty()) {
        s = free_.back();
        free_.pop_back();
    } else {
        sessions_.push_back(std::make_unique<Session>(*this));
        s = sessions_.back().get();
    }
    acceptor_.async_accept(s->socket(), [this, s](const boost::system::error_code& ec) {
        if (ec == asio::error::operation_aborted) return;
        if (ec) {
            // Out of descriptors or the like: try again shortly instead of spinning.
            recycle(s);
            auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(10));
            timer->async_wait([this, timer](const boost::system::error_code& e) {
                if (!e) do_accept();
            });
            return;
        }
        s->start();
        do_accept();
    });
}

void CallbackReceiver::recycle(Session* s) {
    boost::system::error_code ignored;
    s->socket().close(ignored);
    free_.push_back(s);
}

std::string_view CallbackReceiver::handle_request(const CallbackRequest& r) {
    if (!r.post) return kNotAllowed;
    CallbackTracker::Arrival a;
    a.at = CallbackTracker::Clock::now();
    a.attempt = r.attempt;
    if (!config_.secret.empty()) {
        const auto now_unix = std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
        a.signature_ok = verify_signature(config_.secret, r.signature, r.body, now_unix,
                                          scratch_) == SignatureCheck::good;
    }
    a.fields = parse_callback_body(r.body);
    // X-Bindery-Event-Id, when sent, must name the same event as the body.
    if (a.fields && !r.event_id.empty()) {
        const auto ev = parse_event_id(r.event_id);
        if (!ev || ev->id != a.fields->id || ev->state != a.fields->state) a.fields.reset();
    }
    tracker_.received(a);
    return kOk;
}

}  // namespace bindery::loadgen
