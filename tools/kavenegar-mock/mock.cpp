#include "tools/kavenegar-mock/mock.hpp"

#include <algorithm>
#include <deque>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

namespace bindery::mock {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string url_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out.push_back(' ');
        } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
                   hex_value(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::map<std::string, std::string> parse_form(std::string_view s) {
    std::map<std::string, std::string> out;
    while (!s.empty()) {
        const auto amp = s.find('&');
        const auto pair = s.substr(0, amp);
        const auto eq = pair.find('=');
        if (!pair.empty()) {
            out[url_decode(pair.substr(0, eq))] =
                eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1));
        }
        if (amp == std::string_view::npos) break;
        s.remove_prefix(amp + 1);
    }
    return out;
}

std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        const auto comma = s.find(',', start);
        auto item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty()) out.push_back(std::move(item));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

std::optional<std::vector<std::string>> json_strings(const std::string& s) {
    auto j = json::parse(s, nullptr, false);
    if (j.is_discarded() || !j.is_array()) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& e : j) {
        if (e.is_string()) {
            out.push_back(e.get<std::string>());
        } else if (e.is_number()) {
            out.push_back(e.dump());
        } else {
            return std::nullopt;
        }
    }
    return out;
}

std::string_view status_text(std::int64_t s) {
    switch (s) {
        case 1: return "در صف ارسال";
        case 4:
        case 5: return "ارسال به مخابرات";
        case 6: return "خطا در ارسال پیام";
        case 10: return "رسیده به گیرنده";
        case 11: return "نرسیده به گیرنده";
        case 13: return "ارسال پیام از سمت کاربر لغو شده";
        case 14: return "بلاک شده توسط کاربر";
        case 100: return "شناسه پیامک نامعتبر است";
        default: return "";
    }
}

bool valid_receptor(const std::string& r) {
    return r.size() >= 5 && r.size() <= 16 &&
           std::all_of(r.begin(), r.end(), [](char c) { return c >= '0' && c <= '9'; });
}

struct Answer {
    unsigned http = 200;
    std::string body;
};

Answer envelope(std::int64_t status, const std::string& message, json entries) {
    json j;
    j["return"] = {{"status", status}, {"message", message}};
    j["entries"] = std::move(entries);
    Answer a;
    a.http = status >= 200 && status < 1000 ? static_cast<unsigned>(status) : 500U;
    if (a.http > 599) a.http = 400;  // 604/607: not HTTP codes
    a.body = j.dump();
    return a;
}

Answer error(std::int64_t status) {
    return envelope(status, "خطا " + std::to_string(status), nullptr);
}

}  // namespace

struct KavenegarMock::Impl : std::enable_shared_from_this<KavenegarMock::Impl> {
    explicit Impl(KavenegarMockConfig c)
        : config(std::move(c)), ssl_ctx(ssl::context::tls_server), acceptor(io), rng(config.seed) {
        next_id = config.first_messageid;
        latency_ms.store(config.latency.count());
        fail_status.store(config.fail_status);
        fail_rate.store(config.fail_rate);
    }

    KavenegarMockConfig config;
    asio::io_context io;
    ssl::context ssl_ctx;
    tcp::acceptor acceptor;
    std::vector<std::thread> threads;
    bool use_tls = false;
    std::atomic<long long> latency_ms{0};
    std::atomic<std::int64_t> fail_status{0};
    std::atomic<double> fail_rate{1.0};
    std::atomic<bool> down{false};

    mutable std::mutex mu;  // everything below
    std::mt19937_64 rng;
    std::int64_t next_id = 0;
    std::unordered_map<std::int64_t, MockMessage> by_id;
    std::unordered_map<std::string, std::int64_t> by_localid;
    std::vector<std::int64_t> order;
    std::deque<std::string> seen_targets;
    std::deque<MockStatusCall> seen_status;
    KavenegarMockStats stats;

