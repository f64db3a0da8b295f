#include "tools/loadgen/http_load.hpp"

#include <algorithm>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

#include "tools/loadgen/pacer.hpp"

namespace bindery::loadgen {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

std::string number(const Options& o, std::uint64_t seq) {
    std::string digits = std::to_string(seq % 10'000'000);
    return o.to_prefix + std::string(7 - digits.size(), '0') + digits;
}

std::uint64_t micros(Clock::duration d) {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(
        0, std::chrono::duration_cast<std::chrono::microseconds>(d).count()));
}

class HttpWorker {
public:
    HttpWorker(const Options& o, const WorkerShare& share)
        : o_(o), share_(share), timer_(io_), stop_timer_(io_) {
        result_.mode = "http";
        result_.open_loop = o.rate > 0;
        result_.target_rate = share.rate;
        result_.connections = share.connections;
        result_.batch = o.batch;
        if (o.idempotency_keys) {
            // Unique in the run: a random run prefix, then the request's first message number
            // (unique across workers); a second run against the same gateway is no replay.
            std::random_device rd;
            const auto nonce = (static_cast<std::uint64_t>(rd()) << 32U) | rd();
            key_prefix_ = "lg-" + std::to_string(nonce) + "-";
        }
    }

    RunResult run() {
        tcp::resolver resolver(io_);
        boost::system::error_code ec;
        const auto endpoints = resolver.resolve(o_.host, std::to_string(o_.port), ec);
        if (ec || endpoints.empty()) {
            result_.connect_failures = share_.connections;
            return result_;
        }
        endpoint_ = *endpoints.begin();
        // Every connection opened at once.
        for (unsigned i = 0; i < share_.connections; ++i) {
            conns_.push_back(std::make_unique<Conn>(io_));
            Conn* c = conns_.back().get();
            c->stream.expires_after(std::chrono::seconds(10));
            c->stream.async_connect(
                endpoint_, [this, c](const boost::system::error_code& e) { on_connect(c, e); });
        }
        io_.run();
        return result_;
    }

private:
    struct Conn {
        explicit Conn(asio::io_context& io) : stream(io) {}
        beast::tcp_stream stream;
        beast::flat_buffer buffer;
        bhttp::request<bhttp::string_body> req;
        std::optional<bhttp::response_parser<bhttp::string_body>> parser;
        Clock::time_point scheduled{};
        unsigned messages = 0;
        bool up = false;
        bool busy = false;
    };

    // ---- connect -------------------------------------------------------------------------------
    void on_connect(Conn* c, const boost::system::error_code& ec) {
        if (ec) {
            ++result_.connect_failures;
        } else {
            c->up = true;
            c->stream.socket().set_option(tcp::no_delay(true));
            idle_.push_back(c);
        }
        if (++connects_done_ == conns_.size()) begin();
    }

    void begin() {
        start_ = Clock::now();
        last_answer_ = start_;
        if (share_.callbacks != nullptr) share_.callbacks->sending_started(start_);
        if (std::none_of(conns_.begin(), conns_.end(), [](const auto& c) { return c->up; })) {
            finish();
            return;
        }
        if (o_.duration.count() > 0) {
            stop_timer_.expires_at(start_ + o_.duration);
            stop_timer_.async_wait([this](const boost::system::error_code& e) {
                if (!e) stop_sending();
            });
        }
        if (result_.open_loop) {
            pacer_ = Pacer(start_, share_.rate / o_.batch);
            tick();
        } else {
            for (auto& c : conns_)
                if (c->up) issue(*c, Clock::now());
        }
    }

    // ---- sending -------------------------------------------------------------------------------
    [[nodiscard]] std::uint64_t remaining() const noexcept {
        if (sending_stopped_) return 0;
        if (share_.count == 0) return ~std::uint64_t{0};
        return share_.count - std::min(share_.count, planned_);
    }

