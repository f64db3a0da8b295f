#pragma once
// Shared by the Kavenegar / HTTP provider tests: an io thread, a recording ReceiptSink, a TLS mock
// and helpers that wait (bounded) for asynchronous results.

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "router/core/provider.hpp"
#include "tools/kavenegar-mock/mock.hpp"

namespace bindery::router::testing {

inline constexpr auto kWait = std::chrono::seconds(30);

class IoThread {
public:
    IoThread() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
    ~IoThread() {
        guard_.reset();
        io_.stop();
        thread_.join();
    }
    boost::asio::any_io_executor executor() { return io_.get_executor(); }

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    std::thread thread_;
};

class RecordingSink final : public ReceiptSink {
public:
    void on_receipt(Receipt r) override {
        std::lock_guard lock(mu_);
        receipts_.push_back(std::move(r));
        cv_.notify_all();
    }
    // Waits until `n` receipts arrived (or the bound passed); returns what arrived.
    std::vector<Receipt> wait_for(std::size_t n) {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, kWait, [&] { return receipts_.size() >= n; });
        return receipts_;
    }
    std::vector<Receipt> receipts() {
        std::lock_guard lock(mu_);
        return receipts_;
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<Receipt> receipts_;
};

inline MessageId test_id(std::uint8_t n) {
    MessageId::Bytes b{};
    b[0] = 0x01;
    b[6] = 0x70;
    b[15] = n;
    b[14] = static_cast<std::uint8_t>(n * 7U + 3U);
    return MessageId(b);
}

inline OutboundMessage message(std::uint8_t n, std::string destination = "+989121234567",
                               std::string text = "Hello from Bindery") {
    OutboundMessage m;
    m.id = test_id(n);
    m.client = "test";
    m.sender = "Bindery";
    m.destination = std::move(destination);
    m.text = std::move(text);
    return m;
}

// Sends and waits for `done` (bounded); a timeout error result when it never came.
inline SendResult send_and_wait(Provider& p, OutboundMessage m) {
    auto promise = std::make_shared<std::promise<SendResult>>();
    auto future = promise->get_future();
    p.send(std::move(m), [promise](SendResult r) { promise->set_value(std::move(r)); });
    if (future.wait_for(kWait) != std::future_status::ready) {
        SendResult r;
        r.error = SendError{SendErrorKind::timeout, -1, "test: done never called"};
        return r;
    }
    return future.get();
}

// Sends many at once, waits for every `done`.
inline std::vector<SendResult> send_all(Provider& p, std::vector<OutboundMessage> ms) {
    std::vector<std::future<SendResult>> futures;
    for (auto& m : ms) {
        auto promise = std::make_shared<std::promise<SendResult>>();
        futures.push_back(promise->get_future());
        p.send(std::move(m), [promise](SendResult r) { promise->set_value(std::move(r)); });
    }
    std::vector<SendResult> out;
    for (auto& f : futures) {
        if (f.wait_for(kWait) != std::future_status::ready) {
            SendResult r;
            r.error = SendError{SendErrorKind::timeout, -1, "test: done never called"};
            out.push_back(std::move(r));
            continue;
        }
        out.push_back(f.get());
    }
    return out;
}

template <class Pred>
bool eventually(Pred pred) {
    const auto until = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < until) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
}

// One self-signed certificate per test binary (key generation is the slow part under ASan).
inline const mock::PemPair& test_cert() {
    static const mock::PemPair pem = mock::make_self_signed();
    return pem;
}

}  // namespace bindery::router::testing