    double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }

    bool call_fails(std::int64_t& status) {
        const auto s = fail_status.load();
        if (s == 0) return false;
        if (uniform() >= fail_rate.load()) return false;
        status = s;
        return true;
    }

    // Under `mu`.
    json accept_message(const std::string& receptor, const std::string& sender,
                        const std::string& message, const std::string& localid) {
        std::int64_t id = 0;
        if (!localid.empty()) {
            if (auto it = by_localid.find(localid); it != by_localid.end()) {
                id = it->second;
                ++stats.duplicate_localids;
            }
        }
        if (id == 0) {
            id = next_id++;
            MockMessage m;
            m.messageid = id;
            m.receptor = receptor;
            m.sender = sender;
            m.message = message;
            m.localid = localid;
            m.sent_at = SteadyClock::now();
            if (auto f = config.receptor_final.find(receptor); f != config.receptor_final.end()) {
                m.final_status = f->second;
            } else {
                m.final_status = uniform() < config.undelivered_rate ? 11 : config.final_status;
            }
            by_id.emplace(id, m);
            order.push_back(id);
            if (!localid.empty()) by_localid.emplace(localid, id);
            ++stats.messages;
        }
        const auto& m = by_id.at(id);
        return json{{"messageid", id},
                    {"message", m.message},
                    {"status", 1},
                    {"statustext", status_text(1)},
                    {"sender", m.sender.empty() ? "10004346" : m.sender},
                    {"receptor", m.receptor},
                    {"date", std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count()},
                    {"cost", 120}};
    }

    Answer send(const std::map<std::string, std::string>& f) {
        std::lock_guard lock(mu);
        ++stats.send_calls;
        const auto receptor = f.find("receptor");
        const auto message = f.find("message");
        if (receptor == f.end() || message == f.end()) return error(400);
        if (receptor->second.empty()) return error(406);
        if (message->second.empty() || message->second.size() > std::size_t{900} * 4)
            return error(413);
        const auto receptors = split_commas(receptor->second);
        if (receptors.size() > 200) return error(414);
        std::int64_t fail = 0;
        if (call_fails(fail)) return error(fail);
        for (const auto& r : receptors) {
            if (!valid_receptor(r)) return error(411);
            if (auto it = config.receptor_fail.find(r); it != config.receptor_fail.end())
                return error(it->second);
        }
        const auto sender = f.count("sender") != 0 ? f.at("sender") : "";
        const auto localids =
            f.count("localid") != 0 ? split_commas(f.at("localid")) : std::vector<std::string>{};
        json entries = json::array();
        for (std::size_t i = 0; i < receptors.size(); ++i) {
            entries.push_back(accept_message(receptors[i], sender, message->second,
                                             i < localids.size() ? localids[i] : std::string()));
        }
        return envelope(200, "تایید شد", std::move(entries));
    }

    Answer sendarray(const std::map<std::string, std::string>& f) {
        std::lock_guard lock(mu);
        ++stats.sendarray_calls;
        if (f.count("receptor") == 0 || f.count("sender") == 0 || f.count("message") == 0)
            return error(400);
        const auto receptors = json_strings(f.at("receptor"));
        const auto senders = json_strings(f.at("sender"));
        const auto messages = json_strings(f.at("message"));
        if (!receptors || !senders || !messages) return error(400);
        if (receptors->size() != senders->size() || receptors->size() != messages->size())
            return error(419);
        if (receptors->empty()) return error(406);
        if (receptors->size() > 200) return error(414);
        std::optional<std::vector<std::string>> localids;
        if (f.count("localmessageid") != 0) localids = json_strings(f.at("localmessageid"));
        std::int64_t fail = 0;
        if (call_fails(fail)) return error(fail);
        for (std::size_t i = 0; i < receptors->size(); ++i) {
            if (!valid_receptor((*receptors)[i])) return error(411);
            if ((*messages)[i].empty()) return error(413);
            if (auto it = config.receptor_fail.find((*receptors)[i]);
                it != config.receptor_fail.end())
                return error(it->second);
        }
        json entries = json::array();
        for (std::size_t i = 0; i < receptors->size(); ++i) {
            entries.push_back(
                accept_message((*receptors)[i], (*senders)[i], (*messages)[i],
                               localids && i < localids->size() ? (*localids)[i] : std::string()));
        }
        return envelope(200, "تایید شد", std::move(entries));
    }

    Answer status(const std::map<std::string, std::string>& f) {
        std::lock_guard lock(mu);
        ++stats.status_calls;
        const auto ids = f.find("messageid");
        if (ids == f.end()) return error(400);
        const auto list = split_commas(ids->second);
        if (list.empty()) return error(406);
        if (list.size() > 500) return error(414);
        const auto now = SteadyClock::now();
        seen_status.push_back({now, list.size()});
        if (seen_status.size() > 1000) seen_status.pop_front();
        json entries = json::array();
        for (const auto& s : list) {
            std::int64_t id = 0;
            try {
                id = std::stoll(s);
            } catch (...) { return error(400); }
            std::int64_t st = 100;
            if (auto it = by_id.find(id); it != by_id.end()) {
                st =
                    now - it->second.sent_at >= config.delivery_delay ? it->second.final_status : 4;
            }
            entries.push_back({{"messageid", id}, {"status", st}, {"statustext", status_text(st)}});
        }
        return envelope(200, "تایید شد", std::move(entries));
    }

    Answer handle(bhttp::verb method, std::string_view target, const std::string& body) {
        {
            std::lock_guard lock(mu);
            ++stats.requests;
            seen_targets.emplace_back(target);
            if (seen_targets.size() > 1000) seen_targets.pop_front();
        }
        std::string_view path = target;
        std::string_view query;
        if (const auto q = target.find('?'); q != std::string_view::npos) {
            path = target.substr(0, q);
            query = target.substr(q + 1);
        }
        // /v1/{API-KEY}/{scope}/{method}.json
        if (path.rfind("/v1/", 0) != 0) return error(404);
        path.remove_prefix(4);
        const auto slash = path.find('/');
        if (slash == std::string_view::npos) return error(404);
        const auto key = url_decode(path.substr(0, slash));
        const auto call = path.substr(slash + 1);
        if (!config.api_key.empty() && key != config.api_key) return error(403);
        if (method != bhttp::verb::post && method != bhttp::verb::get) return error(405);
        auto fields = parse_form(method == bhttp::verb::get ? query : std::string_view(body));
        if (method == bhttp::verb::post && !query.empty()) {
            for (auto& [k, v] : parse_form(query)) fields.emplace(k, v);
        }
        Answer a;
        if (call == "sms/send.json") {
            a = send(fields);
        } else if (call == "sms/sendarray.json") {
            if (method != bhttp::verb::post) return error(405);
            a = sendarray(fields);
        } else if (call == "sms/status.json") {
            a = status(fields);
        } else {
            a = error(404);
        }
        if (a.http != 200) {
            std::lock_guard lock(mu);
            ++stats.failed_calls;
        }
        return a;
    }
};

