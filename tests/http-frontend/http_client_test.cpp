// The delivery-callback HTTP client's keep-alive pool over real sockets on 127.0.0.1: a scripted
// server counts the connections it accepts and the ones the client closes, and answers each
// request as a test says (kept alive, Connection: close, body to EOF, closed unanswered, never).
#include "http-frontend/http_client.hpp"

#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>  // before boost/asio.hpp: Boost 1.74 awaitable.hpp needs std::exchange (g++ 12)

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "tools/kavenegar-mock/mock.hpp"

namespace bindery::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

enum class Answer : std::uint8_t {
    keep_alive,       // 200 with a Content-Length; the connection stays open
    chunked,          // 200 with a chunked body; the connection stays open
    close,            // 200 with Connection: close, then the server closes
    until_eof,        // 200 without a length: the body ends when the server closes
    http10,           // an HTTP/1.0 answer with a Content-Length (the connection stays open)
    large,            // 200 with a 100-byte body (over the test's max_response_body), in one write
    keep_then_close,  // 200 with a Content-Length, then the server closes the idle connection
    head,             // 200 with Content-Length: 5 and no body (the answer to a HEAD)
    drop,             // reads the request and closes without answering
    hang,             // never answers (until the server stops)
};

struct Seen {
    std::size_t connection = 0;
    std::string connection_header;  // the request's Connection header
};

// A blocking HTTP/1.1 server, one thread per connection (bounded).
class ScriptedServer {
public:
    // How to answer request `nth` (from 0) on connection `connection` (from 0, in accept order).
    using Script = std::function<Answer(std::size_t connection, std::size_t nth)>;

    // With `tls`: HTTPS with that certificate (closing without a close_notify).
    explicit ScriptedServer(Script script, const mock::PemPair* tls = nullptr)
        : script_(std::move(script)), acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
        if (tls != nullptr) {
            tls_.emplace(net::ssl::context::tls_server);
            tls_->use_certificate_chain(net::buffer(tls->cert_pem));
            tls_->use_private_key(net::buffer(tls->key_pem), net::ssl::context::pem);
        }
        accept_thread_ = std::thread([this] { accept_loop(); });
    }
    explicit ScriptedServer(Answer always) : ScriptedServer(every(always)) {}
    static Script every(Answer always) {
        return [always](std::size_t, std::size_t) { return always; };
    }

    ~ScriptedServer() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
            for (auto& c : conns_) {
                if (c->open) ::shutdown(c->socket.native_handle(), SHUT_RDWR);  // unblocks its read
            }
        }
        cv_.notify_all();
        beast::error_code ec;
        tcp::socket wake(io_);  // unblocks accept()
        wake.connect(acceptor_.local_endpoint(), ec);
        accept_thread_.join();
        for (auto& t : threads_) t.join();
    }
    ScriptedServer(const ScriptedServer&) = delete;
    ScriptedServer& operator=(const ScriptedServer&) = delete;

    std::string url(std::string_view path = "/hooks/sms") const {
        return std::string(tls_ ? "https" : "http") +
               "://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) +
               std::string(path);
    }
    std::size_t connections() const {
        std::lock_guard lock(mutex_);
        return conns_.size();
    }
    // Connections the client closed while the server waited for its next request.
    std::size_t closed_by_client() const {
        std::lock_guard lock(mutex_);
        return closed_by_client_;
    }
    std::vector<Seen> requests() const {
        std::lock_guard lock(mutex_);
        return seen_;
    }
    // Holds every answer until `n` requests arrived after this call (or 30 s passed).
    void gather(std::size_t n) {
        std::lock_guard lock(mutex_);
        gather_ = n;
        arrived_ = 0;
    }

