// bindery-smpp-load: pushes submit_sm through a BindPool (Bindery's own client side) to an SMSC
// and prints what it measured as JSON. For benchmarks against bindery-smsc-sim:
//   bindery-smpp-load --connect 127.0.0.1:2775 --binds 4 --window 100 --count 200000
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>
#include <iostream>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "smpp/net/bind_pool.hpp"

namespace {

int run(int argc, char** argv) {
    using namespace bindery;
    using namespace bindery::smpp;
    BindPoolConfig pc;
    pc.carrier = "load";
    pc.system_id = "load";
    pc.password = "load";
    pc.window = 100;
    pc.count = 4;
    std::uint64_t count = 100000;
    unsigned receipt_every = 0;  // ask a receipt for every Nth message (0: none)
    bool wait_receipts = false;  // stop only once every requested receipt has arrived (or 30 s)
    try {
        for (int i = 1; i + 1 < argc; i += 2) {
            const std::string a = argv[i], v = argv[i + 1];
            if (a == "--connect") {
                const auto c = v.rfind(':');
                pc.host = v.substr(0, c);
                pc.port = static_cast<std::uint16_t>(std::stoul(v.substr(c + 1)));
            } else if (a == "--binds") {
                pc.count = static_cast<unsigned>(std::stoul(v));
            } else if (a == "--window") {
                pc.window = std::stoul(v);
            } else if (a == "--count") {
                count = std::stoull(v);
            } else if (a == "--tps") {
                pc.max_tps = std::stod(v);
            } else if (a == "--receipt-every") {
                receipt_every = static_cast<unsigned>(std::stoul(v));
            } else if (a == "--wait-receipts") {
                wait_receipts = v != "0";
            } else if (a == "--system-id") {
                pc.system_id = v;
            } else if (a == "--password") {
                pc.password = v;
            } else {
                throw std::invalid_argument("unknown option " + a);
            }
        }
    } catch (const std::exception& e) {
        std::cerr
            << "bindery-smpp-load: " << e.what()
            << "\nusage: bindery-smpp-load --connect HOST:PORT [--binds N] [--window N] [--count N]"
               " [--tps N] [--receipt-every N] [--wait-receipts 0|1]"
               " [--system-id S --password P]\n";
        return 2;
    }
    spdlog::set_level(spdlog::level::warn);
    boost::asio::io_context io(1);
    const std::uint64_t receipts_expected =
        receipt_every == 0 ? 0 : (count + receipt_every - 1) / receipt_every;
    std::uint64_t receipts = 0;
    std::uint64_t submitted = 0, ok = 0, failed = 0, refused = 0;
    std::chrono::steady_clock::time_point t0{}, t1{};
    std::vector<double> latency_us;  // submit -> submit_sm_resp, per answered message
    latency_us.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(count, 10'000'000)));
    bool started = false, stopping = false;
    std::shared_ptr<BindPool> pool;
    boost::asio::steady_timer receipt_limit(io);
    const auto maybe_stop = [&] {
        if (stopping || ok + failed != count) return;
        if (wait_receipts && receipts < receipts_expected) {
            if (receipts == 0 ||
                receipt_limit.expiry() == boost::asio::steady_timer::time_point{}) {
                receipt_limit.expires_after(std::chrono::seconds(30));
                receipt_limit.async_wait([&](const boost::system::error_code& ec) {
                    if (!ec && !stopping) {
                        stopping = true;
                        pool->stop(std::chrono::seconds(5), [&] { io.stop(); });
                    }
                });
            }
            return;
        }
        stopping = true;
        receipt_limit.cancel();
        pool->stop(std::chrono::seconds(5), [&] { io.stop(); });
    };
    pool = std::make_shared<BindPool>(io.get_executor(), pc,
                                      [&](const Pdu&, const IncomingDone& done) {
                                          ++receipts;
                                          done(CommandStatus::ESME_ROK);
                                          maybe_stop();
                                      });
    std::function<void()> fill = [&] {
        if (!started) {
            started = true;
            t0 = std::chrono::steady_clock::now();
        }
        while (submitted < count && pool->ready()) {
            ShortMessageData m;
            m.source_addr = "Bindery";
            m.dest_addr_ton = 1;
            m.dest_addr_npi = 1;
            m.destination_addr = "98912" + std::to_string(1000000 + submitted % 1000000);
            m.registered_delivery = (receipt_every != 0 && submitted % receipt_every == 0) ? 1 : 0;
            static const std::string text = "Bindery load test message";
            m.short_message.assign(text.begin(), text.end());
            ++submitted;
            const auto sent_at = std::chrono::steady_clock::now();
            pool->submit(std::move(m), [&, sent_at](const SubmitReport& r) {
                if (!r.sent) {
                    ++refused;
                    --submitted;  // not sent: send it again
                } else {
                    r.ok() ? ++ok : ++failed;
                    latency_us.push_back(std::chrono::duration<double, std::micro>(
                                             std::chrono::steady_clock::now() - sent_at)
                                             .count());
                }
                if (ok + failed == count) t1 = std::chrono::steady_clock::now();
                maybe_stop();
            });
        }
    };
    pool->on_capacity = [&] { fill(); };
    pool->start();
    io.run();
    std::sort(latency_us.begin(), latency_us.end());
    const auto pct = [&](double p) {
        if (latency_us.empty()) return 0.0;
        const auto i = static_cast<std::size_t>(p * static_cast<double>(latency_us.size() - 1));
        return latency_us[i];
    };
    const double secs = std::chrono::duration<double>(t1 - t0).count();
    std::printf(
        "{\"binds\":%u,\"window\":%zu,\"count\":%llu,\"ok\":%llu,\"failed\":%llu,\"refused\":%llu,"
        "\"receipts\":%llu,\"seconds\":%.3f,\"submits_per_second\":%.0f,"
        "\"latency_us\":{\"p50\":%.0f,\"p99\":%.0f,\"max\":%.0f}}\n",
        pc.count, pc.window, static_cast<unsigned long long>(count),
        static_cast<unsigned long long>(ok), static_cast<unsigned long long>(failed),
        static_cast<unsigned long long>(refused), static_cast<unsigned long long>(receipts), secs,
        secs > 0 ? static_cast<double>(ok) / secs : 0.0, pct(0.50), pct(0.99),
        latency_us.empty() ? 0.0 : latency_us.back());
    return failed == 0 ? 0 : 1;
}

}  // namespace

// What escapes run() (a socket or timer that cannot be set up, no memory) is one line and exit 1,
// not std::terminate's abort.
int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "bindery-smpp-load: " << e.what() << "\n";
        return 1;
    }
}