    // Open loop: queue every slot that is due, hand them to idle connections, sleep to the next.
    void tick() {
        const auto now = Clock::now();
        Clock::time_point due{};
        while (remaining() > 0 && pacer_.take(now, due)) {
            const auto n = static_cast<unsigned>(std::min<std::uint64_t>(o_.batch, remaining()));
            planned_ += n;
            pending_.push_back({due, n});
        }
        while (!pending_.empty() && !idle_.empty()) {
            Conn* c = idle_.back();
            idle_.pop_back();
            if (!c->up || c->busy) continue;  // closed since it went idle
            const auto [at, n] = pending_.front();
            pending_.pop_front();
            send(*c, at, n);
        }
        if (remaining() == 0) {
            stop_sending();
            return;
        }
        timer_.expires_at(pacer_.next_due());
        timer_.async_wait([this](const boost::system::error_code& e) {
            if (!e) tick();
        });
    }

    // Closed loop: the next request as soon as this connection is free.
    void issue(Conn& c, Clock::time_point at) {
        const auto left = remaining();
        if (left == 0) {
            stop_sending();
            return;
        }
        const auto n = static_cast<unsigned>(std::min<std::uint64_t>(o_.batch, left));
        planned_ += n;
        send(c, at, n);
        if (remaining() == 0) stop_sending();
    }

    void send(Conn& c, Clock::time_point scheduled, unsigned n) {
        const auto now = Clock::now();
        if (result_.open_loop && now - scheduled > std::chrono::milliseconds(1)) ++result_.late;
        c.busy = true;
        c.scheduled = scheduled;
        c.messages = n;
        c.req = {};
        c.req.method(bhttp::verb::post);
        c.req.target(o_.path);
        c.req.version(11);
        c.req.set(bhttp::field::host, o_.host);
        c.req.set(bhttp::field::content_type, "application/json");
        if (!o_.api_key.empty()) c.req.set(bhttp::field::authorization, "Bearer " + o_.api_key);
        if (!key_prefix_.empty()) {
            c.req.set("Idempotency-Key",
                      key_prefix_ + std::to_string(share_.first_seq + sent_messages_));
        }
        c.req.body() = http_body(o_, share_.first_seq + sent_messages_, n, share_.callback_url);
        c.req.prepare_payload();
        sent_messages_ += n;
        ++result_.requests;
        result_.messages += n;
        ++in_flight_;
        c.stream.expires_after(std::chrono::seconds(30));
        bhttp::async_write(c.stream, c.req,
                           [this, conn = &c](const boost::system::error_code& ec, std::size_t) {
                               if (ec) return on_failure(*conn);
                               conn->parser.emplace();
                               conn->parser->body_limit(1 << 20);
                               bhttp::async_read(conn->stream, conn->buffer, *conn->parser,
                                                 [this, conn](const boost::system::error_code& e,
                                                              std::size_t) { on_read(*conn, e); });
                           });
    }

    void on_read(Conn& c, const boost::system::error_code& ec) {
        if (ec) return on_failure(c);
        const auto now = Clock::now();
        last_answer_ = now;
        --in_flight_;
        c.busy = false;
        const auto& res = c.parser->get();
        const unsigned code = res.result_int();
        ++result_.status[std::to_string(code)];
        if (code == 202 || code == 200) {
            // Per recipient: a 202 lists the ids the gateway stored, which may be fewer than
            // the recipients sent (the others come back under "rejected").
            ids_.clear();
            (void)parse_accepted_ids(res.body(), ids_);
            const auto n = std::min<std::uint64_t>(ids_.size(), c.messages);
            if (share_.callbacks != nullptr) {
                share_.callbacks->accepted(std::span(ids_).first(static_cast<std::size_t>(n)),
                                           c.scheduled);
            }
            result_.accepted += n;
            result_.failed += c.messages - n;
        } else {
            result_.failed += c.messages;
        }
        result_.latency.record_us(micros(now - c.scheduled));
        if (!res.keep_alive()) {
            // The server ended the connection after this answer.
            ++result_.dropped;
            close(c);
        } else if (result_.open_loop) {
            if (!pending_.empty()) {
                const auto [at, n] = pending_.front();
                pending_.pop_front();
                send(c, at, n);
            } else {
                idle_.push_back(&c);
            }
        } else {
            issue(c, now);
        }
        maybe_finish();
    }