private:
    struct Conn {
        explicit Conn(tcp::socket s) : socket(std::move(s)) {}
        tcp::socket socket;
        bool open = true;  // under mutex_
    };

    void accept_loop() {
        for (int n = 0; n < 200; ++n) {
            tcp::socket socket(io_);
            beast::error_code ec;
            acceptor_.accept(socket, ec);
            std::lock_guard lock(mutex_);
            if (ec || stop_) return;
            auto conn = std::make_shared<Conn>(std::move(socket));
            conns_.push_back(conn);
            threads_.emplace_back([this, conn, index = conns_.size() - 1] { serve(*conn, index); });
        }
    }

    void serve(Conn& conn, std::size_t index) {
        if (tls_) {
            net::ssl::stream<tcp::socket&> stream(conn.socket, *tls_);
            beast::error_code ec;
            stream.handshake(net::ssl::stream_base::server, ec);
            if (!ec) serve_on(stream, index);
        } else {
            serve_on(conn.socket, index);
        }
        std::lock_guard lock(mutex_);
        conn.open = false;
        beast::error_code ignored;
        conn.socket.shutdown(tcp::socket::shutdown_both, ignored);
        conn.socket.close(ignored);
    }

    template <class Stream>
    void serve_on(Stream& stream, std::size_t index) {
        beast::flat_buffer buffer;
        for (std::size_t nth = 0; nth < 1000; ++nth) {
            bhttp::request<bhttp::string_body> req;
            beast::error_code ec;
            bhttp::read(stream, buffer, req, ec);
            std::unique_lock lock(mutex_);
            if (ec) {
                if (!stop_) ++closed_by_client_;
                break;
            }
            seen_.push_back({index, std::string(req[bhttp::field::connection])});
            ++arrived_;
            cv_.notify_all();
            cv_.wait_for(lock, 30s, [&] { return stop_ || arrived_ >= gather_; });
            const Answer answer = script_(index, nth);
            if (answer == Answer::hang) {
                cv_.wait_for(lock, 60s, [&] { return stop_; });
                break;
            }
            lock.unlock();
            if (!respond(stream, answer)) break;
        }
    }

    // Writes the answer; false: the connection is to be closed.
    template <class Stream>
    static bool respond(Stream& stream, Answer answer) {
        std::string text;
        bool keep = true;
        switch (answer) {
            case Answer::keep_alive:
            case Answer::keep_then_close:
                text = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                keep = answer == Answer::keep_alive;
                break;
            case Answer::chunked:
                text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
                break;
            case Answer::close:
                text = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok";
                keep = false;
                break;
            case Answer::until_eof:
                text = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nto the end";
                keep = false;
                break;
            case Answer::head: text = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"; break;
            case Answer::http10: text = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"; break;
            case Answer::large:
                text = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x');
                break;
            case Answer::drop:
            case Answer::hang: return false;
        }
        beast::error_code ec;
        net::write(stream, net::buffer(text), ec);
        return keep && !ec;
    }

    Script script_;
    std::optional<net::ssl::context> tls_;
    net::io_context io_;
    tcp::acceptor acceptor_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::vector<std::shared_ptr<Conn>> conns_;
    std::vector<std::thread> threads_;
    std::vector<Seen> seen_;
    std::size_t closed_by_client_ = 0;
    std::size_t gather_ = 0;
    std::size_t arrived_ = 0;
    std::thread accept_thread_;
};

// An io_context run by two threads (requests' handlers run on both).
class IoThreads {
public:
    IoThreads() : guard_(net::make_work_guard(io_)) {
        for (auto& t : threads_) t = std::thread([this] { io_.run(); });
    }
    ~IoThreads() {
        guard_.reset();
        io_.stop();
        for (auto& t : threads_) t.join();
    }
    net::io_context& io() { return io_; }

private:
    net::io_context io_;
    net::executor_work_guard<net::io_context::executor_type> guard_;
    std::thread threads_[2];
};

