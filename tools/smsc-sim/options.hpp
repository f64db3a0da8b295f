#pragma once
// Command line of bindery-smsc-sim.

#include <optional>
#include <string>
#include <vector>

#include "tools/smsc-sim/simulator.hpp"

namespace bindery::sim {

struct Options {
    SimConfig sim;
    std::string port_file;
    unsigned stats_interval = 0;  // seconds; 0 = only on exit
    std::string log_level = "warn";
    bool help = false;
};

// Throws std::invalid_argument with a message naming the option.
[[nodiscard]] Options parse_options(const std::vector<std::string>& args);
[[nodiscard]] std::string usage();

}  // namespace bindery::sim
