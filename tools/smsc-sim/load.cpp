// bindery-smpp-load: pushes submit_sm through a BindPool (Bindery's own client side) to an SMSC
// and prints what it measured as JSON. For benchmarks against bindery-smsc-sim:
//   bindery-smpp-load --connect 127.0.0.1:2775 --binds 4 --window 100 --count 200000
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include "smpp/net/bind_pool.hpp"

int main(int argc, char** argv) {
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
            } else if (a == "--system-id") {
                pc.system_id = v;
            } else if (a == "--password") {
                pc.password = v;
            } else {
                throw std::invalid_argument("unknown option " + a);
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "bindery-smpp-load: " << e.what()
                  << "\nusage: bindery-smpp-load --connect HOST:PORT [--binds N] [--window N] [--count N]"
                     " [--tps N] [--receipt-every N] [--system-id S --password P]\n";
        return 2;
    }
    spdlog::set_level(spdlog::level::warn);
    boost::asio::io_context io(1);
    std::uint64_t receipts = 0;
    auto pool = std::make_shared<BindPool>(io.get_executor(), pc, [&](const Pdu&, IncomingDone done) {
        ++receipts;
        done(CommandStatus::ESME_ROK);
    });
    std::uint64_t submitted = 0, ok = 0, failed = 0, refused = 0;
    std::chrono::steady_clock::time_point t0{}, t1{};
    bool started = false;
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
            pool->submit(std::move(m), [&](const SubmitReport& r) {
                if (!r.sent) {
                    ++refused;
                    --submitted;  // not sent: send it again
                } else {
                    r.ok() ? ++ok : ++failed;
                }
                if (ok + failed == count) {
                    t1 = std::chrono::steady_clock::now();
                    pool->stop(std::chrono::seconds(5), [&] { io.stop(); });
                }
            });
        }
    };
    pool->on_capacity = [&] { fill(); };
    pool->start();
    io.run();
    const double secs = std::chrono::duration<double>(t1 - t0).count();
    std::printf("{\"binds\":%u,\"window\":%zu,\"count\":%llu,\"ok\":%llu,\"failed\":%llu,\"refused\":%llu,"
                "\"receipts\":%llu,\"seconds\":%.3f,\"submits_per_second\":%.0f}\n",
                pc.count, pc.window, static_cast<unsigned long long>(count), static_cast<unsigned long long>(ok),
                static_cast<unsigned long long>(failed), static_cast<unsigned long long>(refused),
                static_cast<unsigned long long>(receipts), secs, secs > 0 ? static_cast<double>(ok) / secs : 0.0);
    return failed == 0 ? 0 : 1;
}
