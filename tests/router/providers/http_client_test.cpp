// The providers' HTTP client against a scripted server on 127.0.0.1: the response body cap holds
// however the answer arrives (one write with the header, or after it).
#include "router/providers/http_client.hpp"

#include <future>
#include <string>
#include <thread>

#include <utility>  // before boost/asio.hpp: Boost 1.74 awaitable.hpp needs std::exchange (g++ 12)

#include <boost/asio.hpp>
#include <gtest/gtest.h>

namespace bindery::router {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// Accepts one connection, reads the request header (the test's GET has no body), answers
// `answer` in one write (or the header, then the body, when `split`), then reads until the client
// closes the connection.
class OneShotServer {
public:
    OneShotServer(std::string answer, bool split)
        : answer_(std::move(answer)),
          split_(split),
          acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
        thread_ = std::thread([this] { serve(); });
    }
    ~OneShotServer() {
        // A test that failed before connecting leaves accept() waiting: one connection ends it.
        boost::system::error_code ec;
        tcp::socket s(io_);
        s.connect(acceptor_.local_endpoint(), ec);
        s.close(ec);
        thread_.join();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

private:
    void serve() {
        boost::system::error_code ec;
        tcp::socket s(io_);
        acceptor_.accept(s, ec);
        if (ec) return;
        net::streambuf in;
        net::read_until(s, in, "\r\n\r\n", ec);
        if (ec) return;
        if (split_) {
            const auto head = answer_.find("\r\n\r\n") + 4;
            net::write(s, net::buffer(answer_.data(), head), ec);
            std::this_thread::sleep_for(50ms);
            net::write(s, net::buffer(answer_.data() + head, answer_.size() - head), ec);
        } else {
            net::write(s, net::buffer(answer_), ec);
        }
        // Until the client closes the connection (fetch() stops the client before returning).
        char b[4096];
        while (!ec) s.read_some(net::buffer(b), ec);
    }

    std::string answer_;
    bool split_;
    net::io_context io_;
    tcp::acceptor acceptor_;
    std::thread thread_;
};

std::string answer_with_body(std::size_t n) {
    return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(n) +
           "\r\n\r\n" + std::string(n, 'x');
}

HttpResult fetch(std::uint16_t port, std::size_t max_response_bytes) {
    net::io_context io;
    auto guard = net::make_work_guard(io);
    std::thread runner([&] { io.run(); });
    HttpClientConfig config;
    config.origin = Url{false, "127.0.0.1", port, "/"};
    config.max_response_bytes = max_response_bytes;
    config.request_timeout = 20s;
    auto client = HttpClient::create(io.get_executor(), config);
    EXPECT_TRUE(client.has_value());
    std::promise<HttpResult> got;
    HttpRequest req;
    req.method = "GET";
    req.target = "/status";
    (*client)->request(std::move(req), [&](HttpResult r) { got.set_value(std::move(r)); });
    auto fut = got.get_future();
    EXPECT_EQ(fut.wait_for(30s), std::future_status::ready);
    auto r = fut.get();
    (*client)->stop();
    client->reset();
    guard.reset();
    io.stop();
    runner.join();
    return r;
}

TEST(ProviderHttpClient, ABodyOverTheCapIsRefusedWhenItArrivesWithTheHeader) {
    OneShotServer server(answer_with_body(100'000), /*split=*/false);
    const auto r = fetch(server.port(), 1'000);
    ASSERT_FALSE(r.has_value()) << "read a body of " << r->body.size()
                                << " bytes past a 1,000-byte cap";
    EXPECT_EQ(r.error().kind, HttpErrorKind::io);
    EXPECT_NE(r.error().text.find("body limit"), std::string::npos) << r.error().text;
}

TEST(ProviderHttpClient, ABodyOverTheCapIsRefusedWhenItArrivesAfterTheHeader) {
    OneShotServer server(answer_with_body(100'000), /*split=*/true);
    const auto r = fetch(server.port(), 1'000);
    ASSERT_FALSE(r.has_value()) << "read a body of " << r->body.size()
                                << " bytes past a 1,000-byte cap";
    EXPECT_NE(r.error().text.find("body limit"), std::string::npos) << r.error().text;
}

TEST(ProviderHttpClient, ABodyWithinTheCapIsRead) {
    OneShotServer server(answer_with_body(1'000), /*split=*/false);
    const auto r = fetch(server.port(), 1'000);
    ASSERT_TRUE(r.has_value()) << r.error().text;
    EXPECT_EQ(r->status, 200u);
    EXPECT_EQ(r->body, std::string(1'000, 'x'));
}

}  // namespace
}  // namespace bindery::router
