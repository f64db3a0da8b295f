// bindery-smsc-sim: see usage() in options.cpp and docs/smsc-sim.md.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "tools/smsc-sim/options.hpp"
#include "tools/smsc-sim/simulator.hpp"

namespace {

int run(int argc, char** argv) {
    using namespace bindery::sim;
    Options opts;
    try {
        opts = parse_options(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::exception& e) {
        std::cerr << "bindery-smsc-sim: " << e.what() << "\n" << usage();
        return 2;
    }
    if (opts.help) {
        std::cout << usage();
        return 0;
    }
    spdlog::set_level(spdlog::level::from_str(opts.log_level));

    boost::asio::io_context io(1);
    std::shared_ptr<SmscSimulator> sim;
    try {
        sim = std::make_shared<SmscSimulator>(io.get_executor(), opts.sim);
        sim->start();
    } catch (const std::exception& e) {
        std::cerr << "bindery-smsc-sim: cannot start: " << e.what() << "\n";
        return 1;
    }
    if (!opts.port_file.empty()) {
        const auto tmp = opts.port_file + ".tmp";
        {
            std::ofstream f(tmp);
            f << sim->port() << "\n";
        }
        std::rename(tmp.c_str(), opts.port_file.c_str());  // readers never see a partial file
    }
    std::fprintf(stderr, "bindery-smsc-sim listening on %s:%u\n", opts.sim.host.c_str(),
                 sim->port());

    boost::asio::steady_timer stats_timer(io);
    std::function<void()> arm_stats = [&] {
        if (opts.stats_interval == 0) return;
        stats_timer.expires_after(std::chrono::seconds(opts.stats_interval));
        stats_timer.async_wait([&](const boost::system::error_code& ec) {
            if (ec) return;
            std::printf("%s\n", sim->counters_json().c_str());
            std::fflush(stdout);
            arm_stats();
        });
    };
    arm_stats();

    // SIGUSR1: the carrier recovers (fault tests inject a fault, observe it, then heal).
    boost::asio::signal_set heal_signal(io, SIGUSR1);
    std::function<void()> arm_heal = [&] {
        heal_signal.async_wait([&](const boost::system::error_code& ec, int) {
            if (ec) return;
            sim->heal();
            std::fprintf(stderr, "bindery-smsc-sim: healed (SIGUSR1)\n");
            arm_heal();
        });
    };
    arm_heal();

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        stats_timer.cancel();
        heal_signal.cancel();
        sim->stop();
        std::printf("%s\n", sim->counters_json().c_str());
        std::fflush(stdout);
        io.stop();
    });
    io.run();
    return 0;
}

}  // namespace

// What escapes run() (a socket or timer that cannot be set up, no memory) is one line and exit 1,
// not std::terminate's abort.
int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "bindery-smsc-sim: " << e.what() << "\n";
        return 1;
    }
}