template <class Pred>
bool eventually(Pred pred) {
    for (int i = 0; i < 3000; ++i) {  // 30 s
        if (pred()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return pred();
}

OutboundRequest post_to(std::string url, std::chrono::milliseconds timeout = 20s) {
    return OutboundRequest{
        "POST", std::move(url), {{"Content-Type", "application/json"}}, R"({"n":1})", timeout};
}

// Starts requests; results() waits for all of them (each `done` must run exactly once).
class Batch {
public:
    void start(HttpClient& client, OutboundRequest request) {
        auto slot = std::make_shared<Slot>();
        slots_.push_back(slot);
        client.async_request(std::move(request), [slot](OutboundResult r) {
            std::lock_guard lock(slot->mutex);
            ++slot->calls;
            slot->result = std::move(r);
            slot->cv.notify_all();
        });
    }
    std::vector<OutboundResult> results() {
        std::vector<OutboundResult> out;
        for (auto& s : slots_) {
            std::unique_lock lock(s->mutex);
            EXPECT_TRUE(s->cv.wait_for(lock, 60s, [&] { return s->calls > 0; })) << "no answer";
            out.push_back(s->result);
        }
        return out;
    }
    // After results(): every done ran once, and none ran twice meanwhile.
    bool each_done_once() const {
        return std::all_of(slots_.begin(), slots_.end(), [](const auto& s) {
            std::lock_guard lock(s->mutex);
            return s->calls == 1;
        });
    }

private:
    struct Slot {
        std::mutex mutex;
        std::condition_variable cv;
        int calls = 0;
        OutboundResult result;
    };
    std::vector<std::shared_ptr<Slot>> slots_;
};

OutboundResult fetch(HttpClient& client, OutboundRequest request) {
    Batch b;
    b.start(client, std::move(request));
    auto r = b.results();
    EXPECT_TRUE(b.each_done_once());
    return r.front();
}

OutboundResult fetch(HttpClient& client, const std::string& url) {
    return fetch(client, post_to(url));
}

// The setup most tests share: a scripted server (HTTPS with `tls`), then an io_context on two
// threads and a client with `config`; torn down in the opposite order (client, io, server).
struct Rig {
    explicit Rig(ScriptedServer::Script script, HttpClientConfig config = {},
                 const mock::PemPair* tls = nullptr)
        : server(std::move(script), tls), client(io.io(), std::move(config)) {}
    explicit Rig(Answer always, HttpClientConfig config = {})
        : Rig(ScriptedServer::every(always), std::move(config)) {}

    // One POST to the server, waited for.
    OutboundResult fetch() { return http::fetch(client, server.url()); }

    ScriptedServer server;
    IoThreads io;
    HttpClient client;
};

// A certificate written to a file for HttpClientConfig::ca_file; removed when the test ends,
// also when it fails.
class TempCaFile {
public:
    TempCaFile(const std::string& pem, std::string_view name)
        : path_(std::filesystem::temp_directory_path() /
                ("bindery-" + std::string(name) + "-" + std::to_string(::getpid()) + ".pem")) {
        std::FILE* f = std::fopen(path_.c_str(), "w");
        written_ = f != nullptr && std::fputs(pem.c_str(), f) >= 0;
        if (f != nullptr && std::fclose(f) != 0) written_ = false;
    }
    ~TempCaFile() {
        std::error_code ec;
        std::filesystem::remove(path_, ec);
    }
    TempCaFile(const TempCaFile&) = delete;
    TempCaFile& operator=(const TempCaFile&) = delete;

    bool written() const { return written_; }
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
    bool written_ = false;
};

TEST(HttpClientPool, SequentialRequestsToOneOriginUseOneConnection) {
    Rig rig(Answer::keep_alive);
    for (int i = 0; i < 10; ++i) {
        const auto r = rig.fetch();
        EXPECT_EQ(r.status, 200u) << r.error;
        EXPECT_EQ(r.body, "ok");
    }
    EXPECT_EQ(rig.server.connections(), 1u);
    for (const auto& seen : rig.server.requests())
        EXPECT_EQ(seen.connection_header, "");  // keep-alive
    const auto s = rig.client.stats();
    EXPECT_EQ(s.connections_opened, 1u);
    EXPECT_EQ(s.requests_reused, 9u);
    EXPECT_EQ(s.stale_retries, 0u);
    EXPECT_EQ(s.idle_connections, 1u);
}

TEST(HttpClientPool, ConcurrentRequestsOpenOneConnectionEachAndReuseThemAfterwards) {
    Rig rig(Answer::keep_alive);
    for (int round = 0; round < 2; ++round) {
        rig.server.gather(20);  // the server answers once all 20 are in: 20 in flight at once
        Batch batch;
        for (int i = 0; i < 20; ++i) batch.start(rig.client, post_to(rig.server.url()));
        for (const auto& r : batch.results()) EXPECT_EQ(r.status, 200u) << r.error;
        EXPECT_TRUE(batch.each_done_once());
        EXPECT_EQ(rig.server.connections(), 20u) << "round " << round;
        EXPECT_EQ(rig.client.stats().idle_connections, 20u);
    }
    const auto s = rig.client.stats();
    EXPECT_EQ(s.connections_opened, 20u);
    EXPECT_EQ(s.requests_reused, 20u);  // the whole second round
}

TEST(HttpClientPool, AServerAnsweringConnectionCloseGetsAFreshConnectionEachTime) {
    Rig rig(Answer::close);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(rig.fetch().status, 200u);
    EXPECT_EQ(rig.server.connections(), 4u);
    EXPECT_EQ(rig.client.stats().requests_reused, 0u);
    EXPECT_EQ(rig.client.stats().idle_connections, 0u);
}

TEST(HttpClientPool, OnlyCompleteHttp11AnswersOfKnownLengthGoBackToThePool) {
    // One answer kind per connection; only the chunked one (connection 3) may carry a second
    // request.
    HttpClientConfig config;
    config.max_response_body = 10;
    Rig rig(
        [](std::size_t connection, std::size_t) {
            constexpr Answer kinds[] = {Answer::until_eof, Answer::http10, Answer::large,
                                        Answer::chunked};
            return kinds[std::min<std::size_t>(connection, 3)];
        },
        config);

    auto r = rig.fetch();
    EXPECT_EQ(r.status, 200u) << r.error;
    EXPECT_EQ(r.body, "to the end");  // read to EOF: the connection is spent
    EXPECT_EQ(rig.client.stats().idle_connections, 0u);
    r = rig.fetch();
    EXPECT_EQ(r.status, 200u) << r.error;  // HTTP/1.0: not kept
    EXPECT_EQ(rig.client.stats().idle_connections, 0u);
    r = rig.fetch();
    EXPECT_EQ(r.status, 200u) << r.error;  // cut at max_response_body: the rest is unread
    EXPECT_LE(r.body.size(), 10u);
    EXPECT_EQ(rig.client.stats().idle_connections, 0u);
    for (int i = 0; i < 2; ++i) {
        r = rig.fetch();
        EXPECT_EQ(r.status, 200u) << r.error;
        EXPECT_EQ(r.body, "ok");
    }
    EXPECT_EQ(rig.server.connections(), 4u);
    EXPECT_EQ(rig.client.stats().requests_reused, 1u);
    EXPECT_EQ(rig.client.stats().idle_connections, 1u);
}

TEST(HttpClientPool, AnswersToHeadHaveNoBodyAndKeepTheConnection) {
    Rig rig(Answer::head);
    for (int i = 0; i < 2; ++i) {
        auto req = post_to(rig.server.url());
        req.method = "HEAD";
        req.body.clear();
        const auto r = fetch(rig.client, req);
        EXPECT_EQ(r.status, 200u) << r.error;  // not waiting for the 5 bytes Content-Length names
        EXPECT_EQ(r.body, "");
    }
    EXPECT_EQ(rig.server.connections(), 1u);
    EXPECT_EQ(rig.client.stats().requests_reused, 1u);
}

TEST(HttpClientPool, AnIdleConnectionTheServerClosedIsDroppedAtOnce) {
    Rig rig([](std::size_t connection, std::size_t) {
        return connection == 0 ? Answer::keep_then_close : Answer::keep_alive;
    });
    EXPECT_EQ(rig.fetch().status, 200u);
    // The idle watch sees the server's FIN and drops the connection.
    ASSERT_TRUE(eventually([&] { return rig.client.stats().idle_connections == 0; }));
    const auto r = rig.fetch();
    EXPECT_EQ(r.status, 200u) << r.error;
    EXPECT_EQ(rig.server.connections(), 2u);
    EXPECT_EQ(rig.client.stats().stale_retries, 0u);
    EXPECT_EQ(rig.client.stats().requests_reused, 0u);
}

TEST(HttpClientPool, AReusedConnectionClosedWithoutAnAnswerIsRetriedOnceOnAFreshOne) {
    Rig rig([](std::size_t connection, std::size_t nth) {
        return connection == 0 && nth == 1 ? Answer::drop : Answer::keep_alive;
    });
    EXPECT_EQ(rig.fetch().status, 200u);
    const auto r = rig.fetch();
    EXPECT_EQ(r.status, 200u) << r.error;
    const auto seen = rig.server.requests();
    ASSERT_EQ(seen.size(), 3u);  // the dropped one and its retry
    EXPECT_EQ(seen[1].connection, 0u);
    EXPECT_EQ(seen[2].connection, 1u);
    const auto s = rig.client.stats();
    EXPECT_EQ(s.stale_retries, 1u);
    EXPECT_EQ(s.connections_opened, 2u);
    EXPECT_EQ(s.idle_connections, 1u);
}

TEST(HttpClientPool, ARetryThatFailsAgainIsNotRetried) {
    Rig rig([](std::size_t connection, std::size_t nth) {
        return connection == 0 && nth == 0 ? Answer::keep_alive : Answer::drop;
    });
    EXPECT_EQ(rig.fetch().status, 200u);
    const auto r = rig.fetch();
    EXPECT_EQ(r.status, 0u);
    EXPECT_EQ(r.failure, OutboundFailure::network);
    EXPECT_TRUE(r.error.starts_with("read: ")) << r.error;
    EXPECT_EQ(rig.server.requests().size(), 3u);
    EXPECT_EQ(rig.server.connections(), 2u);
    EXPECT_EQ(rig.client.stats().stale_retries, 1u);
    EXPECT_EQ(rig.client.stats().idle_connections, 0u);
}

TEST(HttpClientPool, AFreshConnectionsFailureIsNotRetried) {
    Rig rig(Answer::drop);
    const auto r = rig.fetch();
    EXPECT_EQ(r.failure, OutboundFailure::network);
    EXPECT_EQ(rig.server.requests().size(), 1u);
    EXPECT_EQ(rig.client.stats().stale_retries, 0u);
}

TEST(HttpClientPool, ATimedOutRequestDoesNotReturnItsConnection) {
    Rig rig([](std::size_t connection, std::size_t nth) {
        return connection == 0 && nth == 1 ? Answer::hang : Answer::keep_alive;
    });
    EXPECT_EQ(rig.fetch().status, 200u);
    const auto r = fetch(rig.client, post_to(rig.server.url(), 300ms));
    EXPECT_EQ(r.failure, OutboundFailure::timeout) << r.error;
    EXPECT_EQ(rig.client.stats().idle_connections, 0u);
    EXPECT_EQ(rig.client.stats().stale_retries, 0u);  // a timeout is not a stale connection
    EXPECT_EQ(rig.fetch().status, 200u);
    EXPECT_EQ(rig.server.connections(), 2u);
}

TEST(HttpClientPool, IdleConnectionsAreClosedAfterTheIdleTimeout) {
    HttpClientConfig config;
    config.idle_timeout = 200ms;
    Rig rig(Answer::keep_alive, config);
    EXPECT_EQ(rig.fetch().status, 200u);
    // No further request: the idle connection's own deadline closes it.
    // (The socket closes in the timer's handler, the pool forgets it in the read's: either first.)
    ASSERT_TRUE(eventually([&] {
        return rig.server.closed_by_client() == 1 && rig.client.stats().idle_connections == 0;
    }));
    EXPECT_EQ(rig.fetch().status, 200u);
    EXPECT_EQ(rig.server.connections(), 2u);
    EXPECT_EQ(rig.client.stats().requests_reused, 0u);
}

TEST(HttpClientPool, KeepsAtMostMaxIdlePerOriginAndTotalAndMaxOrigins) {
    IoThreads io;
    {
        ScriptedServer server(Answer::keep_alive);
        HttpClientConfig config;
        config.max_idle_per_origin = 2;
        HttpClient client(io.io(), config);
        server.gather(5);
        Batch batch;
        for (int i = 0; i < 5; ++i) batch.start(client, post_to(server.url()));
        for (const auto& r : batch.results()) EXPECT_EQ(r.status, 200u) << r.error;
        EXPECT_EQ(server.connections(), 5u);
        EXPECT_EQ(client.stats().idle_connections, 2u);
        EXPECT_TRUE(eventually([&] { return server.closed_by_client() == 3; }));
    }
    {
        ScriptedServer a(Answer::keep_alive), b(Answer::keep_alive), c(Answer::keep_alive);
        HttpClientConfig config;
        config.max_origins = 2;
        HttpClient client(io.io(), config);
        for (auto* s : {&a, &b, &c}) EXPECT_EQ(fetch(client, s->url()).status, 200u);
        EXPECT_EQ(client.stats().idle_connections, 2u);
        EXPECT_TRUE(
            eventually([&] { return a.closed_by_client() == 1; }));  // the least recent origin
        EXPECT_EQ(fetch(client, b.url()).status, 200u);
        EXPECT_EQ(fetch(client, c.url()).status, 200u);
        EXPECT_EQ(client.stats().requests_reused, 2u);
        EXPECT_EQ(b.closed_by_client() + c.closed_by_client(), 0u);
    }
    {
        ScriptedServer a(Answer::keep_alive), b(Answer::keep_alive);
        HttpClientConfig config;
        config.max_idle_total = 3;
        HttpClient client(io.io(), config);
        for (auto* s : {&a, &b}) {
            s->gather(2);
            Batch batch;
            for (int i = 0; i < 2; ++i) batch.start(client, post_to(s->url()));
            for (const auto& r : batch.results()) EXPECT_EQ(r.status, 200u) << r.error;
        }
        EXPECT_EQ(client.stats().idle_connections, 3u);
        EXPECT_TRUE(
            eventually([&] { return a.closed_by_client() == 1; }));  // from the least recent origin
        EXPECT_EQ(b.closed_by_client(), 0u);
    }
}

TEST(HttpClientPool, MaxIdlePerOriginZeroOpensAFreshConnectionPerRequestWithConnectionClose) {
    HttpClientConfig config;
    config.max_idle_per_origin = 0;
    Rig rig(Answer::keep_alive, config);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(rig.fetch().status, 200u);
    EXPECT_EQ(rig.server.connections(), 3u);
    const auto seen = rig.server.requests();
    ASSERT_EQ(seen.size(), 3u);
    for (const auto& s : seen) EXPECT_EQ(s.connection_header, "close");
    const auto s = rig.client.stats();
    EXPECT_EQ(s.connections_opened, 3u);
    EXPECT_EQ(s.requests_reused, 0u);
    EXPECT_EQ(s.idle_connections, 0u);
}

TEST(HttpClientPool, TlsConnectionsAreReusedWithTheCertificateVerified) {
    const auto pem = mock::make_self_signed();  // SAN IP:127.0.0.1
    mock::KavenegarMockConfig mc;
    mc.cert_pem = pem.cert_pem;
    mc.key_pem = pem.key_pem;
    mock::KavenegarMock server(mc);
    server.start();
    const TempCaFile ca(pem.cert_pem, "http-client-ca");
    ASSERT_TRUE(ca.written());
    IoThreads io;
    HttpClientConfig config;
    config.ca_file = ca.path();
    HttpClient client(io.io(), config);
    const auto url = "https://127.0.0.1:" + std::to_string(server.port()) + "/v1/key/sms/send.json";
    for (int i = 0; i < 5; ++i) {
        auto req = post_to(url);
        req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
        req.body = "receptor=09121234567&message=hi";
        const auto r = fetch(client, req);
        EXPECT_EQ(r.status, 200u) << r.error << r.body;
    }
    EXPECT_EQ(server.stats().connections, 1u);
    EXPECT_EQ(client.stats().connections_opened, 1u);
    EXPECT_EQ(client.stats().requests_reused, 4u);
}

TEST(HttpClientPool, OverTlsAClosedIdleConnectionIsDroppedAndAStaleOneRetried) {
    const auto pem = mock::make_self_signed();
    // Connection 0: answered, then closed by the server while idle. Connection 1: its second
    // request is read and the connection closed unanswered. Connection 2: the retry.
    const TempCaFile ca(pem.cert_pem, "http-client-stale-ca");
    ASSERT_TRUE(ca.written());
    HttpClientConfig config;
    config.ca_file = ca.path();
    Rig rig(
        [](std::size_t connection, std::size_t nth) {
            if (connection == 0) return Answer::keep_then_close;
            return connection == 1 && nth == 1 ? Answer::drop : Answer::keep_alive;
        },
        config, &pem);
    EXPECT_EQ(rig.fetch().status, 200u);
    ASSERT_TRUE(eventually([&] { return rig.client.stats().idle_connections == 0; }));
    EXPECT_EQ(rig.fetch().status, 200u);  // connection 1
    const auto r = rig.fetch();           // dropped on 1, retried on 2
    EXPECT_EQ(r.status, 200u) << r.error;
    EXPECT_EQ(rig.server.connections(), 3u);
    EXPECT_EQ(rig.server.requests().size(), 4u);
    EXPECT_EQ(rig.client.stats().stale_retries, 1u);
    EXPECT_EQ(rig.client.stats().requests_reused, 1u);
}

TEST(HttpClientPool, DestroyingTheClientClosesIdleConnectionsAndLetsRequestsFinish) {
    ScriptedServer idle(Answer::keep_alive);
    ScriptedServer silent(Answer::hang);
    IoThreads io;
    Batch batch;
    {
        HttpClient client(io.io(), {});
        EXPECT_EQ(fetch(client, idle.url()).status, 200u);
        EXPECT_EQ(client.stats().idle_connections, 1u);
        batch.start(client, post_to(silent.url(), 500ms));
        ASSERT_TRUE(eventually([&] { return silent.requests().size() == 1; }));
    }
    const auto results = batch.results();
    EXPECT_EQ(results[0].failure, OutboundFailure::timeout) << results[0].error;
    EXPECT_TRUE(batch.each_done_once());
    EXPECT_TRUE(eventually([&] { return idle.closed_by_client() == 1; }));
}

}  // namespace
}  // namespace bindery::http