    void on_failure(Conn& c) {
        if (!c.up) return;  // closed by finish()
        if (c.busy) {
            --in_flight_;
            ++result_.unanswered;
        }
        ++result_.dropped;
        close(c);
        maybe_finish();
    }

    void close(Conn& c) {
        c.up = false;
        c.busy = false;
        boost::system::error_code ignored;
        c.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        c.stream.socket().close(ignored);
    }

    // ---- the end -------------------------------------------------------------------------------
    void stop_sending() {
        if (sending_stopped_) return;
        sending_stopped_ = true;
        timer_.cancel();
        stop_timer_.cancel();
        // Open loop: what is already due is still sent (by the connections as they free up),
        // within the drain time.
        stop_timer_.expires_after(o_.drain);
        stop_timer_.async_wait([this](const boost::system::error_code& e) {
            if (!e) finish();
        });
        maybe_finish();
    }

    void maybe_finish() {
        const bool any_up =
            std::any_of(conns_.begin(), conns_.end(), [](const auto& c) { return c->up; });
        if (!any_up && !stopping_) {
            finish();
            return;
        }
        if (sending_stopped_ && in_flight_ == 0 && pending_.empty()) finish();
    }

    void finish() {
        if (stopping_) return;
        stopping_ = true;
        result_.seconds = std::chrono::duration<double>(last_answer_ - start_).count();
        result_.unanswered += in_flight_;
        in_flight_ = 0;
        for (const auto& p : pending_) result_.unsent += p.second;
        pending_.clear();
        timer_.cancel();
        stop_timer_.cancel();
        for (auto& c : conns_) {
            if (c->up) close(*c);
        }
    }

    const Options& o_;
    WorkerShare share_;
    asio::io_context io_{1};
    tcp::endpoint endpoint_;
    asio::steady_timer timer_;
    asio::steady_timer stop_timer_;
    std::vector<std::unique_ptr<Conn>> conns_;
    std::size_t connects_done_ = 0;
    std::vector<Conn*> idle_;  // open loop: connections waiting for a due request
    Pacer pacer_;
    std::deque<std::pair<Clock::time_point, unsigned>> pending_;
    std::uint64_t planned_ = 0;
    std::uint64_t sent_messages_ = 0;
    std::string key_prefix_;  // --idempotency-keys
    std::uint64_t in_flight_ = 0;
    std::vector<MessageKey> ids_;  // of one 202 answer, reused
    bool sending_stopped_ = false;
    bool stopping_ = false;
    Clock::time_point start_{};
    Clock::time_point last_answer_{};
    RunResult result_;
};

}  // namespace

std::string http_body(const Options& o, std::uint64_t seq, unsigned n,
                      std::string_view callback_url) {
    const std::string from = nlohmann::json(o.from).dump();
    const std::string text = nlohmann::json(o.text).dump();
    std::string to;
    if (n <= 1) {
        to = "\"" + number(o, seq) + "\"";
    } else {
        to = "[";
        for (unsigned i = 0; i < n; ++i) {
            if (i > 0) to += ",";
            to += "\"" + number(o, seq + i) + "\"";
        }
        to += "]";
    }
    std::string body = R"({"to":)" + to + R"(,"from":)" + from + R"(,"text":)" + text;
    if (!callback_url.empty()) body += R"(,"callback_url":)" + nlohmann::json(callback_url).dump();
    return body + "}";
}

RunResult run_http(const Options& options, const WorkerShare& share) {
    return HttpWorker(options, share).run();
}

}  // namespace bindery::loadgen