namespace {

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
public:
    // The mock's Impl owns the io_context that runs every session: a raw pointer (a shared_ptr in
    // a pending handler would keep Impl, and so the io_context, alive forever).
    Session(KavenegarMock::Impl* impl, Stream stream)
        : impl_(impl), stream_(std::move(stream)), timer_(stream_.get_executor()) {}

    void run() {
        if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
            beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
            stream_.async_handshake(
                ssl::stream_base::server,
                [self = this->shared_from_this()](const boost::system::error_code& ec) {
                    if (!ec) self->do_read();
                });
        } else {
            do_read();
        }
    }

private:
    void do_read() {
        request_ = {};
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(60));
        bhttp::async_read(stream_, buffer_, request_,
                          [self = this->shared_from_this()](const boost::system::error_code& ec,
                                                            std::size_t) { self->on_read(ec); });
    }

    void on_read(const boost::system::error_code& ec) {
        if (ec) return close();
        if (impl_->down.load()) return close();
        const auto answer = impl_->handle(
            request_.method(), std::string_view(request_.target().data(), request_.target().size()),
            request_.body());
        response_ = {};
        response_.version(request_.version());
        response_.result(answer.http);
        response_.set(bhttp::field::server, "kavenegar-mock");
        response_.set(bhttp::field::content_type, "application/json; charset=utf-8");
        response_.keep_alive(request_.keep_alive());
        response_.body() = answer.body;
        response_.prepare_payload();
        const auto latency = std::chrono::milliseconds(impl_->latency_ms.load());
        if (latency.count() > 0) {
            timer_.expires_after(latency);
            timer_.async_wait([self = this->shared_from_this()](const boost::system::error_code&) {
                self->do_write();
            });
        } else {
            do_write();
        }
    }

    void do_write() {
        bhttp::async_write(
            stream_, response_,
            [self = this->shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                if (ec || !self->response_.keep_alive()) return self->close();
                self->do_read();
            });
    }

    void close() {
        boost::system::error_code ignored;
        beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
        beast::get_lowest_layer(stream_).socket().close(ignored);
    }

    KavenegarMock::Impl* impl_;
    Stream stream_;
    asio::steady_timer timer_;
    beast::flat_buffer buffer_;
    bhttp::request<bhttp::string_body> request_;
    bhttp::response<bhttp::string_body> response_;
};

