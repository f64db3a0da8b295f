// bench_kavenegar [messages]: messages/s through KavenegarProvider to the in-process Kavenegar mock
// over HTTPS (certificate verified, keep-alive connections), for several batch sizes and
// concurrencies. Prints one line per case; no assertions.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "router/providers/kavenegar_provider.hpp"
#include "tools/kavenegar-mock/mock.hpp"

namespace {

using namespace bindery;
using namespace std::chrono_literals;

struct NullSink final : router::ReceiptSink {
    void on_receipt(router::Receipt) override {}
};

void run_case(const mock::PemPair& pem, std::size_t batch, unsigned concurrency,
              std::size_t total) {
    mock::KavenegarMockConfig mc;
    mc.cert_pem = pem.cert_pem;
    mc.key_pem = pem.key_pem;
    mc.threads = 1;
    mock::KavenegarMock server(mc);
    server.start();

    boost::asio::io_context io;
    auto guard = boost::asio::make_work_guard(io);
    std::thread thread([&] { io.run(); });
    NullSink sink;
    router::KavenegarConfig c;
    c.base_url = "https://127.0.0.1:" + std::to_string(server.port());
    c.api_key = "bench";
    c.sender = "10004346";
    c.tls.ca_pem = pem.cert_pem;
    c.rate = 0;  // unlimited: measure the pipeline, not the limiter
    c.concurrency = concurrency;
    c.max_batch = batch;
    c.max_queue = total + 1;
    c.poll_status = false;
    auto provider = std::make_unique<router::KavenegarProvider>(c, io.get_executor(), sink);
    provider->start();
    std::this_thread::sleep_for(10ms);

    std::mutex mu;
    std::condition_variable cv;
    std::size_t done = 0, failed = 0;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < total; ++i) {
        router::OutboundMessage m;
        router::MessageId::Bytes b{};
        for (std::size_t k = 0; k < 8; ++k) b[8 + k] = static_cast<std::uint8_t>(i >> (8 * k));
        b[0] = 1;
        m.id = router::MessageId(b);
        m.destination = "+98912" + std::to_string(1000000 + i % 9000000);
        m.sender = "10004346";
        m.text = "Bindery benchmark message " + std::to_string(i);
        provider->send(std::move(m), [&](router::SendResult r) {
            std::lock_guard lock(mu);
            ++done;
            if (!r.ok()) ++failed;
            if (done == total) cv.notify_all();
        });
    }
    {
        std::unique_lock lock(mu);
        cv.wait_for(lock, 300s, [&] { return done == total; });
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto ps = provider->stats();
    const auto hs = provider->http_stats();
    std::printf(
        "batch=%-4zu concurrency=%-2u messages=%zu failed=%zu  %9.0f msg/s  calls=%llu  "
        "connections=%llu\n",
        batch, concurrency, done, failed, static_cast<double>(done) / secs,
        static_cast<unsigned long long>(ps.calls),
        static_cast<unsigned long long>(hs.connections_opened));
    std::fflush(stdout);
    provider.reset();
    std::this_thread::sleep_for(50ms);
    guard.reset();
    io.stop();
    thread.join();
    server.stop();
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t total =
        argc > 1 ? static_cast<std::size_t>(std::strtoull(argv[1], nullptr, 10)) : 20'000;
    const auto pem = mock::make_self_signed();
    std::printf(
        "KavenegarProvider -> kavenegar mock, HTTPS (verified), keep-alive, %zu messages per "
        "case\n",
        total);
    run_case(pem, 1, 1, total / 4);
    run_case(pem, 1, 4, total / 2);
    run_case(pem, 20, 4, total);
    run_case(pem, 100, 4, total);
    run_case(pem, 200, 4, total);
    return 0;
}
