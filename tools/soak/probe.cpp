#include "tools/soak/probe.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace bindery::soak {

std::optional<std::uint64_t> resident_bytes(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> open_descriptors(pid_t pid) {
    std::error_code ec;
    std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec);
    if (ec) return std::nullopt;
    std::uint64_t n = 0;
    for (const auto& entry : it) {
        (void)entry;
        ++n;
    }
    return n;
}

std::optional<double> metric_sum(std::string_view exposition, std::string_view name) {
    std::optional<double> sum;
    std::size_t pos = 0;
    while (pos < exposition.size()) {
        auto end = exposition.find('\n', pos);
        if (end == std::string_view::npos) end = exposition.size();
        const auto line = exposition.substr(pos, end - pos);
        pos = end + 1;
        if (line.empty() || line.front() == '#') continue;
        if (line.substr(0, name.size()) != name) continue;
        const auto rest = line.substr(name.size());
        if (rest.empty() || (rest.front() != ' ' && rest.front() != '{'))
            continue;  // a longer name
        const auto space = line.rfind(' ');
        if (space == std::string_view::npos) continue;
        // Timestamps are not written by Bindery: the last field is the value.
        const std::string value(line.substr(space + 1));
        char* parsed = nullptr;
        const double v = std::strtod(value.c_str(), &parsed);
        if (parsed == value.c_str()) continue;
        sum = sum.value_or(0) + v;
    }
    return sum;
}

}  // namespace bindery::soak