void do_accept(KavenegarMock::Impl* impl) {
    impl->acceptor.async_accept(
        asio::make_strand(impl->io),
        [impl](const boost::system::error_code& ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !impl->acceptor.is_open()) return;
            if (!ec) {
                {
                    std::lock_guard lock(impl->mu);
                    ++impl->stats.connections;
                }
                if (impl->down.load()) {
                    boost::system::error_code ignored;
                    socket.close(ignored);
                } else if (impl->use_tls) {
                    std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
                        impl, beast::ssl_stream<beast::tcp_stream>(
                                  beast::tcp_stream(std::move(socket)), impl->ssl_ctx))
                        ->run();
                } else {
                    std::make_shared<Session<beast::tcp_stream>>(
                        impl, beast::tcp_stream(std::move(socket)))
                        ->run();
                }
            }
            do_accept(impl);
        });
}

}  // namespace

KavenegarMock::KavenegarMock(KavenegarMockConfig config)
    : impl_(std::make_shared<Impl>(std::move(config))) {}

KavenegarMock::~KavenegarMock() { stop(); }

void KavenegarMock::start() {
    auto& i = *impl_;
    if (!i.config.cert_pem.empty() && !i.config.key_pem.empty()) {
        i.use_tls = true;
        i.ssl_ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                              ssl::context::no_sslv3);
        i.ssl_ctx.use_certificate_chain(asio::buffer(i.config.cert_pem));
        i.ssl_ctx.use_private_key(asio::buffer(i.config.key_pem), ssl::context::pem);
    }
    const tcp::endpoint ep(asio::ip::make_address(i.config.host), i.config.port);
    i.acceptor.open(ep.protocol());
    i.acceptor.set_option(asio::socket_base::reuse_address(true));
    i.acceptor.bind(ep);
    i.acceptor.listen(asio::socket_base::max_listen_connections);
    do_accept(impl_.get());
    for (unsigned t = 0; t < std::max(1U, i.config.threads); ++t) {
        i.threads.emplace_back([impl = impl_.get()] { impl->io.run(); });
    }
}

void KavenegarMock::stop() {
    auto& i = *impl_;
    if (i.threads.empty()) return;
    asio::post(i.io, [impl = impl_.get()] {
        boost::system::error_code ignored;
        impl->acceptor.close(ignored);
    });
    i.io.stop();
    for (auto& t : i.threads) t.join();
    i.threads.clear();
}

std::uint16_t KavenegarMock::port() const {
    boost::system::error_code ec;
    const auto ep = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : ep.port();
}

bool KavenegarMock::tls() const { return impl_->use_tls; }

void KavenegarMock::set_fail_status(std::int64_t status, double rate) {
    impl_->fail_rate.store(rate);
    impl_->fail_status.store(status);
}

void KavenegarMock::set_latency(std::chrono::milliseconds latency) {
    impl_->latency_ms.store(latency.count());
}

void KavenegarMock::set_down(bool down) { impl_->down.store(down); }

KavenegarMockStats KavenegarMock::stats() const {
    std::lock_guard lock(impl_->mu);
    return impl_->stats;
}

std::vector<MockMessage> KavenegarMock::messages() const {
    std::lock_guard lock(impl_->mu);
    std::vector<MockMessage> out;
    out.reserve(impl_->order.size());
    for (const auto id : impl_->order) out.push_back(impl_->by_id.at(id));
    return out;
}

std::vector<std::string> KavenegarMock::targets() const {
    std::lock_guard lock(impl_->mu);
    return {impl_->seen_targets.begin(), impl_->seen_targets.end()};
}

std::vector<MockStatusCall> KavenegarMock::status_calls() const {
    std::lock_guard lock(impl_->mu);
    return {impl_->seen_status.begin(), impl_->seen_status.end()};
}

}  // namespace bindery::mock
